package rootfs

import (
	"context"
	"io/fs"
	"os"
	"path"
	"sync"

	"golang.org/x/sys/unix"
)

// Entry is one directory entry met by ParallelWalk. Stat and Open work
// relative to the open parent directory, so they cost no path lookup and
// cannot follow a link; both are valid only during the callback.
type Entry struct {
	Path  string      // in-root path
	Name  string      // base name
	Type  fs.FileMode // type bits from the directory listing (no stat)
	dirFD int
}

// IsDir reports whether the entry is a directory (not a link to one).
func (e *Entry) IsDir() bool { return e.Type.IsDir() }

// IsRegular reports whether the entry is a regular file.
func (e *Entry) IsRegular() bool { return e.Type.IsRegular() }

// Stat returns the entry's own metadata (links are not followed).
func (e *Entry) Stat() (fs.FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(e.dirFD, e.Name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, pathErr("stat", e.Path, err)
	}
	return newFileInfo(e.Name, &st), nil
}

// Open opens a regular file read-only without following links.
func (e *Entry) Open() (*os.File, error) {
	fd, err := unix.Openat(e.dirFD, e.Name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, pathErr("open", e.Path, err)
	}
	f := os.NewFile(uintptr(fd), e.Path)
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fs.ErrInvalid
		}
		return nil, &fs.PathError{Op: "open", Path: e.Path, Err: err}
	}
	_ = unix.SetNonblock(fd, false)
	return f, nil
}

// EntryFunc is called for each entry, possibly from several goroutines at
// once. Returning fs.SkipDir for a directory skips its contents; other
// errors are reported to onErr and do not stop the walk.
type EntryFunc func(e *Entry) error

// ParallelWalk visits the tree below start with workers goroutines (the
// inventory's one full walk: directories are listed concurrently). Order is
// not defined. Links are never followed; limits and skips are as in Walk.
func (f *FS) ParallelWalk(ctx context.Context, start string, opts WalkOptions, workers int, fn EntryFunc, onErr func(p string, err error)) error {
	if workers < 1 {
		workers = 1
	}
	w := newWalkFilter(f, opts)
	report := func(p string, err error) {
		if onErr != nil {
			onErr(p, err)
		}
	}
	type job = subdir
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		queue   = []job{{Clean(start), 0}}
		pending = 1 // jobs queued or being processed
	)
	worker := func() {
		for {
			mu.Lock()
			for len(queue) == 0 && pending > 0 {
				cond.Wait()
			}
			if pending == 0 {
				mu.Unlock()
				return
			}
			j := queue[len(queue)-1] // depth-first keeps the queue short
			queue = queue[:len(queue)-1]
			mu.Unlock()

			var subdirs []job
			if ctx.Err() == nil {
				subdirs = f.listDir(j.path, j.depth, w, fn, report)
			}
			mu.Lock()
			queue = append(queue, subdirs...)
			pending += len(subdirs) - 1
			if pending == 0 || len(subdirs) > 0 {
				cond.Broadcast()
			}
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); worker() }()
	}
	wg.Wait()
	return ctx.Err()
}

type subdir struct {
	path  string
	depth int
}

// listDir opens one directory (no link may appear anywhere on its path),
// calls fn for each entry and returns the subdirectories to visit.
func (f *FS) listDir(p string, depth int, w *walkFilter, fn EntryFunc, report func(string, error)) []subdir {
	fd, err := f.openDirNoLinks(p)
	if err != nil {
		report(p, pathErr("open", p, err))
		return nil
	}
	d := os.NewFile(uintptr(fd), p)
	defer d.Close()
	var subdirs []subdir
	for {
		names, err := d.ReadDir(512)
		for _, de := range names {
			child := path.Join(p, de.Name())
			if w.excluded(child) {
				continue
			}
			e := Entry{Path: child, Name: de.Name(), Type: de.Type(), dirFD: fd}
			ferr := fn(&e)
			if ferr == fs.SkipDir {
				continue
			}
			if ferr != nil {
				report(child, ferr)
			}
			if de.IsDir() {
				if depth+1 >= w.maxDepth {
					report(child, errDepth)
					continue
				}
				subdirs = append(subdirs, subdir{child, depth + 1})
			}
		}
		if err != nil {
			break // io.EOF or a listing error: what was read is processed
		}
	}
	return subdirs
}

// openDirNoLinks opens a directory refusing any symlink on the way.
func (f *FS) openDirNoLinks(p string) (int, error) {
	if f.rootFD >= 0 {
		for {
			fd, err := unix.Openat2(f.rootFD, rel(p), &unix.OpenHow{
				Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
				Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
			})
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			return fd, err
		}
	}
	return f.openat(p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW)
}
