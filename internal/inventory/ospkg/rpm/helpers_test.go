package rpm

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// rootWith builds a root holding the first n bytes (all when n < 0) of the
// database file src at /var/lib/rpm/<name>.
func rootWith(t testing.TB, src, name string, n int64) *rootfs.FS {
	t.Helper()
	dir := t.TempDir()
	dst := filepath.Join(dir, "var/lib/rpm", name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = in
	if n >= 0 {
		r = io.LimitReader(in, n)
	}
	if _, err := io.Copy(out, r); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return testutil.OpenRoot(t, dir)
}

// collectFile runs the collector over a root holding a copy of one database.
func collectFile(t testing.TB, src string) (*model.Inventory, []model.Warning) {
	t.Helper()
	return testutil.Collect(t, New(), rootWith(t, src, filepath.Base(src), -1))
}
