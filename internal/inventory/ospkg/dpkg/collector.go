// Package dpkg collects the Debian packages recorded in a root's dpkg
// database (/var/lib/dpkg/status and the status.d/ directory of distroless
// images).
package dpkg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/ospkg"
	"github.com/ward-sec/ward/internal/model"
)

const (
	statusPath = "/var/lib/dpkg/status"
	statusDDir = "/var/lib/dpkg/status.d"
	infoDir    = "/var/lib/dpkg/info"
	// maxListSize caps one package's file list; the largest real ones
	// (SDKs, icon themes) are a few MB.
	maxListSize = 64 << 20
)

// Collector reads the dpkg database.
type Collector struct{}

// New returns the dpkg collector.
func New() *Collector { return &Collector{} }

// Name implements inventory.Collector.
func (*Collector) Name() string { return "os/dpkg" }

// Phase implements inventory.Collector.
func (*Collector) Phase() int { return 0 }

// NeedsLive implements inventory.Collector.
func (*Collector) NeedsLive() bool { return false }

// found is a package plus what is needed to find its file list.
type found struct {
	pkg       model.Package
	multiArch string
	statusD   bool
}

// Collect implements inventory.Collector. Without a dpkg database it
// returns an empty fragment.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	var all []found
	type place struct {
		file string
		line int
	}
	seen := map[[2]string]place{} // name, arch -> where first seen
	capped := false
	add := func(w *ospkg.FileWarner, f found, line int) {
		k := [2]string{f.pkg.Name, f.pkg.Arch}
		if first, dup := seen[k]; dup {
			w.Warnf("line %d: package %s (%s) listed again; keeping the one at %s line %d", line, f.pkg.Name, f.pkg.Arch, first.file, first.line)
			return
		}
		if len(all) >= ospkg.MaxPackages {
			if !capped {
				w.Warnf("line %d: more than %d packages; the rest are not read", line, ospkg.MaxPackages)
				capped = true
			}
			return
		}
		seen[k] = place{f.pkg.Location, line}
		all = append(all, f)
	}

	readDB(ctx, env, statusPath, false, add)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := env.FS.ReadDir(statusDDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		env.Warn(statusDDir, err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".md5sums") || strings.HasPrefix(name, ".") {
			continue
		}
		readDB(ctx, env, path.Join(statusDDir, name), true, add)
	}

	pkgs := make([]model.Package, 0, len(all))
	buf := make([]byte, 64<<10)
	for i := range all {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		all[i].pkg.Files = fileList(env, &all[i], buf)
		pkgs = append(pkgs, all[i].pkg)
	}
	ospkg.Sort(pkgs)
	return &model.Inventory{Packages: pkgs}, nil
}

// readDB parses one status file and passes each installed package to add.
// A missing file is not an error: most roots have no status.d.
func readDB(ctx context.Context, env *inventory.Env, name string, statusD bool, add func(*ospkg.FileWarner, found, int)) {
	f, err := env.FS.OpenFile(name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			env.Warn(name, err)
		}
		return
	}
	defer f.Close()
	w := ospkg.NewFileWarner(env, name)
	defer w.Flush()
	err = ParseStatus(ospkg.DBReader(ctx, f, env.Limits.MaxFileSize),
		func(e Entry) {
			pkg, keep, err := toPackage(e, name, statusD)
			if err != nil {
				w.Warnf("line %d: package %q: %v", e.Line, e.Package, err)
			}
			if keep {
				add(w, found{pkg: pkg, multiArch: e.MultiArch, statusD: statusD}, e.Line)
			}
		},
		func(pe ParseError) { w.Warnf("%s; stanza skipped", pe.Error()) })
	if err != nil && ctx.Err() == nil {
		w.Warnf("read: %v; packages after this point are missing", err)
	}
}

// toPackage turns a stanza into a package. keep is false for packages whose
// files are not installed, and for stanzas too broken to use (err says why).
// A bad Source field is reported but the package is kept.
func toPackage(e Entry, location string, statusD bool) (pkg model.Package, keep bool, err error) {
	if !validName(e.Package) {
		return pkg, false, errors.New("invalid package name")
	}
	state := "installed"
	if e.Status != "" {
		if state, err = parseStatus(e.Status); err != nil {
			return pkg, false, err
		}
	} else if !statusD {
		// Distroless status.d stanzas omit Status: being there means installed.
		return pkg, false, errors.New("no Status field")
	}
	if !filesOnDisk(state) {
		return pkg, false, nil
	}
	if !validVersion(e.Version) {
		return pkg, false, fmt.Errorf("invalid or missing Version %q", e.Version)
	}
	if e.Architecture != "" && !validArch(e.Architecture) {
		return pkg, false, fmt.Errorf("invalid Architecture %q", e.Architecture)
	}
	pkg = model.Package{
		Type:          model.PkgDeb,
		Name:          e.Package,
		Version:       e.Version,
		Arch:          e.Architecture,
		SourceName:    e.Package,
		SourceVersion: e.Version,
		Vendor:        e.Origin,
		Maintainer:    e.Maintainer,
		Location:      location,
	}
	if state != "installed" {
		pkg.State = state
	}
	if e.Source != "" {
		name, version, serr := parseSource(e.Source)
		if serr != nil {
			return pkg, true, serr
		}
		pkg.SourceName = name
		if version != "" {
			pkg.SourceVersion = version
		}
	}
	return pkg, true, nil
}

// fileList reads the paths a package installed. dpkg names the list
// "<name>:<arch>.list" for Multi-Arch: same packages and "<name>.list"
// otherwise; older databases always use the short form, so both are tried.
// Distroless images keep "status.d/<name>.md5sums" instead.
func fileList(env *inventory.Env, f *found, buf []byte) []string {
	name, arch := f.pkg.Name, f.pkg.Arch
	var candidates []string
	if f.statusD {
		candidates = append(candidates, path.Join(statusDDir, name+".md5sums"))
	}
	short := path.Join(infoDir, name+".list")
	if arch == "" {
		candidates = append(candidates, short)
	} else {
		qualified := path.Join(infoDir, name+":"+arch+".list")
		if f.multiArch == "same" {
			candidates = append(candidates, qualified, short)
		} else {
			candidates = append(candidates, short, qualified)
		}
	}
	for _, c := range candidates {
		text, err := readText(env.FS, c, maxListSize, buf)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			env.Warn(c, err)
			return nil
		}
		if strings.HasSuffix(c, ".md5sums") {
			return parseMD5Sums(text)
		}
		return parseFileList(text)
	}
	return nil
}
