package rpm

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

const (
	sqliteFixture = "testdata/roots/rhel/var/lib/rpm/rpmdb.sqlite" // in the shared roots
	bdbFixture    = "testdata/roots/bdb/var/lib/rpm/Packages"
	epochFixture  = "testdata/roots/bdb-epoch/var/lib/rpm/Packages"
	ndbFixture    = "testdata/roots/ndb/usr/lib/sysimage/rpm/Packages.db"
)

func sharedFixture(p string) string { return filepath.Join(testutil.RepoRoot(), p) }

func TestCollectorInterface(t *testing.T) {
	c := New()
	if c.Name() != "os/rpm" || c.Phase() != 0 || c.NeedsLive() {
		t.Errorf("got %q phase %d live %v", c.Name(), c.Phase(), c.NeedsLive())
	}
	var _ inventory.Collector = c
}

// TestCollectFormats reads a real database of each format; golden files
// hold the whole output, the table the facts that matter most. Values for
// rhel-sqlite and bdb were checked with rpm 4.18 itself (rpm -qa --qf,
// rpm -ql); ndb's with go-rpmdb's own test expectations.
func TestCollectFormats(t *testing.T) {
	type want struct {
		name, version, release, arch string
		epoch                        int
		source, sourceVersion        string
		vendor, license              string
		files                        int
		someFile                     string
	}
	tests := []struct {
		golden   string
		root     string
		location string
		count    int
		check    []want
	}{
		{
			golden: "rhel-sqlite", root: "rhel", location: "/var/lib/rpm/rpmdb.sqlite", count: 129,
			check: []want{
				{name: "bash", version: "5.1.8", release: "1.cm2", arch: "x86_64", source: "bash", sourceVersion: "5.1.8-1.cm2",
					vendor: "Microsoft Corporation", license: "GPLv3", files: 67, someFile: "/bin/bash"},
				{name: "openssl-libs", version: "1.1.1k", release: "7.cm2", arch: "x86_64", source: "openssl", sourceVersion: "1.1.1k-7.cm2",
					vendor: "Microsoft Corporation", license: "OpenSSL", files: 19, someFile: "/usr/lib/libssl.so.1.1"},
			},
		},
		{
			golden: "bdb", root: "testdata/roots/bdb", location: "/var/lib/rpm/Packages", count: 1,
			check: []want{{name: "libuuid", version: "2.32.1", release: "42.el8_8", arch: "x86_64", source: "util-linux", sourceVersion: "2.32.1-42.el8_8",
				vendor: "Red Hat, Inc.", license: "BSD", files: 7, someFile: "/usr/lib64/libuuid.so.1.3.0"}},
		},
		{
			golden: "bdb-epoch", root: "testdata/roots/bdb-epoch", location: "/var/lib/rpm/Packages", count: 1,
			check: []want{{name: "hello", version: "0.0.1", release: "rls", arch: "x86_64", epoch: 1, source: "hello", sourceVersion: "0.0.1-rls",
				license: "GPL", files: 1, someFile: "/usr/bin/hello.sh"}},
		},
		{
			golden: "ndb", root: "testdata/roots/ndb", location: "/usr/lib/sysimage/rpm/Packages.db", count: 35,
			check: []want{{name: "libzstd1", version: "1.4.4", release: "1.6.1", arch: "x86_64", source: "zstd", sourceVersion: "1.4.4-1.6.1",
				vendor: "SUSE LLC <https://www.suse.com/>", license: "BSD-3-Clause AND GPL-2.0-only", someFile: "/usr/lib64/libzstd.so.1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			root := tt.root
			var inv *model.Inventory
			var warnings []model.Warning
			if strings.Contains(root, "/") {
				inv, warnings = testutil.Collect(t, New(), testutil.OpenRoot(t, root))
			} else {
				inv, warnings = testutil.Collect(t, New(), testutil.FixtureRoot(t, root))
			}
			if len(warnings) != 0 {
				t.Errorf("warnings: %v", warnings)
			}
			testutil.GoldenJSON(t, tt.golden, inv.Packages)
			if len(inv.Packages) != tt.count {
				t.Errorf("%d packages, want %d", len(inv.Packages), tt.count)
			}
			byName := map[string]model.Package{}
			for _, p := range inv.Packages {
				byName[p.Name] = p
				if p.Location != tt.location || p.Type != model.PkgRPM || p.Name == "gpg-pubkey" {
					t.Errorf("%s: location %q type %q", p.Name, p.Location, p.Type)
				}
			}
			for _, w := range tt.check {
				p, ok := byName[w.name]
				if !ok {
					t.Errorf("%s missing", w.name)
					continue
				}
				got := want{name: p.Name, version: p.Version, release: p.Release, arch: p.Arch, epoch: p.Epoch,
					source: p.SourceName, sourceVersion: p.SourceVersion, vendor: p.Vendor, license: p.License, files: len(p.Files), someFile: w.someFile}
				if w.files == 0 {
					got.files = 0 // not pinned for this one
				}
				if got != w {
					t.Errorf("%s:\n got %+v\nwant %+v", w.name, got, w)
				}
				if !slices.Contains(p.Files, w.someFile) {
					t.Errorf("%s: files lack %s", w.name, w.someFile)
				}
			}
		})
	}
}

func TestCollectNoDatabase(t *testing.T) {
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, t.TempDir()))
	if inv == nil || len(inv.Packages) != 0 || len(warnings) != 0 {
		t.Errorf("got %+v, warnings %v; want an empty fragment", inv, warnings)
	}
}

