package apps

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"

	"github.com/ward-sec/ward/internal/inventory/yamllist"
)

//go:embed fingerprints/*.yaml
var builtin embed.FS

// Set is an ordered collection of fingerprints.
type Set struct {
	fps []*Fingerprint
}

// Fingerprints returns the set's fingerprints in match order.
func (s *Set) Fingerprints() []*Fingerprint { return s.fps }

// Lookup returns the fingerprint called name, or nil.
func (s *Set) Lookup(name string) *Fingerprint {
	for _, fp := range s.fps {
		if fp.Name == name {
			return fp
		}
	}
	return nil
}

// Load reads every *.yaml and *.yml file at the top of fsys, in name order.
// A user-supplied directory (os.DirFS) loads the same way as the built-in
// set; errors name the file.
func Load(fsys fs.FS) (*Set, error) {
	s := &Set{}
	seen := map[string]string{}
	err := yamllist.ForEachFile(fsys, maxFingerprintFile, func(name string, data []byte) error {
		fps, err := Parse(name, data)
		if err != nil {
			return err
		}
		for _, fp := range fps {
			if prev, dup := seen[fp.Name]; dup {
				return fmt.Errorf("%s: fingerprint %q already defined in %s", name, fp.Name, prev)
			}
			seen[fp.Name] = name
			s.fps = append(s.fps, fp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// With returns a set holding s's fingerprints with extra's added; an extra
// fingerprint with the name of a built-in one replaces it.
func (s *Set) With(extra *Set) *Set {
	out := &Set{}
	replaced := map[string]*Fingerprint{}
	for _, fp := range extra.fps {
		replaced[fp.Name] = fp
	}
	for _, fp := range s.fps {
		if r, ok := replaced[fp.Name]; ok {
			out.fps = append(out.fps, r)
			delete(replaced, fp.Name)
			continue
		}
		out.fps = append(out.fps, fp)
	}
	for _, fp := range extra.fps {
		if _, ok := replaced[fp.Name]; ok {
			out.fps = append(out.fps, fp)
		}
	}
	return out
}

var (
	defaultOnce sync.Once
	defaultSet  *Set
	defaultErr  error
)

// Default returns the built-in fingerprints, parsed once.
func Default() (*Set, error) {
	defaultOnce.Do(func() {
		sub, err := fs.Sub(builtin, "fingerprints")
		if err != nil {
			defaultErr = err
			return
		}
		defaultSet, defaultErr = Load(sub)
	})
	return defaultSet, defaultErr
}

// matchOrder is the order processes are offered to fingerprints: those with
// a command-line expression are more specific than a bare executable name
// (a java process is Tomcat before it is "some java program").
func (s *Set) matchOrder() []*Fingerprint {
	out := append([]*Fingerprint(nil), s.fps...)
	specific := func(fp *Fingerprint) bool {
		for _, m := range fp.procs {
			if m.cmdline != nil {
				return true
			}
		}
		return false
	}
	sort.SliceStable(out, func(i, j int) bool { return specific(out[i]) && !specific(out[j]) })
	return out
}

// builtinNames lists the files of the built-in set (for tests and docs).
func builtinNames() []string {
	entries, _ := fs.ReadDir(builtin, "fingerprints")
	var out []string
	for _, e := range entries {
		out = append(out, path.Join("fingerprints", e.Name()))
	}
	return out
}
