// Package rootfs gives every file-based scanner one way to read a root
// filesystem: the live "/", an unpacked image or a fixture tree.
//
// Paths are absolute inside the root ("/etc/passwd"). Symlinks are resolved as
// if the root were "/" (an absolute link target stays inside the root), and no
// path, "..", or link can escape it: on Linux the kernel enforces this with
// openat2(RESOLVE_IN_ROOT); where that is missing, resolution falls back to
// filepath-securejoin. Files are always opened read-only.
package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// DefaultMaxRead caps ReadFile when the caller gives no limit. Host config
// files are small; anything larger is not a config file.
const DefaultMaxRead = 16 << 20

// ErrTooLarge is returned when a file exceeds the read limit.
var ErrTooLarge = errors.New("file exceeds size limit")

// FS is a read-only view of a directory tree treated as a root filesystem.
type FS struct {
	root   string // host path of the root, absolute and clean
	rootFD int    // O_PATH descriptor of root; -1 when openat2 is unavailable
	live   bool   // root is the running system's "/"
}

// Open returns an FS rooted at dir. dir must be an existing directory.
func Open(dir string) (*FS, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("root %q: %w", dir, err)
	}
	// The root itself may be reached through a link (e.g. /tmp on some
	// systems); resolve it once, on the host, before confining anything.
	abs, err = filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("root %q: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("root %q: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("root %q: not a directory", dir)
	}
	f := &FS{root: abs, rootFD: -1, live: abs == "/"}
	fd, err := unix.Open(abs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("root %q: %w", dir, err)
	}
	// Probe openat2 once; old kernels (< 5.6) and some sandboxes lack it.
	probe, perr := unix.Openat2(fd, ".", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
	if perr == nil {
		unix.Close(probe)
		f.rootFD = fd
	} else {
		unix.Close(fd)
	}
	return f, nil
}

// Close releases the root descriptor.
func (f *FS) Close() error {
	if f.rootFD >= 0 {
		err := unix.Close(f.rootFD)
		f.rootFD = -1
		return err
	}
	return nil
}

// Root is the host path of the root directory.
func (f *FS) Root() string { return f.root }

// IsLive reports whether the root is the running system's "/".
func (f *FS) IsLive() bool { return f.live }

// Clean turns any path into the canonical in-root form "/a/b".
func Clean(name string) string {
	return path.Clean("/" + name)
}

func rel(name string) string {
	r := strings.TrimPrefix(Clean(name), "/")
	if r == "" {
		return "."
	}
	return r
}

// openat opens name inside the root with flags, resolving links in the root.
func (f *FS) openat(name string, flags int) (int, error) {
	r := rel(name)
	if f.rootFD >= 0 {
		for {
			fd, err := unix.Openat2(f.rootFD, r, &unix.OpenHow{
				Flags:   uint64(flags | unix.O_CLOEXEC),
				Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
			})
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			return fd, err
		}
	}
	p, err := securejoin.SecureJoin(f.root, r)
	if err != nil {
		return -1, err
	}
	// SecureJoin resolved every link already; refuse a link swapped in since.
	return unix.Open(p, flags|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
}

func pathErr(op, name string, err error) error {
	if errno, ok := err.(syscall.Errno); ok {
		switch errno {
		case unix.ENOENT:
			err = fs.ErrNotExist
		case unix.EACCES, unix.EPERM:
			err = fs.ErrPermission
		case unix.ELOOP:
			err = fmt.Errorf("too many levels of symbolic links: %w", errno)
		}
	}
	return &fs.PathError{Op: op, Path: Clean(name), Err: err}
}

// OpenFile opens a regular file read-only. Non-blocking open keeps a FIFO
// planted in the tree from hanging the scan.
func (f *FS) OpenFile(name string) (*os.File, error) {
	fd, err := f.openat(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	file := os.NewFile(uintptr(fd), Clean(name))
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, pathErr("open", name, err)
	}
	if !st.Mode().IsRegular() && !st.IsDir() {
		file.Close()
		return nil, &fs.PathError{Op: "open", Path: Clean(name), Err: fmt.Errorf("not a regular file (%s)", st.Mode().Type())}
	}
	// Back to blocking mode so reads behave normally.
	_ = unix.SetNonblock(fd, false)
	return file, nil
}

// ReadFile reads a whole file, refusing files larger than max bytes
// (DefaultMaxRead when max <= 0).
func (f *FS) ReadFile(name string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxRead
	}
	file, err := f.OpenFile(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, max+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: Clean(name), Err: err}
	}
	if int64(len(data)) > max {
		return nil, &fs.PathError{Op: "read", Path: Clean(name), Err: fmt.Errorf("%w (%d bytes)", ErrTooLarge, max)}
	}
	return data, nil
}