// TestCollectTruncated: a truncated or junk database of each format is a
// warning naming the file; what can be read is kept; nothing panics.
func TestCollectTruncated(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		file    string
		size    int64
		minPkgs int
		maxPkgs int
		warn    string
	}{
		{name: "bdb 4 KiB", src: bdbFixture, file: "Packages", size: 4096, warn: "database truncated: 23 pages expected, 1 present"},
		{name: "bdb half", src: bdbFixture, file: "Packages", size: 48 << 10, warn: "database truncated: 23 pages expected, 12 present"},
		{name: "ndb 4 KiB", src: ndbFixture, file: "Packages.db", size: 4096, warn: "database truncated at 4096 bytes: 35 packages lie past the end"},
		{name: "ndb half", src: ndbFixture, file: "Packages.db", size: 700 << 10, minPkgs: 16, maxPkgs: 16, warn: "database truncated at 716800 bytes: 19 packages lie past the end"},
		{name: "sqlite 4 KiB", src: sharedFixture(sqliteFixture), file: "rpmdb.sqlite", size: 4096, warn: "sqlite database unreadable"},
		{name: "sqlite half", src: sharedFixture(sqliteFixture), file: "rpmdb.sqlite", size: 1800 << 10, maxPkgs: 128, warn: "sqlite database unreadable"},
		{name: "empty Packages", src: bdbFixture, file: "Packages", size: 0, warn: "not a recognised rpm database"},
		{name: "sqlite header only", src: sharedFixture(sqliteFixture), file: "rpmdb.sqlite", size: 16, warn: "sqlite database unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, warnings := testutil.Collect(t, New(), rootWith(t, tt.src, tt.file, tt.size))
			n := len(inv.Packages)
			if n < tt.minPkgs || n > tt.maxPkgs {
				t.Errorf("%d packages, want %d..%d", n, tt.minPkgs, tt.maxPkgs)
			}
			found := false
			for _, w := range warnings {
				if w.Path != "/var/lib/rpm/"+tt.file {
					t.Errorf("warning names %q: %s", w.Path, w.Message)
				}
				if strings.Contains(w.Message, tt.warn) {
					found = true
				}
			}
			if !found {
				t.Errorf("no warning containing %q; got %v", tt.warn, warnings)
			}
			t.Logf("%d packages, warnings: %v", n, warnings)
		})
	}
}

