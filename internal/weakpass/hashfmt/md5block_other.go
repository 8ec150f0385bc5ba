//go:build !amd64 || purego

package hashfmt

const haveMD5Block = false

func md5Block(dig *[4]uint32, p []byte) { panic("unreachable") }
