package ospkg_test

import (
	"context"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/ospkg/apk"
	"github.com/ward-sec/ward/internal/inventory/ospkg/dpkg"
	"github.com/ward-sec/ward/internal/inventory/ospkg/rpm"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

// TestRunAllRoots runs the three collectors together, as the agent does,
// over each shared fixture root: each finds its own packages, the others
// find nothing and say nothing.
func TestRunAllRoots(t *testing.T) {
	tests := []struct {
		root string
		typ  model.PackageType
		n    int
	}{
		{"debian", model.PkgDeb, 11},
		{"rhel", model.PkgRPM, 129},
		{"alpine", model.PkgAPK, 15},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			env := inventory.NewEnv(testutil.FixtureRoot(t, tt.root))
			inv := inventory.Run(context.Background(), env, []inventory.Collector{dpkg.New(), rpm.New(), apk.New()}, inventory.RunOptions{})
			if len(inv.Packages) != tt.n {
				t.Errorf("%d packages, want %d", len(inv.Packages), tt.n)
			}
			for _, p := range inv.Packages {
				if p.Type != tt.typ {
					t.Errorf("%s: type %s", p.Name, p.Type)
				}
			}
			for _, c := range inv.Collectors {
				if c.Status != "ok" {
					t.Errorf("collector %s: %s %s", c.Name, c.Status, c.Reason)
				}
			}
			for _, w := range inv.Warnings {
				t.Errorf("warning: %+v", w)
			}
		})
	}
}
