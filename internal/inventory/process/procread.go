package process

import (
	"io"
	"io/fs"
	"os"
)

// Read caps for /proc files: the kernel writes them, but a fixture tree or
// a hostile FUSE mount at ProcRoot could hold anything.
const (
	maxStatSize     = 4 << 10
	maxStatusSize   = 64 << 10
	maxCmdline      = 4 << 10 // recorded bytes of the command line
	maxCgroupSize   = 64 << 10
	maxProcStatLine = 1 << 20 // /proc/stat "intr" line on a large host
	maxProcStatSize = 8 << 20
	maxPasswdSize   = 16 << 20
)

// readCapped reads at most max bytes of a /proc file.
func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return data, nil
}
