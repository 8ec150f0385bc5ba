package langpkg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/langpkg/gobinary"
	"github.com/ward-sec/ward/internal/inventory/langpkg/java"
	"github.com/ward-sec/ward/internal/inventory/langpkg/npm"
	"github.com/ward-sec/ward/internal/inventory/langpkg/python"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// job is one file the walk handed to the workers.
type job struct {
	kind kind
	path string
	// file is already open for executables: the walk checked the exec bit
	// and opened the file relative to its directory (no path lookup, no
	// link followed), so workers only read.
	file *os.File
	size int64
}

// scan is one Collect: a single walker goroutine classifies entries by
// name and a few workers do the I/O, so stats, opens and reads overlap
// with the directory walk.
type scan struct {
	env   *inventory.Env
	stats counters
	jopt  java.Options
	// bigArchive lets one large archive at a time be opened: a 70 MB
	// fat jar's central directory alone is ~10 MB of heap (33,000
	// entries), and several at once would break the scan's memory budget.
	bigArchive chan struct{}
}

// bigArchiveSize is the outer file size from which an archive waits for
// bigArchive.
const bigArchiveSize = 4 << 20

func newScan(env *inventory.Env) *scan {
	l := env.Limits
	if l == (inventory.Limits{}) {
		l = inventory.DefaultLimits // an Env built without NewEnv
	}
	s := &scan{env: env, bigArchive: make(chan struct{}, 1)}
	s.stats.start = time.Now()
	s.jopt = java.Options{
		MaxDepth:     l.MaxArchiveDepth,
		MaxEntries:   l.MaxArchiveEntries,
		MaxEntrySize: l.MaxUncompressed,
		MaxTotal:     4 * l.MaxUncompressed,
		Warn:         env.Warn,
		// One lane for the whole scan: at most one worker at a time holds
		// an inflated nested archive in memory.
		Lane: java.NewLane(),
	}
	return s
}

// workers is small: the work is I/O bound and the agent must stay light.
func workers() int {
	n := runtime.GOMAXPROCS(0)
	return min(max(n, 2), 4)
}

func (s *scan) run(ctx context.Context) ([]model.Package, error) {
	jobs := make(chan job, 256)
	results := make([][]model.Package, workers())
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results[i] = append(results[i], s.do(ctx, j)...)
			}
		}()
	}
	// Directories are listed by two goroutines at once: the walk is most
	// of the scan's time, and listing is system-call bound.
	walkErr := s.env.FS.ParallelWalk(ctx, "/", s.env.Walk, 2, func(e *rootfs.Entry) error {
		t := e.Type
		if t.IsDir() {
			s.stats.dirs.Add(1)
			return nil
		}
		s.stats.files.Add(1)
		if !t.IsRegular() {
			return nil // links are not followed: their targets are visited where they live
		}
		k := classify(e.Path, e.Name)
		j := job{kind: k, path: e.Path}
		switch k {
		case kindNone:
			return nil
		case kindJava:
			s.stats.java.Add(1)
		case kindPython:
			s.stats.python.Add(1)
		case kindNPM:
			s.stats.npm.Add(1)
		case kindExec:
			s.stats.exec.Add(1)
			f, size := s.openExecutable(e)
			if f == nil {
				return nil
			}
			j.file, j.size = f, size
		}
		select {
		case jobs <- j:
			return nil
		case <-ctx.Done():
			if j.file != nil {
				j.file.Close()
			}
			return ctx.Err()
		}
	}, s.env.Warn)
	close(jobs)
	wg.Wait()
	if walkErr != nil {
		return nil, fmt.Errorf("walk: %w", walkErr)
	}
	var all []model.Package
	for _, r := range results {
		all = append(all, r...)
	}
	return all, nil
}

// do runs one job. A panic in a parser becomes a warning about the file:
// one bad file must not end the scan.
func (s *scan) do(ctx context.Context, j job) (pkgs []model.Package) {
	defer func() {
		if r := recover(); r != nil {
			s.env.Warnf(j.path, "internal error while reading: %v", r)
			pkgs = nil
		}
	}()
	switch j.kind {
	case kindJava:
		return s.javaArchive(ctx, j.path)
	case kindPython:
		return s.pythonMetadata(j.path)
	case kindNPM:
		return s.npmManifest(j.path)
	case kindExec:
		return s.executable(j.path, j.file)
	}
	return nil
}

