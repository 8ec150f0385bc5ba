package host

import (
	"fmt"
	"io"
	"strings"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// maxMounts bounds the mount table kept in memory; a busy Kubernetes node
// has a few thousand.
const maxMounts = 20000

// MountInfo is one line of /proc/<pid>/mountinfo.
type MountInfo struct {
	MountPoint   string
	Root         string // the part of the filesystem mounted here (bind mounts)
	FSType       string
	Source       string
	Options      []string // per-mount options: rw, nosuid, nodev, noexec...
	SuperOptions []string // filesystem options
}

// ParseMountinfo reads proc(5) mountinfo:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// Malformed lines are skipped; the error names the first of them.
func ParseMountinfo(r io.Reader) ([]MountInfo, error) {
	var out []MountInfo
	var bad error
	sc := newLineScanner(r)
	n := 0
	for sc.Scan() {
		n++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(f) { // sep >= 6 keeps the six fixed fields
			if bad == nil {
				bad = fmt.Errorf("line %d: malformed mountinfo entry", n)
			}
			continue
		}
		m := MountInfo{
			Root:       rootfs.UnescapeMount(f[3]),
			MountPoint: rootfs.UnescapeMount(f[4]),
			Options:    splitOptions(f[5]),
			FSType:     f[sep+1],
		}
		if sep+2 < len(f) {
			m.Source = rootfs.UnescapeMount(f[sep+2])
		}
		if sep+3 < len(f) {
			m.SuperOptions = splitOptions(f[sep+3])
		}
		if len(out) >= maxMounts {
			return out, fmt.Errorf("more than %d mounts; the rest are left out", maxMounts)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return out, err
	}
	return out, bad
}

// FstabEntry is one line of /etc/fstab.
type FstabEntry struct {
	Spec       string // device, UUID=..., LABEL=..., server:/export
	MountPoint string
	FSType     string
	Options    []string
}

// ParseFstab reads fstab(5). Fields are separated by blanks; spaces inside
// a field are written \040. Lines with fewer than three fields are skipped
// and reported through the error.
func ParseFstab(r io.Reader) ([]FstabEntry, error) {
	var out []FstabEntry
	var bad error
	sc := newLineScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			if bad == nil {
				bad = fmt.Errorf("line %d: fewer than 3 fields", n)
			}
			continue
		}
		e := FstabEntry{
			Spec:       rootfs.UnescapeMount(f[0]),
			MountPoint: rootfs.UnescapeMount(f[1]),
			FSType:     f[2],
			Options:    []string{"defaults"},
		}
		if len(f) > 3 {
			if opts := splitOptions(f[3]); len(opts) > 0 {
				e.Options = opts
			}
		}
		if len(out) >= maxMounts {
			return out, fmt.Errorf("more than %d entries; the rest are left out", maxMounts)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return out, err
	}
	return out, bad
}

func splitOptions(s string) []string {
	var out []string
	for _, o := range strings.Split(s, ",") {
		if o != "" {
			out = append(out, o)
		}
	}
	return out
}

// mountFromInfo merges the per-mount and filesystem options (nosuid,
// nodev, noexec live in the first; size=, errors= in the second).
func mountFromInfo(m MountInfo) model.Mount {
	opts := append([]string(nil), m.Options...)
	have := map[string]bool{}
	for _, o := range opts {
		have[o] = true
	}
	for _, o := range m.SuperOptions {
		if !have[o] && o != "rw" && o != "ro" {
			opts = append(opts, o)
			have[o] = true
		}
	}
	return model.Mount{Device: m.Source, MountPoint: m.MountPoint, FSType: m.FSType, Options: opts, Source: "mountinfo"}
}

func mountFromFstab(e FstabEntry) model.Mount {
	return model.Mount{Device: e.Spec, MountPoint: e.MountPoint, FSType: e.FSType, Options: e.Options, Source: "fstab"}
}

// pseudoFS hold kernel interfaces, not data: no statfs, which on autofs
// would even trigger a mount.
var pseudoFS = map[string]bool{
	"proc": true, "sysfs": true, "devtmpfs": true, "devpts": true, "cgroup": true, "cgroup2": true,
	"tracefs": true, "debugfs": true, "securityfs": true, "bpf": true, "fusectl": true,
	"configfs": true, "autofs": true, "mqueue": true, "hugetlbfs": true, "pstore": true,
	"binfmt_misc": true, "efivarfs": true, "rpc_pipefs": true, "nsfs": true, "selinuxfs": true,
	"nfsd": true, "ramfs": true,
}
