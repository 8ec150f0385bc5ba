package websites

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/rootfs"
)

// Limits on following includes: a configuration that includes itself, or
// a glob matching thousands of files, must not hang or balloon the scan.
const (
	maxIncludeDepth = 16
	maxConfigFiles  = 512
	maxConfigSize   = 4 << 20
	maxDirRecursion = 4
)

type fileID struct{ dev, ino uint64 }

// loader reads one server's configuration files through the root, with
// include bookkeeping: a stack to catch loops and a file budget.
type loader struct {
	fs       *rootfs.FS
	warn     func(path string, err error)
	parse    func(name string, data []byte) ([]*Directive, error)
	files    int
	budget   bool // the file budget warning was given
	stack    []fileID
	stackNam []string
}

func newLoader(fsys *rootfs.FS, warn func(string, error), parse func(string, []byte) ([]*Directive, error)) *loader {
	return &loader{fs: fsys, warn: warn, parse: parse}
}

// load reads and parses one file; ok is false when it was not read (the
// reason has been reported). from names the including directive.
func (l *loader) load(file string, from *Directive) (dirs []*Directive, id fileID, ok bool) {
	if l.files >= maxConfigFiles {
		if !l.budget {
			l.budget = true
			l.warn(file, fmt.Errorf("more than %d configuration files; not reading further includes", maxConfigFiles))
		}
		return nil, id, false
	}
	if len(l.stack) >= maxIncludeDepth {
		l.warn(file, fmt.Errorf("includes nested deeper than %d (%s)", maxIncludeDepth, includedFrom(from)))
		return nil, id, false
	}
	st, err := l.fs.Stat(file)
	if err != nil {
		l.warn(file, err)
		return nil, id, false
	}
	if dev, ino, ok := rootfs.Inode(st); ok {
		id = fileID{dev, ino}
	}
	for i, s := range l.stack {
		if s == id && id != (fileID{}) {
			l.warn(file, fmt.Errorf("include loop: %s is already being read (included from %s)", l.stackNam[i], includedFrom(from)))
			return nil, id, false
		}
	}
	data, err := l.fs.ReadFile(file, maxConfigSize)
	if err != nil {
		l.warn(file, err)
		return nil, id, false
	}
	l.files++
	dirs, err = l.parse(file, data)
	if err != nil {
		l.warn(file, err)
	}
	return dirs, id, true
}

func (l *loader) push(id fileID, name string) {
	l.stack = append(l.stack, id)
	l.stackNam = append(l.stackNam, name)
}

func (l *loader) pop() {
	l.stack = l.stack[:len(l.stack)-1]
	l.stackNam = l.stackNam[:len(l.stackNam)-1]
}

func includedFrom(d *Directive) string {
	if d == nil {
		return "the main configuration"
	}
	return fmt.Sprintf("%s:%d", d.File, d.Line)
}

// expandPattern resolves an include argument to files, sorted. Globs may
// match nothing; a directory (Apache only) stands for the files below it.
func (l *loader) expandPattern(pattern string, dirs bool) ([]string, error) {
	pattern = rootfs.Clean(pattern)
	var matches []string
	if strings.ContainsAny(pattern, "*?[") {
		m, err := l.fs.Glob(pattern)
		if err != nil {
			return nil, err
		}
		matches = m
	} else {
		if _, err := l.fs.Stat(pattern); err != nil {
			return nil, err
		}
		matches = []string{pattern}
	}
	sort.Strings(matches)
	var out []string
	for _, m := range matches {
		st, err := l.fs.Stat(m)
		if err != nil {
			continue // a dangling link matched by a glob
		}
		if st.IsDir() {
			if dirs {
				out = append(out, l.filesBelow(m, 0)...)
			}
			continue
		}
		if st.Mode().IsRegular() {
			out = append(out, m)
		}
	}
	return out, nil
}

// filesBelow lists regular files under dir in name order, as httpd does
// for "Include dir/".
func (l *loader) filesBelow(dir string, depth int) []string {
	if depth > maxDirRecursion {
		return nil
	}
	entries, err := l.fs.ReadDir(dir)
	if err != nil {
		l.warn(dir, err)
		return nil
	}
	var out []string
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		st, err := l.fs.Stat(p)
		if err != nil {
			continue
		}
		switch {
		case st.IsDir():
			out = append(out, l.filesBelow(p, depth+1)...)
		case st.Mode().IsRegular():
			out = append(out, p)
		}
		if len(out) > maxConfigFiles {
			break
		}
	}
	return out
}

// isMissing reports a file-not-found error.
func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist)
}
