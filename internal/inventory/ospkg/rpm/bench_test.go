package rpm

import (
	"os"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

// BenchmarkCollect reads real databases: the shared sqlite fixture and,
// when the module cache has it, a 517-package CentOS 8 Berkeley DB.
func BenchmarkCollect(b *testing.B) {
	for _, tt := range []struct{ name, path, file string }{
		{"sqlite-129", sharedFixture(sqliteFixture), "rpmdb.sqlite"},
		{"ndb-35", ndbFixture, "Packages.db"},
		{"bdb-517", "/root/go/pkg/mod/github.com/knqyf263/go-rpmdb@v0.1.1/pkg/testdata/centos8-modularitylabel/Packages", "Packages"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			if _, err := os.Stat(tt.path); err != nil {
				b.Skip(err)
			}
			root := rootWith(b, tt.path, tt.file, -1)
			b.ReportAllocs()
			for b.Loop() {
				inv, warnings := testutil.Collect(b, New(), root)
				if len(inv.Packages) == 0 || len(warnings) != 0 {
					b.Fatalf("%d packages, %v", len(inv.Packages), warnings)
				}
			}
		})
	}
}