// TestPickNewestDatabase: with two databases the most recently written is
// read and the other mentioned; a directory linked to the other is read once.
func TestPickNewestDatabase(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, bdbFixture, filepath.Join(dir, "var/lib/rpm/Packages"))
	copyFile(t, ndbFixture, filepath.Join(dir, "usr/lib/sysimage/rpm/Packages.db"))
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "var/lib/rpm/Packages"), old, old); err != nil {
		t.Fatal(err)
	}
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, dir))
	if len(inv.Packages) != 35 || inv.Packages[0].Location != "/usr/lib/sysimage/rpm/Packages.db" {
		t.Errorf("read %d packages from %q; want the 35 of the newer ndb", len(inv.Packages), inv.Packages[0].Location)
	}
	if len(warnings) != 1 || warnings[0].Path != "/var/lib/rpm/Packages" || !strings.Contains(warnings[0].Message, "second rpm database") {
		t.Errorf("warnings %v", warnings)
	}

	// Fedora layout: /var/lib/rpm -> ../../usr/lib/sysimage/rpm.
	dir = t.TempDir()
	copyFile(t, ndbFixture, filepath.Join(dir, "usr/lib/sysimage/rpm/Packages.db"))
	if err := os.MkdirAll(filepath.Join(dir, "var/lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../usr/lib/sysimage/rpm", filepath.Join(dir, "var/lib/rpm")); err != nil {
		t.Fatal(err)
	}
	inv, warnings = testutil.Collect(t, New(), testutil.OpenRoot(t, dir))
	if len(inv.Packages) != 35 || len(warnings) != 0 {
		t.Errorf("linked layout: %d packages, warnings %v", len(inv.Packages), warnings)
	}
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteLeavesNoTrace: reading rpmdb.sqlite creates no -wal, -shm or
// -journal file and changes nothing, even though the database is in WAL
// mode; a non-empty WAL is reported.
func TestSQLiteLeavesNoTrace(t *testing.T) {
	root := rootWith(t, sharedFixture(sqliteFixture), "rpmdb.sqlite", -1)
	dbDir := filepath.Join(root.Root(), "var/lib/rpm")
	before := dirState(t, dbDir)
	inv, warnings := testutil.Collect(t, New(), root)
	if len(inv.Packages) != 129 || len(warnings) != 0 {
		t.Fatalf("%d packages, warnings %v", len(inv.Packages), warnings)
	}
	if after := dirState(t, dbDir); after != before {
		t.Errorf("database directory changed:\nbefore %s\nafter  %s", before, after)
	}

	if err := os.WriteFile(filepath.Join(dbDir, "rpmdb.sqlite-wal"), make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, warnings = testutil.Collect(t, New(), root)
	if len(inv.Packages) != 129 || len(warnings) != 1 || !strings.Contains(warnings[0].Message, "rpmdb.sqlite-wal holds 4096 bytes not yet checkpointed") {
		t.Errorf("with a WAL: %d packages, warnings %v", len(inv.Packages), warnings)
	}
}

// dirState is the names, sizes and content hashes of a directory's files.
func dirState(t testing.TB, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s:%d:%x ", e.Name(), len(data), sha256.Sum256(data))
	}
	return b.String()
}

// TestCollectSizeLimit: a database over Limits.MaxFileSize is not read.
func TestCollectSizeLimit(t *testing.T) {
	for _, src := range []string{bdbFixture, sharedFixture(sqliteFixture)} {
		root := rootWith(t, src, filepath.Base(src), -1)
		c := New()
		env, warnings := inventory.TestEnv(root, c.Name())
		env.Limits.MaxFileSize = 64 << 10
		inv, err := c.Collect(t.Context(), env)
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Packages) != 0 || len(*warnings) != 1 || !strings.Contains((*warnings)[0].Message, "exceeds the 65536-byte limit") {
			t.Errorf("%s: %d packages, warnings %v", src, len(inv.Packages), *warnings)
		}
	}
}

// TestCollectCancelled: a cancelled scan stops with the context's error.
func TestCollectCancelled(t *testing.T) {
	c := New()
	env, _ := inventory.TestEnv(testutil.FixtureRoot(t, "rhel"), c.Name())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if inv, err := c.Collect(ctx, env); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, %v; want context.Canceled", inv, err)
	}
}
