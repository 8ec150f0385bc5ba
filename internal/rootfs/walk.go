package rootfs

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// WalkOptions bound a walk so one scan cannot run away on a huge or hostile tree.
type WalkOptions struct {
	// Excludes are in-root paths (a directory excludes its subtree) or
	// path.Match patterns matched against the full in-root path.
	Excludes []string
	// MaxDepth counts directory levels below the start; 0 means 48.
	MaxDepth int
	// SkipMounts are in-root directories not to descend into; Walk adds the
	// pseudo filesystems of the live system (proc, sysfs, cgroup...) itself.
	SkipMounts []string
}

// WalkFunc is called for every entry except the start directory itself.
// Returning fs.SkipDir on a directory skips it; any other error stops the walk.
type WalkFunc func(p string, d fs.DirEntry) error

const defaultMaxDepth = 48

// pseudoFSTypes hold no files worth scanning and can be endless or slow.
var pseudoFSTypes = map[string]bool{
	"proc": true, "sysfs": true, "devtmpfs": true, "devpts": true, "cgroup": true, "cgroup2": true,
	"tracefs": true, "debugfs": true, "securityfs": true, "bpf": true, "fusectl": true,
	"configfs": true, "autofs": true, "mqueue": true, "hugetlbfs": true, "pstore": true,
	"binfmt_misc": true, "efivarfs": true, "rpc_pipefs": true, "nsfs": true, "selinuxfs": true,
}

// Walk visits the tree below start without following links, in name order.
// Unreadable directories are reported through onErr (if set) and skipped.
func (f *FS) Walk(ctx context.Context, start string, opts WalkOptions, fn WalkFunc, onErr func(p string, err error)) error {
	filter := newWalkFilter(f, opts)
	report := func(p string, err error) {
		if onErr != nil {
			onErr(p, err)
		}
	}
	start = Clean(start)
	fd, err := f.openat(start, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return pathErr("walk", start, err)
	}
	w := &walker{ctx: ctx, fn: fn, excluded: filter.excluded, report: report, maxDepth: filter.maxDepth}
	return w.dir(fd, start, 0)
}

// walkFilter decides which paths a walk leaves out.
type walkFilter struct {
	skip               map[string]bool
	prefixes, patterns []string
	maxDepth           int
}

func newWalkFilter(f *FS, opts WalkOptions) *walkFilter {
	w := &walkFilter{skip: map[string]bool{}, maxDepth: opts.MaxDepth}
	if w.maxDepth <= 0 {
		w.maxDepth = defaultMaxDepth
	}
	for _, m := range opts.SkipMounts {
		w.skip[Clean(m)] = true
	}
	if f.live {
		for _, m := range PseudoMounts() {
			w.skip[m] = true
		}
	} else {
		// An unpacked image may carry empty or populated copies of these.
		for _, m := range []string{"/proc", "/sys", "/dev"} {
			w.skip[m] = true
		}
	}
	for _, e := range opts.Excludes {
		if strings.ContainsAny(e, "*?[") {
			w.patterns = append(w.patterns, Clean(e))
		} else {
			w.prefixes = append(w.prefixes, Clean(e))
		}
	}
	return w
}

func (w *walkFilter) excluded(p string) bool {
	if w.skip[p] {
		return true
	}
	for _, x := range w.prefixes {
		if p == x || strings.HasPrefix(p, x+"/") {
			return true
		}
	}
	for _, x := range w.patterns {
		if ok, _ := path.Match(x, p); ok {
			return true
		}
	}
	return false
}

type walker struct {
	ctx      context.Context
	fn       WalkFunc
	excluded func(string) bool
	report   func(string, error)
	maxDepth int
}

// dir lists the directory open at fd (and closes it). Children are opened
// relative to fd with O_NOFOLLOW, so a link swapped in cannot lead outside.
func (w *walker) dir(fd int, p string, depth int) error {
	d := os.NewFile(uintptr(fd), p)
	entries, err := d.ReadDir(-1)
	if err != nil && len(entries) == 0 {
		d.Close()
		w.report(p, err)
		return nil
	}
	sortEntries(entries)
	for _, e := range entries {
		if err := w.ctx.Err(); err != nil {
			d.Close()
			return err
		}
		child := path.Join(p, e.Name())
		if w.excluded(child) {
			continue
		}
		// Info must stat through the open directory: the listing's own
		// Info would stat the in-root path on the host, a different file.
		if err := w.fn(child, fdDirEntry{DirEntry: e, dirFD: fd}); err != nil {
			if err == fs.SkipDir {
				continue
			}
			if err == fs.SkipAll {
				d.Close()
				return nil
			}
			d.Close()
			return err
		}
		if !e.IsDir() {
			continue
		}
		if depth+1 >= w.maxDepth {
			w.report(child, errDepth)
			continue
		}
		cfd, err := unix.Openat(fd, e.Name(), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			w.report(child, pathErr("open", child, err))
			continue
		}
		if err := w.dir(cfd, child, depth+1); err != nil {
			d.Close()
			return err
		}
	}
	return d.Close()
}

type depthError struct{}

func (depthError) Error() string { return "directory depth limit reached; not descending" }

var errDepth error = depthError{}

func sortEntries(e []fs.DirEntry) {
	sort.Slice(e, func(i, j int) bool { return e[i].Name() < e[j].Name() })
}

// PseudoMounts lists mount points of the running system whose filesystem
// type holds no real files (from /proc/self/mountinfo).
func PseudoMounts() []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return []string{"/proc", "/sys", "/dev"}
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		// id parent major:minor root mountpoint opts [optional...] - fstype source superopts
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(fields) || len(fields) < 5 {
			continue
		}
		if pseudoFSTypes[fields[sep+1]] {
			out = append(out, UnescapeMount(fields[4]))
		}
	}
	return out
}

// UnescapeMount decodes the octal escapes (\040 for space...) used in
// /proc mount tables.
func UnescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// fdDirEntry answers Info relative to the open parent directory; valid only
// during the walk callback.
type fdDirEntry struct {
	fs.DirEntry
	dirFD int
}

func (e fdDirEntry) Info() (fs.FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(e.dirFD, e.Name(), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, pathErr("lstat", e.Name(), err)
	}
	return newFileInfo(e.Name(), &st), nil
}

// rootDirEntry answers Info by an Lstat confined to the root, for entries
// returned after their directory was closed.
type rootDirEntry struct {
	fs.DirEntry
	f    *FS
	path string
}

func (e rootDirEntry) Info() (fs.FileInfo, error) { return e.f.Lstat(e.path) }
