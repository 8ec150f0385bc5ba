//go:build !amd64 || purego

package hashfmt

func pwxformBlocks(X *[pwxWords]uint64, B *uint64, n int, ctx *pwxformCtx) {
	panic("unreachable")
}

const havePwxformAsm = false
