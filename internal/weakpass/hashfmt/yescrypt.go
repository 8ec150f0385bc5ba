// This file is derived from github.com/openwall/yescrypt-go v1.0.0
// (Copyright 2012-2020 The Go Authors, 2024 Solar Designer; BSD licence,
// see LICENSE.yescrypt-go). Changes for cracking throughput: the 16 MiB
// V array and the S-boxes live in a per-goroutine state reused across
// candidates instead of being allocated per hash, the pwxform S-boxes
// are fixed-size arrays indexed by masked values (no bounds checks), and
// the block XOR/copy steps are fused. yescrypt-go itself stays the
// reference the tests compare against.

package hashfmt

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
	"unsafe"
)

const (
	pwxSimple = 2
	pwxGather = 4
	pwxRounds = 6
	sWidth    = 8
	pwxWords  = pwxGather * pwxSimple  // 8 uint64 = 64 bytes
	sPairs    = 1 << sWidth            // 256 pairs per S-box
	sWords    = 3 * sPairs * pwxSimple // three S-boxes
	sBytes    = sWords * 8             // 12288
)

type yescrypt struct {
	format   string // yescrypt or gost-yescrypt
	setting  string // "$y$j9T$salt" (for gost-yescrypt the inner setting)
	nLog2, r int
	salt     []byte
	want     []byte // decoded 32-byte key
	hash     string
}

func parseYescrypt(hash string) (Hash, error) {
	h, err := parseYescryptParams(FormatYescrypt, hash, "$y$")
	if err != nil {
		return nil, err
	}
	return h, nil
}

// parseYescryptParams reads "$y$j<N><r>$salt$hash", the parameter
// encoding libxcrypt generates. Other flag/parameter encodings are
// valid yescrypt but outside what this implementation computes.
func parseYescryptParams(format, hash, prefix string) (*yescrypt, error) {
	rest := hash[len(prefix):]
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return nil, malformed(format, "want "+prefix+"params$salt$hash")
	}
	params, salt, digest := parts[0], parts[1], parts[2]
	if len(params) != 3 || params[0] != 'j' {
		return nil, &UnsupportedError{Format: format, Detail: "parameters " + params}
	}
	nLog2 := int(atoi64[params[1]]) + 1
	r := int(atoi64[params[2]]) + 1
	if atoi64[params[1]] == 0xff || atoi64[params[2]] == 0xff {
		return nil, malformed(format, "bad parameters "+params)
	}
	if nLog2 < 10 || nLog2 > 18 || r < 1 || r > 32 {
		return nil, &UnsupportedError{Format: format, Detail: "parameters " + params + " out of range"}
	}
	if mem := 128 * r << nLog2; mem > MaxMemory {
		return nil, &UnsupportedError{Format: format, Detail: fmt.Sprintf("needs %d MiB per candidate, over the %d MiB limit", mem>>20, MaxMemory>>20)}
	}
	s := decode64(salt)
	if s == nil {
		return nil, malformed(format, "bad salt encoding")
	}
	want := decode64(digest)
	if len(want) != 32 {
		return nil, malformed(format, "digest must encode 32 bytes")
	}
	return &yescrypt{format: format, setting: "$y$" + params + "$" + salt, nLog2: nLog2, r: r, salt: s, want: want, hash: hash}, nil
}

func (h *yescrypt) Format() string { return h.format }

// Cost: measured ~12.5 ms for the Debian default N=4096, r=32 on one
// core, proportional to N*r.
func (h *yescrypt) Cost() float64 {
	return 12500 * float64(uint64(1)<<h.nLog2) * float64(h.r) / (4096 * 32)
}

func (h *yescrypt) SaltKey() string { return h.setting }

func (h *yescrypt) Match(d []byte) bool { return hmac.Equal(d, h.want) }

func (h *yescrypt) Verify(pw []byte, s *Scratch) bool { return h.Match(h.Digest(pw, s)) }

func (h *yescrypt) Digest(pw []byte, s *Scratch) []byte {
	if s.ys == nil {
		s.ys = &yescryptState{}
	}
	return s.ys.key(pw, h.salt, 1<<h.nLog2, h.r, s.out[:32])
}

// yescryptState holds one goroutine's yescrypt memory.
type yescryptState struct {
	v  []uint64
	xy []uint64
	s  [3][sPairs][2]uint64
}

type pwxformCtx struct {
	s0, s1, s2 *[sPairs][2]uint64
	w          uint32 // in pairs
}

