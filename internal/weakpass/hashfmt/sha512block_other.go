//go:build !amd64 || purego

package hashfmt

const haveSHA512Block = false

func sha512Block(dig *[8]uint64, p []byte) { panic("unreachable") }
