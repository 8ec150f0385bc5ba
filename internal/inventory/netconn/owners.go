package netconn

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/procfs"
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
	pids, err := procfs.ListPIDs(procRoot)
	if err != nil && len(pids) == 0 {
		return owners, err
	}
	perms := procfs.NewPermWarnings(env, procRoot, "permission denied on %d more fd tables; their sockets have no pid")
	defer perms.Flush()
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
		if err != nil && !procfs.Gone(err) {
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
func scanFDs(fdDir string, pid int, wanted map[uint64]bool, owners map[uint64]owner, perms *procfs.PermWarnings) []uint64 {
	d, err := os.Open(fdDir)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			perms.Add(fdDir, err)
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
					perms.Add(fdDir, lerr)
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
