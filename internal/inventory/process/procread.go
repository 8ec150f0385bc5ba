package process

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"syscall"

	"github.com/ward-sec/ward/internal/inventory"
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

// gone reports errors meaning the process exited while it was being read.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

// listPIDs returns the numeric entries of procRoot in ascending order,
// reading the directory in batches so a huge process table is not one slice
// of DirEntry values.
func listPIDs(procRoot string) ([]int, error) {
	d, err := os.Open(procRoot)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	var pids []int
	for {
		names, err := d.Readdirnames(1024)
		for _, n := range names {
			if n == "" || n[0] < '1' || n[0] > '9' {
				continue
			}
			if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
				pids = append(pids, pid)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return pids, err
		}
	}
	sort.Ints(pids)
	return pids, nil
}

// permWarnings reports the first few permission errors one by one and the
// rest as a count: an unprivileged run would otherwise yield one warning per
// process.
type permWarnings struct {
	env   *inventory.Env
	root  string
	count int
}

const maxPermWarnings = 10

func (p *permWarnings) add(path string, err error) {
	p.count++
	if p.count <= maxPermWarnings {
		p.env.Warn(path, err)
	}
}

func (p *permWarnings) flush() {
	if n := p.count - maxPermWarnings; n > 0 {
		p.env.Warn(p.root, fmt.Errorf("permission denied on %d more entries (not root, hidepid, or an LSM policy)", n))
	}
}
