package hashfmt

import (
	"math/rand/v2"
	"testing"
)

// TestPwxformBlocksPortable checks the assembly pwxformBlocks against
// the portable Go one on random state (the Go one is what non-amd64
// builds run; TestYescryptReference covers the assembly end to end).
func TestPwxformBlocksPortable(t *testing.T) {
	if !havePwxformAsm {
		t.Skip("no assembly on this architecture")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, r := range []int{1, 2, 8, 32} {
		var sa, sb [3][sPairs][2]uint64
		for i := range sa {
			for j := range sa[i] {
				sa[i][j] = [2]uint64{rng.Uint64(), rng.Uint64()}
			}
		}
		sb = sa
		B1 := make([]uint64, 16*r)
		for i := range B1 {
			B1[i] = rng.Uint64()
		}
		B2 := append([]uint64(nil), B1...)
		var X1, X2 [pwxWords]uint64
		for i := range X1 {
			X1[i] = rng.Uint64()
		}
		X2 = X1
		w := uint32(rng.IntN(16)) * 16
		c1 := pwxformCtx{s2: &sa[0], s1: &sa[1], s0: &sa[2], w: w}
		c2 := pwxformCtx{s2: &sb[0], s1: &sb[1], s0: &sb[2], w: w}
		for range 3 {
			pwxformBlocks(&X1, &B1[0], 2*r, &c1)
			pwxformBlocksGo(&X2, B2, 2*r, &c2)
		}
		if X1 != X2 || sa != sb || c1.w != c2.w {
			t.Fatalf("r=%d: assembly and Go pwxform differ", r)
		}
		for i := range B1 {
			if B1[i] != B2[i] {
				t.Fatalf("r=%d: block %d differs", r, i)
			}
		}
	}
}
