// Package procfs holds the /proc helpers shared by the live collectors
// (processes, sockets): listing pids, telling a process that exited while
// it was read from a real error, and reporting permission errors without
// one warning per process.
package procfs

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

// Gone reports errors meaning the process exited while it was being read.
func Gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

// ListPIDs returns the numeric entries of procRoot in ascending order,
// reading the directory in batches so a huge process table is not one slice
// of DirEntry values. On a read error it returns the pids read so far.
func ListPIDs(procRoot string) ([]int, error) {
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

// MaxPermWarnings is how many permission errors PermWarnings reports one by
// one.
const MaxPermWarnings = 10

// PermWarnings reports the first MaxPermWarnings permission errors one by
// one and the rest as a count: an unprivileged run would otherwise yield
// one warning per process.
type PermWarnings struct {
	env   *inventory.Env
	root  string
	rest  string
	count int
}

// NewPermWarnings reports to env; Flush words the count of the errors left
// out with rest, a format with one %d, as a warning on root.
func NewPermWarnings(env *inventory.Env, root, rest string) *PermWarnings {
	return &PermWarnings{env: env, root: root, rest: rest}
}

// Add records a permission error on path.
func (p *PermWarnings) Add(path string, err error) {
	p.count++
	if p.count <= MaxPermWarnings {
		p.env.Warn(path, err)
	}
}

// Flush reports the errors that Add left out, if any.
func (p *PermWarnings) Flush() {
	if n := p.count - MaxPermWarnings; n > 0 {
		p.env.Warn(p.root, fmt.Errorf(p.rest, n))
	}
}
