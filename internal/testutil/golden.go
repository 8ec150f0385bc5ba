// Package testutil holds helpers shared by Ward's tests.
package testutil

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ward-sec/ward/internal/rootfs"
)

// Update rewrites golden files: go test ./internal/... -update
var Update = flag.Bool("update", false, "rewrite golden files")

// GoldenJSON compares got, marshalled as indented JSON, with
// testdata/<name>.golden.json in the calling package (rewritten with -update).
func GoldenJSON(t testing.TB, name string, got any) {
	t.Helper()
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatalf("marshal %s: %v", name, err)
	}
	data = append(data, '\n')
	Golden(t, name+".golden.json", data)
}

// Golden compares got with testdata/<file> (rewritten with -update).
func Golden(t testing.TB, file string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", file)
	if *Update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("golden file %s: %v (run with -update to create it)", p, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; run go test -update and review the diff\n--- got:\n%s", p, truncate(got, 4000))
	}
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return append(b[:n:n], []byte("\n...")...)
	}
	return b
}

// RepoRoot is the repository's top directory, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// FixtureRoot opens testdata/roots/<name> (debian, rhel, alpine) at the
// repository top as a rootfs.
func FixtureRoot(t testing.TB, name string) *rootfs.FS {
	t.Helper()
	fsys, err := rootfs.Open(filepath.Join(RepoRoot(), "testdata", "roots", name))
	if err != nil {
		t.Fatalf("fixture root %s: %v", name, err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}
