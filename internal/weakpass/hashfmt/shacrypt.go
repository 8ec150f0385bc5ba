package hashfmt

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"strconv"
	"strings"
)

// sha-crypt ($5$, $6$) after Ulrich Drepper's specification
// (https://www.akkadia.org/drepper/SHA-crypt.txt), as glibc and
// libxcrypt implement it. The round loop is the hot path of shadow
// cracking: it works on one reusable buffer and the fixed-size
// Sum256/Sum512 functions (no hash.Hash, no allocation per round).

const (
	shaRoundsDefault = 5000
	shaRoundsMin     = 1000
	shaRoundsMax     = 999999999
)

type shaCrypt struct {
	is512    bool
	rounds   int
	explicit bool   // "rounds=N$" present in the string
	salt     string // at most 16 characters (longer salts are cut, as in glibc)
	want     string // the encoded digest
	maxSalt  int
	format   string
}

func parseSHACrypt(hash string, is512 bool) (Hash, error) {
	format, prefix, digestLen := FormatSHA256Crypt, "$5$", 43
	if is512 {
		format, prefix, digestLen = FormatSHA512Crypt, "$6$", 86
	}
	rest := hash[len(prefix):]
	h := &shaCrypt{is512: is512, rounds: shaRoundsDefault, maxSalt: 16, format: format}
	if strings.HasPrefix(rest, "rounds=") {
		end := strings.IndexByte(rest, '$')
		if end < 0 {
			return nil, malformed(format, "rounds= without salt")
		}
		n, err := strconv.ParseUint(rest[len("rounds="):end], 10, 64)
		if err != nil {
			return nil, malformed(format, "bad rounds value "+strconv.Quote(rest[len("rounds="):end]))
		}
		h.rounds = int(min(max(n, shaRoundsMin), shaRoundsMax))
		h.explicit = true
		rest = rest[end+1:]
	}
	i := strings.LastIndexByte(rest, '$')
	if i < 0 {
		return nil, malformed(format, "no digest")
	}
	h.salt, h.want = rest[:i], rest[i+1:]
	if strings.IndexByte(h.salt, '$') >= 0 {
		return nil, malformed(format, "bad salt")
	}
	if len(h.salt) > h.maxSalt {
		h.salt = h.salt[:h.maxSalt]
	}
	if len(h.want) != digestLen || !validB64(h.want) {
		return nil, malformed(format, "digest must be "+strconv.Itoa(digestLen)+" crypt-base64 characters")
	}
	return h, nil
}

func (h *shaCrypt) Format() string { return h.format }

// Cost: measured ~0.19 µs (SHA-512) and ~0.14 µs (SHA-256) per round
// on one core (bench/weakpass/RESULTS.md).
func (h *shaCrypt) Cost() float64 {
	if h.is512 {
		return float64(h.rounds) * 0.19
	}
	return float64(h.rounds) * 0.14
}

func (h *shaCrypt) SaltKey() string {
	return h.format + "$" + strconv.Itoa(h.rounds) + "$" + h.salt
}

func (h *shaCrypt) Verify(pw []byte, s *Scratch) bool { return h.Match(h.Digest(pw, s)) }

func (h *shaCrypt) Match(d []byte) bool { return string(d) == h.want }

func (h *shaCrypt) Digest(pw []byte, s *Scratch) []byte {
	if h.is512 {
		return sha512Crypt(s, pw, h.salt, h.rounds)
	}
	return sha256Crypt(s, pw, h.salt, h.rounds)
}

// sha512Crypt returns the encoded 86-character digest.
func sha512Crypt(s *Scratch, pw []byte, salt string, rounds int) []byte {
	const size = 64
	buf := s.buf[:0]
	// B = H(pw salt pw)
	buf = append(append(append(buf, pw...), salt...), pw...)
	b := sha512.Sum512(buf)
	// A = H(pw salt B-repeated bit-pattern)
	buf = append(append(buf[:0], pw...), salt...)
	n := len(pw)
	for ; n > size; n -= size {
		buf = append(buf, b[:]...)
	}
	buf = append(buf, b[:n]...)
	for n = len(pw); n > 0; n >>= 1 {
		if n&1 != 0 {
			buf = append(buf, b[:]...)
		} else {
			buf = append(buf, pw...)
		}
	}
	c := sha512.Sum512(buf)
	// DP = H(pw repeated len(pw) times) -> P
	buf = buf[:0]
	for range len(pw) {
		buf = append(buf, pw...)
	}
	dp := sha512.Sum512(buf)
	// DS = H(salt repeated 16+A[0] times) -> S
	buf = buf[:0]
	for range 16 + int(c[0]) {
		buf = append(buf, salt...)
	}
	ds := sha512.Sum512(buf)
	// P and S sit at the start of the scratch; the round input after them.
	ps := buf[:0]
	for n = len(pw); n > size; n -= size {
		ps = append(ps, dp[:]...)
	}
	ps = append(ps, dp[:n]...)
	ps = append(ps, ds[:len(salt)]...)
	p, sl := ps[:len(pw)], ps[len(pw):]
	if haveSHA512Block && len(pw) <= 64 {
		c = sha512Rounds(c, p, sl, rounds)
	} else {
		round := ps[len(ps):]
		for i := range rounds {
			r := round[:0]
			if i&1 != 0 {
				r = append(r, p...)
			} else {
				r = append(r, c[:]...)
			}
			if i%3 != 0 {
				r = append(r, sl...)
			}
			if i%7 != 0 {
				r = append(r, p...)
			}
			if i&1 != 0 {
				r = append(r, c[:]...)
			} else {
				r = append(r, p...)
			}
			c = sha512.Sum512(r)
			round = r[:0]
		}
	}
	s.buf = ps[:0]
	out := s.out[:0]
	for k := range 21 {
		switch k % 3 {
		case 0:
			out = b64From24(out, c[k], c[k+21], c[k+42], 4)
		case 1:
			out = b64From24(out, c[k+21], c[k+42], c[k], 4)
		default:
			out = b64From24(out, c[k+42], c[k], c[k+21], 4)
		}
	}
	out = b64From24(out, 0, 0, c[63], 2)
	return out
}

