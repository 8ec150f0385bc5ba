package hashfmt

import (
	"crypto/md5"
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
	for i := range 1000 {
		buf = buf[:0]
		if i&1 != 0 {
			buf = append(buf, pw...)
		} else {
			buf = append(buf, fin[:]...)
		}
		if i%3 != 0 {
			buf = append(buf, h.salt...)
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
