package hashfmt

// Traditional DES-based crypt(3): 25 DES encryptions of a zero block
// under a key made of the first 8 password characters, with the E
// expansion perturbed by a 12-bit salt. Combined S-box/P tables; IP is
// the identity on the zero block and FP then IP cancel between the 25
// encryptions, so FP is applied once at the end.

var (
	desFP = [64]byte{40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31,
		38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
		36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
		34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25}
	desPC1 = [56]byte{57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
		10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
		63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
		14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4}
	desPC2 = [48]byte{14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
		23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
		41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
		44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32}
	desShifts = [16]byte{1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1}
	desP      = [32]byte{16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
		2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25}
	desS = [8][64]byte{
		{14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
			0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
			4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
			15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13},
		{15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
			3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
			0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
			13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9},
		{10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
			13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
			13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
			1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12},
		{7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
			13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
			10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
			3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14},
		{2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
			14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
			4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
			11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3},
		{12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
			10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
			9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
			4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13},
		{4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
			13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
			1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
			6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12},
		{13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
			1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
			7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
			2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11},
	}
)

type desCrypt struct {
	hash     string
	saltMask uint64 // salt bits, at the low half of the 48-bit E output
}

func parseDESCrypt(hash string) (Hash, error) {
	if !validB64(hash) {
		return nil, malformed(FormatDESCrypt, "not 13 crypt-base64 characters")
	}
	h := &desCrypt{hash: hash}
	// Salt bit s swaps E output bits s+1 and s+25 (FIPS numbering).
	for i := range 2 {
		c := atoi64[hash[i]]
		for j := range 6 {
			if (c>>j)&1 != 0 {
				h.saltMask |= 1 << (23 - (6*i + j))
			}
		}
	}
	return h, nil
}

func (h *desCrypt) Format() string                    { return FormatDESCrypt }
func (h *desCrypt) Cost() float64                     { return 7 }
func (h *desCrypt) SaltKey() string                   { return FormatDESCrypt + h.hash[:2] }
func (h *desCrypt) Match(d []byte) bool               { return string(d) == h.hash }
func (h *desCrypt) Verify(pw []byte, s *Scratch) bool { return h.Match(h.Digest(pw, s)) }

func (h *desCrypt) Digest(pw []byte, s *Scratch) []byte {
	var key uint64
	for i := 0; i < 8; i++ {
		var c byte
		if i < len(pw) {
			c = pw[i]
		}
		key = key<<8 | uint64(c<<1)
	}
	ks := desKeySchedule(key)
	var l, r uint32
	m := h.saltMask
	for range 25 {
		for k := range 16 {
			e := desExpand(r)
			x := ((e >> 24) ^ e) & m
			e ^= x | x<<24
			e ^= ks[k]
			f := desSP[0][e>>42&63] ^ desSP[1][e>>36&63] ^ desSP[2][e>>30&63] ^ desSP[3][e>>24&63] ^
				desSP[4][e>>18&63] ^ desSP[5][e>>12&63] ^ desSP[6][e>>6&63] ^ desSP[7][e&63]
			l, r = r, l^f
		}
		l, r = r, l
	}
	block := permute(uint64(l)<<32|uint64(r), desFP[:], 64)
	out := append(s.out[:0], h.hash[:2]...)
	for i := range 11 {
		sh := 58 - 6*i
		var c uint64
		if sh >= 0 {
			c = block >> sh & 63
		} else {
			c = block << -sh & 63
		}
		out = append(out, itoa64[c])
	}
	return out
}

// Bit numbering follows FIPS 46: bit 1 is the most significant bit of
// the 64-bit block, 32-bit half, 56-bit key or 48-bit expansion.

// permute returns the value whose bit i (1-based, from the top) is bit
// table[i-1] of the inN-bit input.
func permute(in uint64, table []byte, inN int) uint64 {
	var out uint64
	for _, b := range table {
		out = out<<1 | (in>>(inN-int(b)))&1
	}
	return out
}

// desExpand is E(R): eight overlapping 6-bit groups of R's bits
// 4k..4k+5 (wrapping), as a 48-bit value.
func desExpand(r uint32) uint64 {
	w := uint64(r&1)<<33 | uint64(r)<<1 | uint64(r>>31)
	var e uint64
	for k := range 8 {
		e = e<<6 | (w>>(28-4*k))&63
	}
	return e
}

func desKeySchedule(key uint64) [16]uint64 {
	cd := permute(key, desPC1[:], 64)
	c, d := uint32(cd>>28)&0xfffffff, uint32(cd)&0xfffffff
	var ks [16]uint64
	for r := range 16 {
		for range desShifts[r] {
			c = (c<<1 | c>>27) & 0xfffffff
			d = (d<<1 | d>>27) & 0xfffffff
		}
		ks[r] = permute(uint64(c)<<28|uint64(d), desPC2[:], 56)
	}
	return ks
}

// desSP[k][v] is P(S_k(v)) placed at S-box k's output position.
var desSP [8][64]uint32

func init() {
	for k := range 8 {
		for v := range 64 {
			row := (v>>4)&2 | v&1
			col := (v >> 1) & 15
			sv := uint64(desS[k][row*16+col]) << (28 - 4*k)
			desSP[k][v] = uint32(permute(sv, desP[:], 32))
		}
	}
}
