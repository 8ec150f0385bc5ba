package apk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestCollectorInterface(t *testing.T) {
	c := New()
	if c.Name() != "os/apk" || c.Phase() != 0 || c.NeedsLive() {
		t.Errorf("got %q phase %d live %v", c.Name(), c.Phase(), c.NeedsLive())
	}
	var _ inventory.Collector = c
}

func TestCollectAlpineRoot(t *testing.T) {
	inv, warnings := testutil.Collect(t, New(), testutil.FixtureRoot(t, "alpine"))
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	testutil.GoldenJSON(t, "alpine", inv.Packages)
	if len(inv.Packages) != 15 {
		t.Errorf("%d packages, want 15", len(inv.Packages))
	}
	// Files are not serialised; check a few against the database (counts of
	// their F: and R: lines).
	tests := []struct {
		name, source string
		files        int
		someFile     string
	}{
		{name: "musl", source: "musl", files: 3, someFile: "/lib/ld-musl-x86_64.so.1"},
		{name: "libcrypto3", source: "openssl", files: 24, someFile: "/usr/lib/libcrypto.so.3"},
		{name: "busybox", source: "busybox", files: 29, someFile: "/bin/busybox"},
	}
	byName := map[string]model.Package{}
	for _, p := range inv.Packages {
		byName[p.Name] = p
	}
	for _, tt := range tests {
		p := byName[tt.name]
		if p.SourceName != tt.source || len(p.Files) != tt.files || !slices.Contains(p.Files, tt.someFile) {
			t.Errorf("%s: source %q, %d files (has %s: %v); want %q, %d", tt.name, p.SourceName, len(p.Files), tt.someFile, slices.Contains(p.Files, tt.someFile), tt.source, tt.files)
		}
	}
}

func TestCollectCorrupt(t *testing.T) {
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, "testdata/roots/corrupt"))
	var got []string
	for _, p := range inv.Packages {
		got = append(got, p.Name+" "+p.Version)
	}
	if diff := cmp.Diff([]string{"busybox-binsh 1.36.0-r9", "musl 1.2.4-r0"}, got); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	want := []string{
		`line 26: expected "K:value"; package skipped`,
		`line 47: package record without P: (name) or V: (version); package skipped`,
		`line 72: duplicate A: line; package skipped`,
		`line 117: invalid package name or version "ssl client" "1.36.0-r9"; package skipped`,
	}
	var gotW []string
	for _, w := range warnings {
		if w.Path != "/lib/apk/db/installed" {
			t.Errorf("warning names %q", w.Path)
		}
		gotW = append(gotW, w.Message)
	}
	if diff := cmp.Diff(want, gotW); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestCollectNoDatabase(t *testing.T) {
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, t.TempDir()))
	if inv == nil || len(inv.Packages) != 0 || len(warnings) != 0 {
		t.Errorf("got %+v, warnings %v; want an empty fragment", inv, warnings)
	}
}

// TestCollectLinkedDatabase: when /lib links to /usr/lib (usr-merge), the
// one database is read once.
func TestCollectLinkedDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "usr/lib/apk/db")
	if err := os.MkdirAll(db, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata/roots/alpine/lib/apk/db/installed"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(db, "installed"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("usr/lib", filepath.Join(dir, "lib")); err != nil {
		t.Fatal(err)
	}
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, dir))
	if len(inv.Packages) != 15 || len(warnings) != 0 {
		t.Errorf("%d packages (want 15), warnings %v", len(inv.Packages), warnings)
	}
}

// TestCollectSizeCap: a database over the limit is read up to it and reported.
func TestCollectSizeCap(t *testing.T) {
	root := testutil.FixtureRoot(t, "alpine")
	c := New()
	env, warnings := inventory.TestEnv(root, c.Name())
	env.Limits.MaxFileSize = 4096
	inv, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	// The first 4096 bytes hold two whole records and part of a third,
	// which is dropped with the rest.
	if len(inv.Packages) != 2 || len(*warnings) == 0 {
		t.Fatalf("got %d packages, warnings %v; want the first two and a warning", len(inv.Packages), *warnings)
	}
	last := (*warnings)[len(*warnings)-1]
	if last.Message != "read: file exceeds the size limit (4096 bytes); packages after this point are missing" {
		t.Errorf("last warning %q", last.Message)
	}
}

// TestCollectCancelled: a cancelled scan stops with the context's error.
func TestCollectCancelled(t *testing.T) {
	c := New()
	env, _ := inventory.TestEnv(testutil.FixtureRoot(t, "alpine"), c.Name())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if inv, err := c.Collect(ctx, env); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, %v; want context.Canceled", inv, err)
	}
}
