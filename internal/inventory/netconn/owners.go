package netconn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/ward-sec/ward/internal/inventory"
)

// owner is the process holding a socket.
type owner struct {
	pid  int
	name string
}

// findOwners maps socket inodes to the lowest pid holding them, by reading
// the fd symlinks ("socket:[N]") under procRoot/<pid>/fd. Only the links
// are read. A listening socket shared by a pre-forked server (nginx master
// and workers) goes to its lowest pid, usually the master.
func findOwners(ctx context.Context, env *inventory.Env, procRoot string, wanted map[uint64]bool) (map[uint64]owner, error) {
	owners := make(map[uint64]owner, len(wanted))
	if len(wanted) == 0 {
		return owners, nil
	}
	pids, err := listPIDs(procRoot)
	if err != nil && len(pids) == 0 {
		return owners, err
	}
	perms := &permWarnings{env: env, root: procRoot}
	defer perms.flush()
	for _, pid := range pids {
		if err := ctx.Err(); err != nil {
			return owners, err
		}
		if len(owners) == len(wanted) {
			break
		}
		dir := path.Join(procRoot, strconv.Itoa(pid))
		held := scanFDs(dir+"/fd", pid, wanted, owners, perms)
		if len(held) == 0 {
			continue
		}
		name, err := readComm(dir + "/comm")
		if err != nil && !gone(err) {
			env.Warn(dir+"/comm", err)
		}
		for _, ino := range held {
			owners[ino] = owner{pid: pid, name: name}
		}
	}
	return owners, nil
}

// scanFDs records pid as the owner of the wanted, not yet owned sockets it
// holds and returns their inodes.
func scanFDs(fdDir string, pid int, wanted map[uint64]bool, owners map[uint64]owner, perms *permWarnings) []uint64 {
	d, err := os.Open(fdDir)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			perms.add(fdDir, err)
		}
		return nil // gone, or a kernel thread's empty table
	}
	defer d.Close()
	var held []uint64
	for {
		// Batches keep memory flat for processes with very many descriptors.
		names, err := d.Readdirnames(256)
		for _, n := range names {
			target, lerr := os.Readlink(fdDir + "/" + n)
			if lerr != nil {
				if errors.Is(lerr, fs.ErrPermission) {
					perms.add(fdDir, lerr)
					return held // every other fd of this process fails the same way
				}
				continue // fd closed meanwhile
			}
			ino, ok := socketInode(target)
			if !ok || !wanted[ino] {
				continue
			}
			if _, taken := owners[ino]; !taken {
				owners[ino] = owner{pid: pid} // name added by the caller
				held = append(held, ino)
			}
		}
		if err != nil { // io.EOF at the end
			return held
		}
	}
}

// socketInode parses "socket:[12345]".
func socketInode(link string) (uint64, bool) {
	s, ok := strings.CutPrefix(link, "socket:[")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "]")
	if !ok {
		return 0, false
	}
	ino, err := strconv.ParseUint(s, 10, 64)
	return ino, err == nil
}

func readComm(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// TASK_COMM_LEN is 16; 64 leaves room for kernels that raise it.
	data, err := io.ReadAll(io.LimitReader(f, 64))
	return strings.TrimRight(string(data), "\n"), err
}

// gone reports errors meaning the process exited while it was being read.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

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
// rest as a count.
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
		p.env.Warn(p.root, fmt.Errorf("permission denied on %d more fd tables; their sockets have no pid", n))
	}
}
