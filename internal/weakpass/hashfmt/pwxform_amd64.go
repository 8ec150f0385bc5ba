//go:build !purego

package hashfmt

// pwxformBlocks runs, for each of the n 64-byte blocks at B:
// X ^= block; pwxform(X); block = X (pwxform_amd64.s, SSE2).
//
//go:noescape
func pwxformBlocks(X *[pwxWords]uint64, B *uint64, n int, ctx *pwxformCtx)

const havePwxformAsm = true
