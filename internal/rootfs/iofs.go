package rootfs

import (
	"io/fs"
)

// IOFS adapts the root to io/fs for libraries and fs.WalkDir/fs.Glob; names
// are io/fs style ("etc/passwd"), resolved with the same confinement.
func (f *FS) IOFS() fs.FS { return ioFS{f} }

type ioFS struct{ f *FS }

func (i ioFS) check(op, name string) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return nil
}

func (i ioFS) Open(name string) (fs.File, error) {
	if err := i.check("open", name); err != nil {
		return nil, err
	}
	return i.f.OpenFile(name)
}

func (i ioFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := i.check("readdir", name); err != nil {
		return nil, err
	}
	return i.f.ReadDir(name)
}

func (i ioFS) Stat(name string) (fs.FileInfo, error) {
	if err := i.check("stat", name); err != nil {
		return nil, err
	}
	return i.f.Stat(name)
}

func (i ioFS) ReadFile(name string) ([]byte, error) {
	if err := i.check("read", name); err != nil {
		return nil, err
	}
	return i.f.ReadFile(name, 0)
}