func (s *scan) javaArchive(ctx context.Context, p string) []model.Package {
	f, err := s.env.FS.OpenFile(p)
	if err != nil {
		s.warnUnlessGone(p, err)
		return nil
	}
	defer f.Close()
	s.stats.opened.Add(1)
	st, err := f.Stat()
	if err != nil {
		s.env.Warn(p, err)
		return nil
	}
	if max := s.env.Limits.MaxFileSize; max > 0 && st.Size() > max {
		s.env.Warnf(p, "archive of %d bytes is over the %d byte limit; identified by file name only", st.Size(), max)
		return java.IdentifyByName(p)
	}
	if st.Size() > bigArchiveSize {
		select {
		case s.bigArchive <- struct{}{}:
			defer func() { <-s.bigArchive }()
		case <-ctx.Done():
			return nil
		}
	}
	return java.Extract(ctx, countingReaderAt{f, &s.stats.bytesRead}, st.Size(), p, s.jopt)
}

func (s *scan) pythonMetadata(p string) []model.Package {
	f, err := s.env.FS.OpenFile(p)
	if err != nil {
		s.warnUnlessGone(p, err)
		return nil
	}
	defer f.Close()
	s.stats.opened.Add(1)
	md, err := python.ParseMetadata(countingReader{io.LimitReader(f, python.MaxMetadataRead), &s.stats.bytesRead})
	if err != nil {
		s.env.Warn(p, err)
		return nil
	}
	return []model.Package{python.Package(md, p)}
}

func (s *scan) npmManifest(p string) []model.Package {
	data, err := s.env.FS.ReadFile(p, npm.MaxPackageJSON)
	if err != nil {
		s.warnUnlessGone(p, err)
		return nil
	}
	s.stats.opened.Add(1)
	s.stats.bytesRead.Add(int64(len(data)))
	m, err := npm.ParsePackageJSON(data)
	if err != nil {
		s.env.Warnf(p, "invalid package.json: %v", err)
		return nil
	}
	pkg, err := npm.Package(m, p)
	if err != nil {
		return nil // no name or version: not an installed dependency
	}
	return []model.Package{pkg}
}

// openExecutable opens a walked file if it may be an executable worth
// reading: regular, an exec bit, within the size limits. It runs in the
// walk, where the entry's directory is open, so the stat and open cost no
// path lookup and cannot follow a link.
func (s *scan) openExecutable(e *rootfs.Entry) (*os.File, int64) {
	st, err := e.Stat()
	if err != nil {
		s.warnUnlessGone(e.Path, err)
		return nil, 0
	}
	mode := st.Mode()
	if !mode.IsRegular() || mode.Perm()&0o111 == 0 || st.Size() < 64 {
		return nil, 0
	}
	if max := s.env.Limits.MaxFileSize; max > 0 && st.Size() > max {
		return nil, 0
	}
	f, err := e.Open()
	if err != nil {
		s.warnUnlessGone(e.Path, err)
		return nil, 0
	}
	return f, st.Size()
}

// executable looks for a Go executable in a file the walk opened.
func (s *scan) executable(p string, f *os.File) []model.Package {
	defer f.Close()
	s.stats.opened.Add(1)
	ra := countingReaderAt{f, &s.stats.bytesRead}
	var magic [4]byte
	if _, err := ra.ReadAt(magic[:], 0); err != nil || !gobinary.IsELF(magic[:]) {
		return nil
	}
	pkgs, err := gobinary.Extract(ra, p)
	if err != nil {
		s.env.Warn(p, err)
	}
	return pkgs
}

// warnUnlessGone reports a file error, except for files deleted since the
// walk listed them: on a live host that is normal churn, not a problem.
func (s *scan) warnUnlessGone(p string, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	s.env.Warn(p, err)
}