// Stat follows links (inside the root).
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	fd, err := f.openat(name, unix.O_PATH)
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, pathErr("stat", name, err)
	}
	return newFileInfo(path.Base(Clean(name)), &st), nil
}

// Lstat does not follow a link in the last element.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	c := Clean(name)
	if c == "/" {
		return f.Stat(c)
	}
	dir, base := path.Split(c)
	dfd, err := f.openat(dir, unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return nil, pathErr("lstat", name, err)
	}
	defer unix.Close(dfd)
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, pathErr("lstat", name, err)
	}
	return newFileInfo(base, &st), nil
}

// Readlink returns a link's target as written (not resolved).
func (f *FS) Readlink(name string) (string, error) {
	c := Clean(name)
	dir, base := path.Split(c)
	dfd, err := f.openat(dir, unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return "", pathErr("readlink", name, err)
	}
	defer unix.Close(dfd)
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(dfd, base, buf)
	if err != nil {
		return "", pathErr("readlink", name, err)
	}
	return string(buf[:n]), nil
}

// ReadDir lists a directory sorted by name. Entries are not followed.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	fd, err := f.openat(name, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, pathErr("readdir", name, err)
	}
	dir := os.NewFile(uintptr(fd), Clean(name))
	defer dir.Close()
	entries, err := dir.ReadDir(-1)
	sortEntries(entries)
	for i, e := range entries {
		entries[i] = rootDirEntry{DirEntry: e, f: f, path: path.Join(Clean(name), e.Name())}
	}
	if err != nil {
		return entries, pathErr("readdir", name, err)
	}
	return entries, nil
}

// Exists reports whether name exists (following links inside the root).
func (f *FS) Exists(name string) bool {
	_, err := f.Stat(name)
	return err == nil
}

// Glob matches a pattern (path.Match syntax) against in-root paths.
func (f *FS) Glob(pattern string) ([]string, error) {
	matches, err := fs.Glob(f.IOFS(), rel(pattern))
	for i := range matches {
		matches[i] = Clean(matches[i])
	}
	return matches, err
}

// HostPath resolves name to a path on the host that stays inside the root,
// for libraries that insist on a file name (e.g. SQLite-based databases).
// Links are resolved now; the caller reads a snapshot of the tree.
func (f *FS) HostPath(name string) (string, error) {
	if f.live {
		return filepath.EvalSymlinks(Clean(name))
	}
	p, err := securejoin.SecureJoin(f.root, rel(name))
	if err != nil {
		return "", pathErr("resolve", name, err)
	}
	return p, nil
}

type fileInfo struct {
	name string
	st   unix.Stat_t
}

func newFileInfo(name string, st *unix.Stat_t) *fileInfo {
	return &fileInfo{name: name, st: *st}
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.st.Size }
func (i *fileInfo) ModTime() time.Time { return time.Unix(i.st.Mtim.Unix()) }
func (i *fileInfo) IsDir() bool        { return i.Mode().IsDir() }
func (i *fileInfo) Sys() any           { return &i.st }
func (i *fileInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.st.Mode & 0o777)
	switch i.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	}
	if i.st.Mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if i.st.Mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if i.st.Mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// Owner returns uid and gid of a FileInfo made by this package (or os).
func Owner(fi fs.FileInfo) (uid, gid uint32, ok bool) {
	switch st := fi.Sys().(type) {
	case *unix.Stat_t:
		return st.Uid, st.Gid, true
	case *syscall.Stat_t:
		return st.Uid, st.Gid, true
	}
	return 0, 0, false
}

// Inode returns device and inode numbers of a FileInfo made by this package (or os).
func Inode(fi fs.FileInfo) (dev, ino uint64, ok bool) {
	switch st := fi.Sys().(type) {
	case *unix.Stat_t:
		return st.Dev, st.Ino, true
	case *syscall.Stat_t:
		return st.Dev, st.Ino, true
	}
	return 0, 0, false
}
