package services

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/rootfs"
)

// DirKind says what a unit directory is for; it decides states such as
// "generated" and whether links in it count as enablement.
type DirKind int

const (
	DirConfig    DirKind = iota // /etc: the administrator's (and `systemctl enable`'s)
	DirRuntime                  // /run/systemd/system: enablement for this boot only
	DirTransient                // units created at run time (systemd-run)
	DirGenerator                // output of generators (fstab, sysv...)
	DirVendor                   // installed by packages
)

// UnitDir is one directory of the unit search path.
type UnitDir struct {
	Path string
	Kind DirKind
}

// SystemUnitDirs is systemd's system unit search path, highest precedence
// first (systemd.unit(5), lookup_paths_init). /lib/systemd/system comes
// before /usr/lib/systemd/system as on Debian; on merged-/usr systems the two
// are the same directory and are read once.
var SystemUnitDirs = []UnitDir{
	{"/etc/systemd/system.control", DirConfig},
	{"/run/systemd/system.control", DirRuntime},
	{"/run/systemd/transient", DirTransient},
	{"/run/systemd/generator.early", DirGenerator},
	{"/etc/systemd/system", DirConfig},
	{"/etc/systemd/system.attached", DirConfig},
	{"/run/systemd/system", DirRuntime},
	{"/run/systemd/system.attached", DirRuntime},
	{"/run/systemd/generator", DirGenerator},
	{"/usr/local/lib/systemd/system", DirVendor},
	{"/lib/systemd/system", DirVendor},
	{"/usr/lib/systemd/system", DirVendor},
	{"/run/systemd/generator.late", DirGenerator},
}

// maxLinkHops bounds alias chains (systemd allows few; loops must end).
const maxLinkHops = 16

// UnitFile is the highest-precedence file found for a unit name.
type UnitFile struct {
	Name string // e.g. "ssh.service", "getty@.service"
	Path string // in-root path of the entry in its unit directory
	Dir  UnitDir
	// Target is the final file the entry's symlink chain points to ("" when
	// the entry is a regular file).
	Target string
	Masked bool // a link to /dev/null, or an empty file
}

// IsLink reports whether the entry is a symlink.
func (f UnitFile) IsLink() bool { return f.Target != "" }

// Source is the file whose content defines the unit.
func (f UnitFile) Source() string {
	if f.Target != "" {
		return f.Target
	}
	return f.Path
}

// Units indexes the unit files of a root by name, following systemd's
// precedence, plus the enablement symlinks in *.wants/, *.requires/ and
// *.upholds/ directories.
type Units struct {
	fsys  *rootfs.FS
	warn  func(path string, err error)
	dirs  []UnitDir // existing directories, de-duplicated by inode
	files map[string]UnitFile
	// enabled names units with a symlink in a config or runtime directory
	// (a .wants/.requires/.upholds link or an alias); vendorWanted the same
	// for links shipped in vendor directories.
	enabled      map[string]bool
	vendorWanted map[string]bool
	instances    map[string]bool // "getty@tty1.service" seen in dependency dirs
}

// LoadUnits reads the unit directories of fsys. warn receives problems with
// single directories or links; missing directories are normal and silent.
func LoadUnits(fsys *rootfs.FS, warn func(path string, err error)) *Units {
	if warn == nil {
		warn = func(string, error) {}
	}
	u := &Units{
		fsys: fsys, warn: warn,
		files:        map[string]UnitFile{},
		enabled:      map[string]bool{},
		vendorWanted: map[string]bool{},
		instances:    map[string]bool{},
	}
	type inode struct{ dev, ino uint64 }
	seen := map[inode]bool{}
	for _, d := range SystemUnitDirs {
		st, err := fsys.Stat(d.Path)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				warn(d.Path, err)
			}
			continue
		}
		if !st.IsDir() {
			continue
		}
		if dev, ino, ok := rootfs.Inode(st); ok {
			if seen[inode{dev, ino}] {
				continue // /lib -> /usr/lib on merged-/usr systems
			}
			seen[inode{dev, ino}] = true
		}
		u.dirs = append(u.dirs, d)
	}
	for _, d := range u.dirs {
		u.scanDir(d)
	}
	return u
}

// Dirs are the unit directories present, in precedence order.
func (u *Units) Dirs() []UnitDir { return u.dirs }

