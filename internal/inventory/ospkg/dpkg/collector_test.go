package dpkg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestCollectorInterface(t *testing.T) {
	c := New()
	if c.Name() != "os/dpkg" || c.Phase() != 0 || c.NeedsLive() {
		t.Errorf("got %q phase %d live %v", c.Name(), c.Phase(), c.NeedsLive())
	}
	var _ inventory.Collector = c
}

func TestCollectDebianRoot(t *testing.T) {
	inv, warnings := testutil.Collect(t, New(), testutil.FixtureRoot(t, "debian"))
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	testutil.GoldenJSON(t, "debian", inv.Packages)

	// Files are not serialised: check them here. Counts are the lines of
	// each .list (minus "/.") or md5sums file in the fixture.
	tests := []struct {
		name      string
		files     int
		someFile  string
		source    string
		sourceVer string
		state     string
	}{
		{name: "bash", files: 166, someFile: "/bin/bash", source: "bash", sourceVer: "5.2.15-2"},
		{name: "libc6", files: 301, someFile: "/lib/x86_64-linux-gnu/libc.so.6", source: "glibc", sourceVer: "2.36-9+deb12u14"},
		{name: "zlib1g", files: 11, someFile: "/lib/x86_64-linux-gnu/libz.so.1.2.13", source: "zlib", sourceVer: "1:1.2.13.dfsg-1"},
		{name: "libgcc-s1", files: 10, someFile: "/lib/x86_64-linux-gnu/libgcc_s.so.1", source: "gcc-12", sourceVer: "12.2.0-14+deb12u1"},
		{name: "ca-certificates", files: 178, someFile: "/usr/sbin/update-ca-certificates", source: "ca-certificates", sourceVer: "20230311+deb12u1", state: "half-configured"},
		{name: "netbase", files: 2, someFile: "/usr/share/doc/netbase/copyright", source: "netbase", sourceVer: "6.4"},
		{name: "openssl", files: 0, source: "openssl", sourceVer: "3.0.19-1~deb12u2"}, // no .list in the fixture
	}
	byName := map[string]model.Package{}
	for _, p := range inv.Packages {
		byName[p.Name] = p
	}
	if _, ok := byName["less"]; ok {
		t.Errorf("less is in config-files state and must not be reported")
	}
	for _, tt := range tests {
		p, ok := byName[tt.name]
		if !ok {
			t.Errorf("%s missing", tt.name)
			continue
		}
		if len(p.Files) != tt.files {
			t.Errorf("%s: %d files, want %d", tt.name, len(p.Files), tt.files)
		}
		if tt.someFile != "" && !slices.Contains(p.Files, tt.someFile) {
			t.Errorf("%s: files lack %s", tt.name, tt.someFile)
		}
		if p.SourceName != tt.source || p.SourceVersion != tt.sourceVer || p.State != tt.state {
			t.Errorf("%s: source %q %q state %q; want %q %q %q", tt.name, p.SourceName, p.SourceVersion, p.State, tt.source, tt.sourceVer, tt.state)
		}
	}
	if n := len(inv.Packages); n != 11 {
		t.Errorf("%d packages, want 11", n)
	}
}

// TestCollectCorrupt: each broken stanza gives one warning naming the file
// and line; the good stanzas around them are kept.
func TestCollectCorrupt(t *testing.T) {
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, "testdata/roots/corrupt"))
	var got []string
	for _, p := range inv.Packages {
		got = append(got, p.Name+" "+p.Version+" src="+p.SourceName)
	}
	want := []string{
		"base-files 12.4+deb12u11 src=base-files",
		"openssl 3.0.19-1~deb12u2 src=openssl", // CRLF stanza
		"zlib1g 1:1.2.13.dfsg-1 src=zlib1g",    // bad Source: kept, source falls back to the name
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	wantWarnings := []string{
		`line 31: expected "Field: value"; stanza skipped`,
		`line 63: stanza has no Package field; stanza skipped`,
		`line 89: package "libc6": Status "install ok exploded": unknown want, flag or state`,
		`line 123: duplicate field Version; stanza skipped`,
		`line 134: package "../../../etc/shadow": invalid package name`,
		`line 181: package "tzdata": invalid or missing Version ""`,
		`line 199: package "zlib1g": Source "zlib (1.2": want "name (version)"`,
	}
	var gotWarnings []string
	for _, w := range warnings {
		if w.Path != statusPath || w.Collector != "os/dpkg" {
			t.Errorf("warning names %q (collector %q), want %s", w.Path, w.Collector, statusPath)
		}
		gotWarnings = append(gotWarnings, w.Message)
	}
	if diff := cmp.Diff(wantWarnings, gotWarnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestCollectNoDatabase(t *testing.T) {
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, t.TempDir()))
	if inv == nil || len(inv.Packages) != 0 || len(warnings) != 0 {
		t.Errorf("got %+v, warnings %v; want an empty fragment", inv, warnings)
	}
}

