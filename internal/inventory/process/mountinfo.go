package process

import (
	"bufio"
	"io"
	"os"
	"strings"

	"github.com/ward-sec/ward/internal/rootfs"
)

// mountEntry is one line of /proc/<pid>/mountinfo: where, and what type.
type mountEntry struct {
	point, fstype string
}

// parseMountinfo reads mount points and filesystem types from a
// mountinfo stream ("id parent maj:min root point opts [tags] - type src sopts").
func parseMountinfo(r io.Reader) ([]mountEntry, error) {
	var out []mountEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 {
			continue
		}
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(f) {
			continue
		}
		out = append(out, mountEntry{point: rootfs.UnescapeMount(f[4]), fstype: f[sep+1]})
	}
	return out, sc.Err()
}

// fsTypeOf returns the type of the filesystem holding p: the last-mounted
// entry with the longest mount point containing it.
func fsTypeOf(mounts []mountEntry, p string) string {
	best, bestLen := "", -1
	for _, m := range mounts {
		inside := m.point == "/" || p == m.point || strings.HasPrefix(p, m.point+"/")
		if inside && len(m.point) >= bestLen {
			best, bestLen = m.fstype, len(m.point)
		}
	}
	return best
}

// unhashableFS reports filesystems whose reads are served by a userspace
// daemon or a remote server: a stalled FUSE daemon or a hung hard NFS mount
// would block the read (and the agent) indefinitely, and a hostile FUSE
// daemon controls both the bytes and the timing.
func unhashableFS(fstype string) bool {
	if fstype == "fuse" || fstype == "fuseblk" || strings.HasPrefix(fstype, "fuse.") {
		return true
	}
	switch fstype {
	case "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "ceph", "afs", "lustre", "gpfs", "glusterfs":
		return true
	}
	return false
}

// maxMountinfo caps one mountinfo read (a busy Kubernetes node has a few
// thousand mounts, ~1 MB).
const maxMountinfo = 8 << 20

// exeFSType returns the filesystem type under a process's executable, from
// that process's mountinfo (the exe path is in its mount namespace), parsed
// once per namespace per run. Empty when unknown.
func (r *run) exeFSType(pidDir, exe string) string {
	ns, err := os.Readlink(pidDir + "/ns/mnt") // "mnt:[4026531841]"
	if err != nil {
		return ""
	}
	mounts, ok := r.mounts[ns]
	if !ok {
		if f, err := os.Open(pidDir + "/mountinfo"); err == nil {
			mounts, _ = parseMountinfo(io.LimitReader(f, maxMountinfo))
			f.Close()
		}
		r.mounts[ns] = mounts
	}
	return fsTypeOf(mounts, exe)
}
