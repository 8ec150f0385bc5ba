//go:build amd64 && !purego

package hashfmt

// md5BlockAMD64 is Go's MD5 block function (md5block_amd64.s).
//
//go:noescape
func md5BlockAMD64(dig *[4]uint32, p []byte)

const haveMD5Block = true

func md5Block(dig *[4]uint32, p []byte) { md5BlockAMD64(dig, p) }
