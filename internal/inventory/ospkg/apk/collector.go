// Package apk collects the Alpine packages recorded in a root's apk
// installed database.
package apk

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"unicode"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/ospkg"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// dbPaths are where apk-tools keeps the installed database; the second is
// the /usr-merged layout. Often one links to the other.
var dbPaths = []string{"/lib/apk/db/installed", "/usr/lib/apk/db/installed"}

// Collector reads the apk database.
type Collector struct{}

// New returns the apk collector.
func New() *Collector { return &Collector{} }

// Name implements inventory.Collector.
func (*Collector) Name() string { return "os/apk" }

// Phase implements inventory.Collector.
func (*Collector) Phase() int { return 0 }

// NeedsLive implements inventory.Collector.
func (*Collector) NeedsLive() bool { return false }

// Collect implements inventory.Collector. Without an apk database it
// returns an empty fragment.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	var pkgs []model.Package
	seen := map[[2]uint64]bool{}
	for _, name := range dbPaths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := env.FS.OpenFile(name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				env.Warn(name, err)
			}
			continue
		}
		if st, err := f.Stat(); err == nil {
			if dev, ino, ok := rootfs.Inode(st); ok {
				if seen[[2]uint64{dev, ino}] {
					f.Close()
					continue
				}
				seen[[2]uint64{dev, ino}] = true
			}
		}
		pkgs = append(pkgs, readDB(ctx, env, name, f)...)
		f.Close()
	}
	ospkg.Sort(pkgs)
	return &model.Inventory{Packages: pkgs}, nil
}

func readDB(ctx context.Context, env *inventory.Env, name string, r io.Reader) []model.Package {
	w := ospkg.NewFileWarner(env, name)
	defer w.Flush()
	var pkgs []model.Package
	capped := false
	err := ParseInstalled(ospkg.DBReader(ctx, r, env.Limits.MaxFileSize),
		func(e Entry) {
			switch {
			case !validToken(e.Name) || !validToken(e.Version):
				w.Warnf("line %d: invalid package name or version %q %q; package skipped", e.Line, e.Name, e.Version)
			case len(pkgs) >= ospkg.MaxPackages:
				if !capped {
					w.Warnf("line %d: more than %d packages; the rest are not read", e.Line, ospkg.MaxPackages)
					capped = true
				}
			default:
				pkgs = append(pkgs, toPackage(e, name))
			}
		},
		func(pe ParseError) { w.Warnf("%s; package skipped", pe.Error()) })
	if err != nil && ctx.Err() == nil {
		w.Warnf("read: %v; packages after this point are missing", err)
	}
	return pkgs
}

func toPackage(e Entry, location string) model.Package {
	source := e.Origin
	if source == "" {
		// A package built from its own APKBUILD has no o: line.
		source = e.Name
	}
	return model.Package{
		Type:          model.PkgAPK,
		Name:          e.Name,
		Version:       e.Version,
		Arch:          e.Arch,
		SourceName:    source,
		SourceVersion: e.Version,
		License:       e.License,
		Maintainer:    e.Maintainer,
		Location:      location,
		Files:         e.Files,
	}
}

// validToken accepts a non-empty printable word (no spaces or control bytes).
func validToken(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == unicode.ReplacementChar
	})
}
