package remedy

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	securejoin "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// root writes inside a directory treated as "/": parent directories are
// resolved with filepath-securejoin (openat2 RESOLVE_IN_ROOT where the
// kernel has it), so no path or link leads out of it, and the file itself
// is never a symlink (O_NOFOLLOW; a link is refused, not followed).
type root struct {
	dir string
	fd  *os.File
}

func openRoot(dir string) (*root, error) {
	f, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &root{dir: dir, fd: f}, nil
}

func (r *root) Close() error { return r.fd.Close() }

// parent opens (creating when mkdir) the directory of p inside the root.
func (r *root) parent(p string, mkdir bool) (*os.File, string, error) {
	p = path.Clean("/" + p)
	dir, name := path.Dir(p), path.Base(p)
	if name == "/" || name == "." || name == ".." {
		return nil, "", fmt.Errorf("%s: not a file path", p)
	}
	var h *os.File
	var err error
	if mkdir {
		h, err = securejoin.MkdirAllHandle(r.fd, dir, 0o755)
	} else {
		h, err = securejoin.OpenatInRoot(r.fd, dir)
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", dir, err)
	}
	d, err := securejoin.Reopen(h, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	h.Close()
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", dir, err)
	}
	return d, name, nil
}

// fileState is what a file looked like before a change.
type fileState struct {
	Exists bool
	Mode   uint32
	UID    int
	GID    int
	Data   []byte
}

const maxFile = 4 << 20

// stat reads a regular file's metadata and content; a symlink is an error.
func (r *root) read(p string) (fileState, error) {
	d, name, err := r.parent(p, false)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fileState{}, nil
		}
		return fileState{}, err
	}
	defer d.Close()
	var st unix.Stat_t
	if err := unix.Fstatat(int(d.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return fileState{}, nil
		}
		return fileState{}, fmt.Errorf("%s: %w", p, err)
	}
	s := fileState{Exists: true, Mode: st.Mode & 0o7777, UID: int(st.Uid), GID: int(st.Gid)}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		return s, fmt.Errorf("%s is a symbolic link: not modified", p)
	case unix.S_IFDIR:
		return s, nil
	case unix.S_IFREG:
	default:
		return s, fmt.Errorf("%s is not a regular file", p)
	}
	fd, err := unix.Openat(int(d.Fd()), name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return s, fmt.Errorf("%s: %w", p, err)
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close()
	s.Data, err = io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return s, fmt.Errorf("%s: %w", p, err)
	}
	if len(s.Data) > maxFile {
		return s, fmt.Errorf("%s is larger than %d bytes: not modified", p, maxFile)
	}
	return s, nil
}

// write replaces p atomically (temp file + rename in the same directory)
// with data, mode and owner.
func (r *root) write(p string, data []byte, mode uint32, uid, gid int) error {
	d, name, err := r.parent(p, true)
	if err != nil {
		return err
	}
	defer d.Close()
	var st unix.Stat_t
	if err := unix.Fstatat(int(d.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil && st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%s is not a regular file: not modified", p)
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := ".ward-" + hex.EncodeToString(rnd[:]) + ".tmp"
	fd, err := unix.Openat(int(d.Fd()), tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	f := os.NewFile(uintptr(fd), tmp)
	_, werr := f.Write(data)
	if werr == nil {
		werr = unix.Fchown(fd, uid, gid)
		if errors.Is(werr, unix.EPERM) && os.Geteuid() != 0 {
			werr = nil // tests as non-root keep their own uid
		}
	}
	if werr == nil {
		werr = unix.Fchmod(fd, mode)
	}
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = unix.Renameat(int(d.Fd()), tmp, int(d.Fd()), name)
	}
	if werr != nil {
		unix.Unlinkat(int(d.Fd()), tmp, 0)
		return fmt.Errorf("%s: %w", p, werr)
	}
	return nil
}

// chmod sets mode and owner of an existing file or directory (not a link).
func (r *root) chmod(p string, mode uint32, uid, gid int) error {
	d, name, err := r.parent(p, false)
	if err != nil {
		return err
	}
	defer d.Close()
	fd, err := unix.Openat(int(d.Fd()), name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	defer unix.Close(fd)
	if err := unix.Fchown(fd, uid, gid); err != nil && !(errors.Is(err, unix.EPERM) && os.Geteuid() != 0) {
		return fmt.Errorf("%s: %w", p, err)
	}
	if err := unix.Fchmod(fd, mode); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// remove deletes a regular file created by a fix (rollback).
func (r *root) remove(p string) error {
	d, name, err := r.parent(p, false)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	defer d.Close()
	if err := unix.Unlinkat(int(d.Fd()), name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// rmdir removes a directory a fix created, if it is empty again.
func (r *root) rmdir(p string) error {
	d, name, err := r.parent(p, false)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	defer d.Close()
	err = unix.Unlinkat(int(d.Fd()), name, unix.AT_REMOVEDIR)
	if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}
