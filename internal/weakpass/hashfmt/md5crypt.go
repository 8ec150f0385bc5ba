package hashfmt

import (
	"crypto/md5"
	"encoding/binary"
	"strings"
)

// md5crypt ($1$, Poul-Henning Kamp's FreeBSD scheme) and Apache's apr1
// variant, which differs only in its magic string.
type md5Crypt struct {
	magic, salt, want string
}

func parseMD5Crypt(hash, magic string) (Hash, error) {
	format := FormatMD5Crypt
	if magic == "$apr1$" {
		format = FormatApr1
	}
	rest := hash[len(magic):]
	i := strings.IndexByte(rest, '$')
	if i < 0 {
		return nil, malformed(format, "no digest")
	}
	h := &md5Crypt{magic: magic, salt: rest[:i], want: rest[i+1:]}
	if len(h.salt) > 8 {
		h.salt = h.salt[:8]
	}
	if len(h.want) != 22 || !validB64(h.want) {
		return nil, malformed(format, "digest must be 22 crypt-base64 characters")
	}
	return h, nil
}

func (h *md5Crypt) Format() string {
	if h.magic == "$apr1$" {
		return FormatApr1
	}
	return FormatMD5Crypt
}
func (h *md5Crypt) Cost() float64                     { return 110 }
func (h *md5Crypt) SaltKey() string                   { return h.magic + h.salt }
func (h *md5Crypt) Match(d []byte) bool               { return string(d) == h.want }
func (h *md5Crypt) Verify(pw []byte, s *Scratch) bool { return h.Match(h.Digest(pw, s)) }

func (h *md5Crypt) Digest(pw []byte, s *Scratch) []byte {
	buf := s.buf[:0]
	buf = append(append(append(buf, pw...), h.salt...), pw...)
	alt := md5.Sum(buf)
	buf = append(append(append(buf[:0], pw...), h.magic...), h.salt...)
	for n := len(pw); n > 0; n -= 16 {
		buf = append(buf, alt[:min(n, 16)]...)
	}
	for n := len(pw); n > 0; n >>= 1 {
		if n&1 != 0 {
			buf = append(buf, 0)
		} else {
			buf = append(buf, pw[0])
		}
	}
	fin := md5.Sum(buf)
	if haveMD5Block && len(pw) <= 32 && len(h.salt) <= 8 {
		fin = md5Rounds(fin, pw, h.salt)
	} else {
		fin = md5RoundsSum(buf, fin, pw, h.salt)
	}
	s.buf = buf[:0]
	out := s.out[:0]
	out = b64From24(out, fin[0], fin[6], fin[12], 4)
	out = b64From24(out, fin[1], fin[7], fin[13], 4)
	out = b64From24(out, fin[2], fin[8], fin[14], 4)
	out = b64From24(out, fin[3], fin[9], fin[15], 4)
	out = b64From24(out, fin[4], fin[10], fin[5], 4)
	out = b64From24(out, 0, 0, fin[11], 2)
	return out
}

// md5RoundsSum is the portable 1000-round loop.
func md5RoundsSum(buf []byte, fin [16]byte, pw []byte, salt string) [16]byte {
	for i := range 1000 {
		buf = buf[:0]
		if i&1 != 0 {
			buf = append(buf, pw...)
		} else {
			buf = append(buf, fin[:]...)
		}
		if i%3 != 0 {
			buf = append(buf, salt...)
		}
		if i%7 != 0 {
			buf = append(buf, pw...)
		}
		if i&1 != 0 {
			buf = append(buf, fin[:]...)
		} else {
			buf = append(buf, pw...)
		}
		fin = md5.Sum(buf)
	}
	return fin
}

var md5IV = [4]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}

// md5Rounds runs the rounds on the block function with in-place
// padding (inputs are at most 16+8+2*32 bytes: one or two blocks).
func md5Rounds(fin [16]byte, pw []byte, salt string) [16]byte {
	var blk [128]byte
	for i := range 1000 {
		n := 0
		if i&1 != 0 {
			n += copy(blk[n:], pw)
		} else {
			n += copy(blk[n:], fin[:])
		}
		if i%3 != 0 {
			n += copy(blk[n:], salt)
		}
		if i%7 != 0 {
			n += copy(blk[n:], pw)
		}
		if i&1 != 0 {
			n += copy(blk[n:], fin[:])
		} else {
			n += copy(blk[n:], pw)
		}
		end := 64
		if n > 55 {
			end = 128
		}
		blk[n] = 0x80
		clear(blk[n+1 : end-8])
		binary.LittleEndian.PutUint64(blk[end-8:], uint64(n)*8)
		st := md5IV
		md5Block(&st, blk[:end])
		for k := range 4 {
			binary.LittleEndian.PutUint32(fin[4*k:], st[k])
		}
	}
	return fin
}
