package websites

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/apps"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

// collectFixture runs the application collector (phase 1) and then the
// web site collector (phase 2) over a fixture root, as a scan would.
func collectFixture(t *testing.T, root string) (*model.Inventory, []model.Warning) {
	t.Helper()
	fsys := testutil.FixtureRoot(t, root)
	prior := testutil.LoadPrior(t, filepath.Join("..", "apps", "testdata", "prior_"+root+".json"))
	env, _ := inventory.TestEnv(fsys, "apps/fingerprint")
	env.Prior = prior
	frag, err := apps.New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	prior.Applications = frag.Applications
	env, warns := inventory.TestEnv(fsys, "apps/websites")
	env.Prior = prior
	out, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return out, *warns
}

func TestCollectorGolden(t *testing.T) {
	for _, root := range []string{"debian", "rhel"} {
		t.Run(root, func(t *testing.T) {
			out, warns := collectFixture(t, root)
			testutil.GoldenJSON(t, "websites_"+root, struct {
				WebSites []model.WebSite `json:"web_sites"`
				WebApps  []model.WebApp  `json:"web_apps"`
				Warnings []model.Warning `json:"warnings"`
			}{out.WebSites, out.WebApps, warns})
		})
	}
}
