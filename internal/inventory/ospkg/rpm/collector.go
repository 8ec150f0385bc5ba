// Package rpm collects the packages recorded in a root's rpm database, in
// any of its three formats: SQLite (rpm >= 4.16: RHEL 9, Fedora), ndb
// (SUSE) and Berkeley DB (RHEL <= 8, CentOS, Amazon Linux 2).
//
// The database files are read through the confined root without locks or
// side files; the formats and headers are decoded by the rpmdb sub-package
// (not by github.com/knqyf263/go-rpmdb, which the tests use as an oracle:
// see rpmdb's package comment and TestGoRPMDBCrashesOnCorruptBDB).
package rpm

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/ospkg"
	"github.com/ward-sec/ward/internal/inventory/ospkg/rpm/rpmdb"
	"github.com/ward-sec/ward/internal/model"
)

// maxHeader caps one package header. The largest real ones (kernel
// modules, TeX collections) are a few MB.
const maxHeader = 64 << 20

// Collector reads the rpm database.
type Collector struct{}

// New returns the rpm collector.
func New() *Collector { return &Collector{} }

// Name implements inventory.Collector.
func (*Collector) Name() string { return "os/rpm" }

// Phase implements inventory.Collector.
func (*Collector) Phase() int { return 0 }

// NeedsLive implements inventory.Collector.
func (*Collector) NeedsLive() bool { return false }

// Collect implements inventory.Collector. Without an rpm database it
// returns an empty fragment; an unreadable or corrupt one is a warning
// naming the file, with whatever packages could be read.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	db, ok := pick(env, locate(env.FS, env.Warn))
	if !ok {
		return &model.Inventory{}, nil
	}
	w := ospkg.NewFileWarner(env, db.path)
	defer w.Flush()
	var pkgs []model.Package
	each := func(id string, blob []byte) {
		pkg, keep, err := readPackage(blob, db.path)
		switch {
		case err != nil && keep:
			w.Warnf("package header at %s: %v", id, err)
		case err != nil:
			w.Warnf("package header at %s: %v; package skipped", id, err)
		}
		if keep {
			pkgs = append(pkgs, pkg)
		}
	}
	warn := func(err error) { w.Warnf("%v", err) }
	if err := readDB(ctx, env, db, each, warn); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		w.Warnf("%s database unreadable: %v", db.format, err)
	}
	ospkg.Sort(pkgs)
	return &model.Inventory{Packages: pkgs}, nil
}

// pick chooses the database to read: the most recent recognised one.
// Others are mentioned, since two rpm databases in one root is odd.
func pick(env *inventory.Env, dbs []dbFile) (dbFile, bool) {
	var chosen dbFile
	found := false
	for _, d := range dbs {
		switch {
		case d.format == rpmdb.FormatUnknown:
			env.Warnf(d.path, "not a recognised rpm database (unknown file format); not read")
		case !found:
			chosen, found = d, true
		default:
			env.Warnf(d.path, "second rpm database; %s (newer) was read instead", chosen.path)
		}
	}
	return chosen, found
}

func readDB(ctx context.Context, env *inventory.Env, db dbFile, each func(string, []byte), warn func(error)) error {
	f, err := env.FS.OpenFile(db.path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	limit := env.Limits.MaxFileSize
	if limit <= 0 {
		limit = ospkg.DefaultMaxDB
	}
	if st.Size() > limit {
		return fmt.Errorf("file of %d bytes exceeds the %d-byte limit", st.Size(), limit)
	}
	switch db.format {
	case rpmdb.FormatSQLite:
		// SQLite opens the file again, by name, through the same confined root.
		return readSQLite(ctx, env.FS, db.path, maxHeader, each, warn)
	case rpmdb.FormatNDB:
		return rpmdb.ReadNDB(ctx, f, st.Size(), maxHeader, each, warn)
	default:
		return rpmdb.ReadBDB(ctx, f, st.Size(), maxHeader, each, warn)
	}
}

// readPackage decodes one header. keep says whether pkg is reported; err,
// if set, is a problem to warn about (with keep true, a minor one: the
// package is reported all the same). The gpg-pubkey pseudo-packages, where
// rpm keeps its signing keys, are not reported.
func readPackage(blob []byte, location string) (pkg model.Package, keep bool, err error) {
	h, err := rpmdb.DecodeHeader(blob)
	if err != nil {
		return pkg, false, err
	}
	if h.Name == "gpg-pubkey" {
		return pkg, false, nil
	}
	return toPackage(h, location)
}

// toPackage maps a decoded header; keep and err as for readPackage.
func toPackage(h *rpmdb.Header, location string) (pkg model.Package, keep bool, err error) {
	if !validToken(h.Name) || !validToken(h.Version) {
		return pkg, false, fmt.Errorf("header has no valid name or version (name %q, version %q)", h.Name, h.Version)
	}
	for _, s := range []string{h.Release, h.Arch} {
		if s != "" && !validToken(s) {
			return pkg, false, fmt.Errorf("package %s: invalid release or arch %q", h.Name, s)
		}
	}
	pkg = model.Package{
		Type:     model.PkgRPM,
		Name:     h.Name,
		Version:  h.Version,
		Release:  h.Release,
		Arch:     h.Arch,
		Vendor:   h.Vendor,
		License:  h.License,
		Location: location,
		Files:    h.Files,
	}
	if h.Epoch > 0 {
		pkg.Epoch = h.Epoch
	}
	// Without a usable SOURCERPM the package is its own source, as for
	// dpkg without a Source field.
	pkg.SourceName, pkg.SourceVersion = h.Name, joinVR(h.Version, h.Release)
	if name, version, release, ok := rpmdb.ParseSourceRPM(h.SourceRPM); ok {
		pkg.SourceName, pkg.SourceVersion = name, joinVR(version, release)
	} else if h.SourceRPM != "" {
		err = fmt.Errorf("package %s: unparsable source rpm %q", h.Name, h.SourceRPM)
	}
	return pkg, true, err
}

func joinVR(version, release string) string {
	if release == "" {
		return version
	}
	return version + "-" + release
}

// validToken accepts a non-empty printable word without spaces.
func validToken(s string) bool {
	if s == "" || len(s) > 1024 {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == unicode.ReplacementChar
	})
}