// sha256Crypt returns the encoded 43-character digest. MySQL's
// caching_sha2_password uses it with a 20-byte salt.
func sha256Crypt(s *Scratch, pw []byte, salt string, rounds int) []byte {
	const size = 32
	buf := s.buf[:0]
	buf = append(append(append(buf, pw...), salt...), pw...)
	b := sha256.Sum256(buf)
	buf = append(append(buf[:0], pw...), salt...)
	n := len(pw)
	for ; n > size; n -= size {
		buf = append(buf, b[:]...)
	}
	buf = append(buf, b[:n]...)
	for n = len(pw); n > 0; n >>= 1 {
		if n&1 != 0 {
			buf = append(buf, b[:]...)
		} else {
			buf = append(buf, pw...)
		}
	}
	c := sha256.Sum256(buf)
	buf = buf[:0]
	for range len(pw) {
		buf = append(buf, pw...)
	}
	dp := sha256.Sum256(buf)
	buf = buf[:0]
	for range 16 + int(c[0]) {
		buf = append(buf, salt...)
	}
	ds := sha256.Sum256(buf)
	ps := buf[:0]
	for n = len(pw); n > size; n -= size {
		ps = append(ps, dp[:]...)
	}
	ps = append(ps, dp[:n]...)
	for n = len(salt); n > size; n -= size {
		ps = append(ps, ds[:]...)
	}
	ps = append(ps, ds[:n]...)
	p, sl := ps[:len(pw)], ps[len(pw):]
	round := ps[len(ps):]
	for i := range rounds {
		r := round[:0]
		if i&1 != 0 {
			r = append(r, p...)
		} else {
			r = append(r, c[:]...)
		}
		if i%3 != 0 {
			r = append(r, sl...)
		}
		if i%7 != 0 {
			r = append(r, p...)
		}
		if i&1 != 0 {
			r = append(r, c[:]...)
		} else {
			r = append(r, p...)
		}
		c = sha256.Sum256(r)
		round = r[:0]
	}
	s.buf = ps[:0]
	out := s.out[:0]
	for k := range 10 {
		switch k % 3 {
		case 0:
			out = b64From24(out, c[k], c[k+10], c[k+20], 4)
		case 1:
			out = b64From24(out, c[k+20], c[k], c[k+10], 4)
		default:
			out = b64From24(out, c[k+10], c[k+20], c[k], 4)
		}
	}
	out = b64From24(out, 0, c[31], c[30], 3)
	return out
}

var sha512IV = [8]uint64{
	0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
	0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
}

// sha512Rounds is the sha512crypt round loop on the block function: each
// round input (at most 64+16+2*64 bytes, so one or two blocks) is laid
// out, padded and compressed in place, skipping the hash.Hash
// buffering, padding writes and digest copies of sha512.Sum512.
func sha512Rounds(c [64]byte, p, sl []byte, rounds int) [64]byte {
	var blk [256]byte
	for i := range rounds {
		n := 0
		if i&1 != 0 {
			n += copy(blk[n:], p)
		} else {
			n += copy(blk[n:], c[:])
		}
		if i%3 != 0 {
			n += copy(blk[n:], sl)
		}
		if i%7 != 0 {
			n += copy(blk[n:], p)
		}
		if i&1 != 0 {
			n += copy(blk[n:], c[:])
		} else {
			n += copy(blk[n:], p)
		}
		end := 128
		if n > 111 {
			end = 256
		}
		blk[n] = 0x80
		clear(blk[n+1 : end-8])
		binary.BigEndian.PutUint64(blk[end-8:], uint64(n)*8)
		st := sha512IV
		sha512Block(&st, blk[:end])
		for k := range 8 {
			binary.BigEndian.PutUint64(c[8*k:], st[k])
		}
	}
	return c
}