func (u *Units) scanDir(d UnitDir) {
	entries, err := u.fsys.ReadDir(d.Path)
	if err != nil {
		u.warn(d.Path, err)
		if len(entries) == 0 {
			return
		}
	}
	for _, e := range entries {
		name := e.Name()
		p := path.Join(d.Path, name)
		if e.IsDir() {
			if isDependencyDir(name) {
				u.scanDependencyDir(d, p)
			}
			continue
		}
		if !isUnitName(name) {
			continue
		}
		if _, dup := u.files[name]; dup {
			continue // a higher-precedence directory already defines it
		}
		f, ok := u.unitFile(d, name, p, e.Type())
		if !ok {
			continue
		}
		u.files[name] = f
		if f.IsLink() && !f.Masked && d.Kind <= DirRuntime {
			// An alias link in /etc enables its target, as `systemctl
			// enable` creates it from Alias=.
			if base := path.Base(f.Target); base != name {
				u.enabled[base] = true
			}
		}
	}
}

// unitFile describes the directory entry p, following links inside the root.
func (u *Units) unitFile(d UnitDir, name, p string, typ fs.FileMode) (UnitFile, bool) {
	f := UnitFile{Name: name, Path: p, Dir: d}
	if typ&fs.ModeSymlink != 0 {
		target, null, err := u.resolve(p)
		if err != nil {
			u.warn(p, err)
			return f, false
		}
		if null {
			f.Masked = true
			return f, true
		}
		f.Target = target
	}
	st, err := u.fsys.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return f, false // dangling link: systemd ignores it too
		}
		u.warn(p, err)
		return f, false
	}
	switch {
	case st.Mode()&fs.ModeCharDevice != 0:
		f.Masked = true // /dev/null on the live system
	case st.Mode().IsRegular() && st.Size() == 0:
		f.Masked = true // systemd treats an empty unit file as masked
	case !st.Mode().IsRegular():
		return f, false
	}
	return f, true
}

// resolve follows a symlink chain inside the root and returns the final
// in-root path, or null=true when the chain ends at /dev/null.
func (u *Units) resolve(p string) (target string, null bool, err error) {
	cur := p
	for i := 0; i < maxLinkHops; i++ {
		if cur == "/dev/null" {
			return "", true, nil
		}
		st, err := u.fsys.Lstat(cur)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return cur, false, nil // dangling; the caller's Stat says so
			}
			return "", false, err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			return cur, false, nil
		}
		t, err := u.fsys.Readlink(cur)
		if err != nil {
			return "", false, err
		}
		if !path.IsAbs(t) {
			t = path.Join(path.Dir(cur), t)
		}
		cur = rootfs.Clean(t)
	}
	return "", false, errors.New("too many levels of symbolic links")
}

// scanDependencyDir records the units linked from a *.wants/-style directory.
func (u *Units) scanDependencyDir(d UnitDir, dir string) {
	entries, err := u.fsys.ReadDir(dir)
	if err != nil {
		u.warn(dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !isUnitName(name) || e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		p := path.Join(dir, name)
		target, null, err := u.resolve(p)
		if err != nil || null {
			continue
		}
		names := []string{name}
		if base := path.Base(target); base != name {
			names = append(names, base) // instance link to its template, or alias
		}
		if _, inst, ok := SplitInstance(name); ok && inst != "" {
			u.instances[name] = true
		}
		for _, n := range names {
			if d.Kind <= DirRuntime {
				u.enabled[n] = true
			} else {
				u.vendorWanted[n] = true
			}
		}
	}
}

// Names lists the unit names with the given suffix (".service", ".timer"),
// templates included, sorted.
func (u *Units) Names(suffix string) []string {
	var out []string
	for n := range u.files {
		if strings.HasSuffix(n, suffix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Instances lists template instances ("getty@tty1.service") that dependency
// directories link to and that have no unit file of their own, sorted.
func (u *Units) Instances(suffix string) []string {
	var out []string
	for n := range u.instances {
		if _, own := u.files[n]; !own && strings.HasSuffix(n, suffix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// File finds the unit file for name; an instance without its own file uses
// its template's.
func (u *Units) File(name string) (UnitFile, bool) {
	if f, ok := u.files[name]; ok {
		return f, true
	}
	if tmpl, ok := TemplateOf(name); ok {
		f, ok := u.files[tmpl]
		return f, ok
	}
	return UnitFile{}, false
}

// Enabled reports whether a config or runtime directory links to name.
func (u *Units) Enabled(name string) bool { return u.enabled[name] }

// Wanted reports whether any dependency directory, vendor ones included,
// links to name: the unit is pulled in at boot unless masked.
func (u *Units) Wanted(name string) bool { return u.enabled[name] || u.vendorWanted[name] }
