package weakpass

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// privateFiles are the fixture files a real host keeps 0600.
var privateFiles = []string{"home/alice/.pgpass", "home/alice/.my.cnf", "home/alice/.ssh/", "root/.ssh/", "etc/ssh/"}

// fixtureRoot copies the fixture root to a temporary directory with fixed
// permissions (a checkout's depend on the umask; findings report them).
func fixtureRoot(t *testing.T) *rootfs.FS {
	t.Helper()
	return testutil.OpenRoot(t, copyFixture(t, fixture))
}

func copyFixture(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		for _, priv := range privateFiles {
			if rel == priv || strings.HasSuffix(priv, "/") && strings.HasPrefix(rel, priv) {
				mode = 0o600
			}
		}
		if err := os.WriteFile(out, data, mode); err != nil {
			return err
		}
		return os.Chmod(out, mode) // past the umask
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
