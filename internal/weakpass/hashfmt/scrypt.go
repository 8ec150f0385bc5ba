package hashfmt

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"fmt"
	"strings"
)

// scrypt in libxcrypt's "$7$" encoding: one character log2(N), five
// characters r and p (30-bit little-endian), the salt string used
// verbatim, and 43 characters of the 32-byte key.
type scryptHash struct {
	nLog2, r, p int
	salt        string
	want        []byte
	setting     string
}

func decodeUint30(s string) (int, bool) {
	v := 0
	for i := 0; i < 5; i++ {
		c := atoi64[s[i]]
		if c > 63 {
			return 0, false
		}
		v |= int(c) << (6 * i)
	}
	return v, true
}

func parseScrypt(hash string) (Hash, error) {
	rest := hash[3:]
	i := strings.LastIndexByte(rest, '$')
	if len(rest) < 11 || i < 11 {
		return nil, malformed(FormatScrypt, "too short")
	}
	n := atoi64[rest[0]]
	r, okR := decodeUint30(rest[1:6])
	p, okP := decodeUint30(rest[6:11])
	if n > 63 || !okR || !okP {
		return nil, malformed(FormatScrypt, "bad parameters")
	}
	if n < 1 || n > 24 || r < 1 || p < 1 || r > 1024 || p > 1024 {
		return nil, &UnsupportedError{Format: FormatScrypt, Detail: "parameters out of range"}
	}
	if mem := 128 * r << n; mem > MaxMemory {
		return nil, &UnsupportedError{Format: FormatScrypt, Detail: fmt.Sprintf("needs %d MiB per candidate, over the %d MiB limit", mem>>20, MaxMemory>>20)}
	}
	want := decode64(rest[i+1:])
	if len(want) != 32 {
		return nil, malformed(FormatScrypt, "digest must encode 32 bytes")
	}
	return &scryptHash{nLog2: int(n), r: r, p: p, salt: rest[11:i], want: want, setting: hash[:3+i]}, nil
}

func (h *scryptHash) Format() string { return FormatScrypt }

// Cost: ~40 ms for N=2^14, r=8, p=1.
func (h *scryptHash) Cost() float64 {
	return 40000 * float64(uint64(1)<<h.nLog2) * float64(h.r*h.p) / (16384 * 8)
}

func (h *scryptHash) SaltKey() string { return h.setting }

// Digest runs classic scrypt on the goroutine's reusable yescrypt
// memory (golang.org/x/crypto/scrypt, the reference in the tests,
// allocates 128*r*N bytes per call).
func (h *scryptHash) Digest(pw []byte, s *Scratch) []byte {
	if s.ys == nil {
		s.ys = &yescryptState{}
	}
	st := s.ys
	N, r := 1<<h.nLog2, h.r
	if need := 16 * N * r; cap(st.v) < need {
		st.v = make([]uint64, need)
	}
	if need := 32 * r; cap(st.xy) < need {
		st.xy = make([]uint64, need)
	}
	v, xy := st.v[:16*N*r], st.xy[:32*r]
	b, err := pbkdf2.Key(sha256.New, unsafeString(pw), []byte(h.salt), 1, h.p*128*r)
	if err != nil {
		return nil
	}
	for i := range h.p {
		smix(b[i*128*r:], r, N, N, v, xy, nil)
	}
	k, err := pbkdf2.Key(sha256.New, unsafeString(pw), b, 1, 32)
	if err != nil {
		return nil
	}
	return append(s.out[:0], k...)
}

func (h *scryptHash) Match(d []byte) bool               { return d != nil && hmac.Equal(d, h.want) }
func (h *scryptHash) Verify(pw []byte, s *Scratch) bool { return h.Match(h.Digest(pw, s)) }