// key computes native yescrypt with libxcrypt's default flags, p=1,
// t=0, no ROM, into out (32 bytes).
func (st *yescryptState) key(password, salt []byte, N, r int, out []byte) []byte {
	if need := 16 * N * r; cap(st.v) < need {
		st.v = make([]uint64, need)
	}
	if need := 16 * max(r, 2); cap(st.xy) < need {
		st.xy = make([]uint64, need)
	}
	v, xy := st.v[:16*N*r], st.xy[:16*max(r, 2)]

	pass := 1
	if N >= 0x100 && N*r >= 0x20000 {
		pass = 0
		N >>= 6
	}
	prehash := []byte("yescrypt-prehash")
	pwd := password
	var pwBuf [32]byte
	for ; pass <= 1; pass++ {
		if pass == 1 {
			prehash = prehash[:8]
		}
		m := hmac.New(sha256.New, prehash)
		m.Write(pwd)
		m.Sum(pwBuf[:0])
		pwd = pwBuf[:]

		b, _ := pbkdf2.Key(sha256.New, unsafeString(pwd), salt, 1, 128*r)
		copy(pwd, b[:32])
		st.smixYescrypt(b, r, N, v, xy, pwd)
		k, _ := pbkdf2.Key(sha256.New, unsafeString(pwd), b, 1, 32)
		if pass == 0 {
			copy(pwd, k)
			N <<= 6
			continue
		}
		m = hmac.New(sha256.New, k)
		m.Write([]byte("Client Key"))
		sum := sha256.Sum256(m.Sum(nil))
		copy(out, sum[:])
	}
	return out[:32]
}

// unsafeString views b as a string for pbkdf2.Key without a copy; b is
// not modified while the string is in use.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (st *yescryptState) smixYescrypt(b []byte, r, N int, v, xy []uint64, passwordSha256 []byte) {
	var ctx pwxformCtx
	smix(b, 1, sBytes/128, 0, unsafe.Slice(&st.s[0][0][0], sWords), xy, nil)
	ctx.s2, ctx.s1, ctx.s0 = &st.s[0], &st.s[1], &st.s[2]
	m := hmac.New(sha256.New, b[64*(2*r-1):])
	m.Write(passwordSha256)
	m.Sum(passwordSha256[:0])
	smix(b, r, N, ((N+2)/3+1)&^1, v, xy, &ctx)
}

