package source

import (
	"os"
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
	return testutil.OpenRoot(t, testutil.CopyTree(t, fixture, func(rel string) os.FileMode {
		for _, priv := range privateFiles {
			if rel == priv || strings.HasSuffix(priv, "/") && strings.HasPrefix(rel, priv) {
				return 0o600
			}
		}
		return 0o644
	}))
}