// TestCollectGarbage: binary junk as a status file gives a bounded number
// of warnings and no packages.
func TestCollectGarbage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "var/lib/dpkg")
	if err := os.MkdirAll(db, 0o755); err != nil {
		t.Fatal(err)
	}
	junk := strings.Repeat("\x00\xff garbage\n\n", 5000)
	if err := os.WriteFile(filepath.Join(db, "status"), []byte(junk), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, dir))
	if len(inv.Packages) != 0 {
		t.Errorf("packages from garbage: %v", inv.Packages)
	}
	if len(warnings) != 21 || !strings.Contains(warnings[20].Message, "4980 more problems") {
		t.Errorf("got %d warnings, want 20 plus a summary; last: %v", len(warnings), warnings[len(warnings)-1])
	}
}

// TestCollectSymlinkEscape: a status.d entry linking outside the root is
// resolved inside it (rootfs), so the host's file is never read.
func TestCollectSymlinkEscape(t *testing.T) {
	dir := t.TempDir()
	sd := filepath.Join(dir, "var/lib/dpkg/status.d")
	if err := os.MkdirAll(sd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/var/lib/dpkg/status", filepath.Join(sd, "evil")); err != nil {
		t.Fatal(err)
	}
	inv, _ := testutil.Collect(t, New(), testutil.OpenRoot(t, dir))
	if len(inv.Packages) != 0 {
		t.Errorf("read %d packages through a link out of the root", len(inv.Packages))
	}
}

// TestCollectStatusD: distroless layout (several stanzas per file, no
// Status meaning installed, md5sums as file lists) and duplicates.
func TestCollectStatusD(t *testing.T) {
	root := testutil.TempRoot(t, map[string]string{
		// From osv-scalibr's status.d/foo test file: bar is config-files only.
		"var/lib/dpkg/status.d/foo":         "Package: foo\nArchitecture: amd64\nMaintainer: someone\nVersion: 1.2.3\n\nPackage: bar\nStatus: deinstall ok config-files\nVersion: 1.0\n",
		"var/lib/dpkg/status.d/foo.md5sums": "07d31e7e63800ab1b7966980709c51eb  usr/lib/os-release\n0a540d50c157ed0070459b82c358a05a  usr/share/base-files/dot.bashrc\n",
		"var/lib/dpkg/status.d/zz-dup":      "Package: foo\nArchitecture: amd64\nVersion: 9\n",
		"var/lib/dpkg/status.d/.hidden":     "Package: hidden\nVersion: 1\n",
	})
	inv, warnings := testutil.Collect(t, New(), root)
	if len(inv.Packages) != 1 {
		t.Fatalf("packages %+v", inv.Packages)
	}
	p := inv.Packages[0]
	if p.Name != "foo" || p.Version != "1.2.3" || p.Location != "/var/lib/dpkg/status.d/foo" || p.State != "" {
		t.Errorf("got %+v", p)
	}
	if diff := cmp.Diff([]string{"/usr/lib/os-release", "/usr/share/base-files/dot.bashrc"}, p.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	// status.d is read in name order, so zz-dup's foo is the duplicate.
	if len(warnings) != 1 || warnings[0].Path != "/var/lib/dpkg/status.d/zz-dup" ||
		warnings[0].Message != "line 1: package foo (amd64) listed again; keeping the one at /var/lib/dpkg/status.d/foo line 1" {
		t.Errorf("warnings %v", warnings)
	}
}

// TestCollectCancelled: a cancelled scan stops with the context's error.
func TestCollectCancelled(t *testing.T) {
	c := New()
	env, _ := inventory.TestEnv(testutil.FixtureRoot(t, "debian"), c.Name())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if inv, err := c.Collect(ctx, env); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, %v; want context.Canceled", inv, err)
	}
}
