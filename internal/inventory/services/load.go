package services

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// MaxUnitFile caps the size of a unit file or drop-in read; real ones are a
// few KiB.
const MaxUnitFile = 1 << 20

// Loaded is a unit's file with its drop-ins applied.
type Loaded struct {
	File    UnitFile
	Unit    *Unit
	DropIns []string // in-root paths, in the order applied
}

// Load parses the unit file for name and applies its drop-ins the way
// systemd does: every "<dir>/<name>.d/*.conf" (and the template's, the type's
// "service.d", and each dash-prefix's "foo-.service.d") from all unit
// directories, a file in a higher-precedence directory hiding one of the same
// name in a lower one, applied in file-name order. A masked unit loads with
// no content. Problems in single files go to warn.
func (u *Units) Load(name string) (*Loaded, error) {
	f, ok := u.File(name)
	if !ok {
		return nil, fmt.Errorf("unit %s: %w", name, fs.ErrNotExist)
	}
	l := &Loaded{File: f, Unit: &Unit{}}
	if f.Masked {
		return l, nil
	}
	unit, err := u.parseFile(f.Source())
	if err != nil {
		return nil, err
	}
	l.Unit = unit
	for _, p := range u.dropInFiles(name, f) {
		d, err := u.parseFile(p)
		if err != nil {
			u.warn(p, err)
			continue
		}
		l.Unit.Append(d)
		l.DropIns = append(l.DropIns, p)
	}
	return l, nil
}

func (u *Units) parseFile(p string) (*Unit, error) {
	data, err := u.fsys.ReadFile(p, MaxUnitFile)
	if err != nil {
		return nil, err
	}
	unit, err := ParseUnit(bytes.NewReader(data))
	if err != nil {
		return nil, &fs.PathError{Op: "parse", Path: p, Err: err}
	}
	for _, pr := range unit.Problems {
		u.warn(p, errors.New(pr.String()))
	}
	return unit, nil
}

// dropInNames are the "<x>.d" directory names that apply to name, most
// general first.
func dropInNames(name string, f UnitFile) []string {
	dot := strings.LastIndexByte(name, '.')
	typ := name[dot+1:]
	stem := name[:dot]
	names := []string{typ + ".d"} // top-level drop-ins for a whole unit type (systemd >= 246)
	// "a-b-c.service" also reads "a-.service.d" and "a-b-.service.d".
	for i := 0; i < len(stem); i++ {
		if stem[i] == '-' && i > 0 {
			names = append(names, stem[:i+1]+"."+typ+".d")
		}
	}
	if tmpl, ok := TemplateOf(name); ok {
		names = append(names, tmpl+".d")
	}
	names = append(names, name+".d")
	// An alias loads the drop-ins of the unit it points to as well.
	if f.Target != "" {
		if base := path.Base(f.Target); base != name {
			names = append(names, base+".d")
		}
	}
	return names
}

// dropInFiles lists the drop-in files for name in the order systemd applies them.
func (u *Units) dropInFiles(name string, f UnitFile) []string {
	chosen := map[string]string{} // file name -> path; first (highest precedence) wins
	for _, d := range u.dirs {
		for _, dn := range dropInNames(name, f) {
			dir := path.Join(d.Path, dn)
			entries, err := u.fsys.ReadDir(dir)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					u.warn(dir, err)
				}
				continue
			}
			for _, e := range entries {
				base := e.Name()
				if !strings.HasSuffix(base, ".conf") || strings.HasPrefix(base, ".") {
					continue
				}
				if _, dup := chosen[base]; dup {
					continue
				}
				p := path.Join(dir, base)
				chosen[base] = p
			}
		}
	}
	bases := make([]string, 0, len(chosen))
	for b := range chosen {
		bases = append(bases, b)
	}
	sort.Strings(bases)
	var out []string
	for _, b := range bases {
		p := chosen[b]
		// A drop-in linked to /dev/null (or empty) masks the lower ones of
		// that name and adds nothing.
		st, err := u.fsys.Stat(p)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				u.warn(p, err)
			}
			continue
		}
		if !st.Mode().IsRegular() || st.Size() == 0 {
			continue
		}
		out = append(out, p)
	}
	return out
}