func salsaXOR(tmp *[8]uint64, in, out []uint64, rounds int) {
	in = in[:8]
	out = out[:8]
	d0 := tmp[0] ^ in[0]
	d1 := tmp[1] ^ in[1]
	d2 := tmp[2] ^ in[2]
	d3 := tmp[3] ^ in[3]
	d4 := tmp[4] ^ in[4]
	d5 := tmp[5] ^ in[5]
	d6 := tmp[6] ^ in[6]
	d7 := tmp[7] ^ in[7]

	x0, x1 := uint32(d0), uint32(d6>>32)
	x2, x3 := uint32(d5), uint32(d3>>32)
	x4, x5 := uint32(d2), uint32(d0>>32)
	x6, x7 := uint32(d7), uint32(d5>>32)
	x8, x9 := uint32(d4), uint32(d2>>32)
	x10, x11 := uint32(d1), uint32(d7>>32)
	x12, x13 := uint32(d6), uint32(d4>>32)
	x14, x15 := uint32(d3), uint32(d1>>32)

	for i := 0; i < rounds; i += 2 {
		x4 ^= bits.RotateLeft32(x0+x12, 7)
		x8 ^= bits.RotateLeft32(x4+x0, 9)
		x12 ^= bits.RotateLeft32(x8+x4, 13)
		x0 ^= bits.RotateLeft32(x12+x8, 18)

		x9 ^= bits.RotateLeft32(x5+x1, 7)
		x13 ^= bits.RotateLeft32(x9+x5, 9)
		x1 ^= bits.RotateLeft32(x13+x9, 13)
		x5 ^= bits.RotateLeft32(x1+x13, 18)

		x14 ^= bits.RotateLeft32(x10+x6, 7)
		x2 ^= bits.RotateLeft32(x14+x10, 9)
		x6 ^= bits.RotateLeft32(x2+x14, 13)
		x10 ^= bits.RotateLeft32(x6+x2, 18)

		x3 ^= bits.RotateLeft32(x15+x11, 7)
		x7 ^= bits.RotateLeft32(x3+x15, 9)
		x11 ^= bits.RotateLeft32(x7+x3, 13)
		x15 ^= bits.RotateLeft32(x11+x7, 18)

		x1 ^= bits.RotateLeft32(x0+x3, 7)
		x2 ^= bits.RotateLeft32(x1+x0, 9)
		x3 ^= bits.RotateLeft32(x2+x1, 13)
		x0 ^= bits.RotateLeft32(x3+x2, 18)

		x6 ^= bits.RotateLeft32(x5+x4, 7)
		x7 ^= bits.RotateLeft32(x6+x5, 9)
		x4 ^= bits.RotateLeft32(x7+x6, 13)
		x5 ^= bits.RotateLeft32(x4+x7, 18)

		x11 ^= bits.RotateLeft32(x10+x9, 7)
		x8 ^= bits.RotateLeft32(x11+x10, 9)
		x9 ^= bits.RotateLeft32(x8+x11, 13)
		x10 ^= bits.RotateLeft32(x9+x8, 18)

		x12 ^= bits.RotateLeft32(x15+x14, 7)
		x13 ^= bits.RotateLeft32(x12+x15, 9)
		x14 ^= bits.RotateLeft32(x13+x12, 13)
		x15 ^= bits.RotateLeft32(x14+x13, 18)
	}

	d0 = uint64(uint32(d0)+x0) | uint64(uint32(d0>>32)+x5)<<32
	d1 = uint64(uint32(d1)+x10) | uint64(uint32(d1>>32)+x15)<<32
	d2 = uint64(uint32(d2)+x4) | uint64(uint32(d2>>32)+x9)<<32
	d3 = uint64(uint32(d3)+x14) | uint64(uint32(d3>>32)+x3)<<32
	d4 = uint64(uint32(d4)+x8) | uint64(uint32(d4>>32)+x13)<<32
	d5 = uint64(uint32(d5)+x2) | uint64(uint32(d5>>32)+x7)<<32
	d6 = uint64(uint32(d6)+x12) | uint64(uint32(d6>>32)+x1)<<32
	d7 = uint64(uint32(d7)+x6) | uint64(uint32(d7>>32)+x11)<<32

	out[0], tmp[0] = d0, d0
	out[1], tmp[1] = d1, d1
	out[2], tmp[2] = d2, d2
	out[3], tmp[3] = d3, d3
	out[4], tmp[4] = d4, d4
	out[5], tmp[5] = d5, d5
	out[6], tmp[6] = d6, d6
	out[7], tmp[7] = d7, d7
}

func blockMix(tmp *[8]uint64, in, out []uint64, r int) {
	copy(tmp[:], in[(2*r-1)*8:(2*r-1)*8+8])
	for i := 0; i < 2*r; i += 2 {
		salsaXOR(tmp, in[i*8:], out[i*4:], 8)
		salsaXOR(tmp, in[i*8+8:], out[i*4+r*8:], 8)
	}
}

// pwxform is the innermost loop of yescrypt: six rounds of
// multiply/S-box lookups over a 64-byte block.
func pwxform(X *[pwxWords]uint64, ctx *pwxformCtx) {
	s0, s1, s2, w := ctx.s0, ctx.s1, ctx.s2, ctx.w
	x0, y0, x1, y1 := X[0], X[1], X[2], X[3]
	x2, y2, x3, y3 := X[4], X[5], X[6], X[7]
	round := func(x, y uint64) (uint64, uint64) {
		xl, xh := uint32(x), uint32(x>>32)
		p0 := &s0[(xl>>4)&(sPairs-1)]
		p1 := &s1[(xh>>4)&(sPairs-1)]
		x = (uint64(xh)*uint64(xl) + p0[0]) ^ p1[0]
		y = ((y>>32)*uint64(uint32(y)) + p0[1]) ^ p1[1]
		return x, y
	}
	x0, y0 = round(x0, y0)
	x1, y1 = round(x1, y1)
	x2, y2 = round(x2, y2)
	x3, y3 = round(x3, y3)
	for i := 1; i < pwxRounds-1; i++ {
		x0, y0 = round(x0, y0)
		s2[w&(sPairs-1)] = [2]uint64{x0, y0}
		x1, y1 = round(x1, y1)
		s2[(w+1)&(sPairs-1)] = [2]uint64{x1, y1}
		x2, y2 = round(x2, y2)
		s2[(w+2)&(sPairs-1)] = [2]uint64{x2, y2}
		x3, y3 = round(x3, y3)
		s2[(w+3)&(sPairs-1)] = [2]uint64{x3, y3}
		w += 4
	}
	x0, y0 = round(x0, y0)
	x1, y1 = round(x1, y1)
	x2, y2 = round(x2, y2)
	x3, y3 = round(x3, y3)
	X[0], X[1], X[2], X[3] = x0, y0, x1, y1
	X[4], X[5], X[6], X[7] = x2, y2, x3, y3
	ctx.s0, ctx.s1, ctx.s2 = s2, s0, s1
	ctx.w = w & (sPairs - 1)
}

func blockMixPwxform(X *[pwxWords]uint64, B []uint64, r int, ctx *pwxformCtx) {
	r1 := 2 * r
	*X = *(*[pwxWords]uint64)(B[(r1-1)*pwxWords:])
	if havePwxformAsm {
		_ = B[r1*pwxWords-1]
		pwxformBlocks(X, &B[0], r1, ctx)
	} else {
		pwxformBlocksGo(X, B, r1, ctx)
	}
	i := (r1 - 1) * 64 / 64
	*X = [pwxWords]uint64{}
	salsaXOR(X, B[i*pwxWords:], B[i*pwxWords:], 2)
}

// pwxformBlocksGo is the portable pwxformBlocks.
func pwxformBlocksGo(X *[pwxWords]uint64, B []uint64, r1 int, ctx *pwxformCtx) {
	for i := 0; i < r1; i++ {
		b := (*[pwxWords]uint64)(B[i*pwxWords:])
		for k := range X {
			X[k] ^= b[k]
		}
		pwxform(X, ctx)
		*b = *X
	}
}

func integer(b []uint64, r int) uint32 { return uint32(b[(2*r-1)*8]) }

func p2floor(x uint32) uint32 {
	for x&(x-1) != 0 {
		x &= x - 1
	}
	return x
}

func wrap(x, i uint32) uint32 {
	n := p2floor(i)
	return (x & (n - 1)) + (i - n)
}

func smix(b []byte, r, N, Nloop int, v, xy []uint64, ctx *pwxformCtx) {
	var tmp [8]uint64
	R := 16 * r
	x := xy[:R]
	j := 0
	for i := 0; i < R; i++ {
		lo := binary.LittleEndian.Uint32(b[(j & ^63)|((j*5)&63):])
		j += 4
		hi := binary.LittleEndian.Uint32(b[(j & ^63)|((j*5)&63):])
		j += 4
		x[i] = uint64(lo) | uint64(hi)<<32
	}
	if ctx != nil {
		var X [pwxWords]uint64
		for i := 0; i < N; i++ {
			vi := v[i*R : i*R+R]
			if i > 1 {
				vj := v[int(wrap(integer(x, r), uint32(i)))*R:]
				vj = vj[:R]
				for k := range vi {
					vi[k] = x[k]
					x[k] ^= vj[k]
				}
			} else {
				copy(vi, x)
			}
			blockMixPwxform(&X, x, r, ctx)
		}
		for i := 0; i < Nloop; i++ {
			vj := v[int(integer(x, r)&uint32(N-1))*R:]
			vj = vj[:R]
			for k := range vj {
				t := x[k] ^ vj[k]
				x[k] = t
				vj[k] = t
			}
			blockMixPwxform(&X, x, r, ctx)
		}
	} else {
		y := xy[R : 2*R]
		for i := 0; i < N; i += 2 {
			copy(v[i*R:], x)
			blockMix(&tmp, x, y, r)
			copy(v[(i+1)*R:], y)
			blockMix(&tmp, y, x, r)
		}
		for i := 0; i < Nloop; i += 2 {
			jj := int(integer(x, r) & uint32(N-1))
			for k, e := range v[jj*R : jj*R+R] {
				x[k] ^= e
			}
			blockMix(&tmp, x, y, r)
			jj = int(integer(y, r) & uint32(N-1))
			for k, e := range v[jj*R : jj*R+R] {
				y[k] ^= e
			}
			blockMix(&tmp, y, x, r)
		}
	}
	j = 0
	for _, e := range x[:R] {
		binary.LittleEndian.PutUint32(b[(j & ^63)|((j*5)&63):], uint32(e))
		j += 4
		binary.LittleEndian.PutUint32(b[(j & ^63)|((j*5)&63):], uint32(e>>32))
		j += 4
	}
}
