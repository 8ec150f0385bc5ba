package apps

import (
	"context"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func collectFixture(t *testing.T, root string, prior *model.Inventory) ([]model.Application, []model.Warning) {
	t.Helper()
	fsys := testutil.FixtureRoot(t, root)
	env, warns := inventory.TestEnv(fsys, "apps/fingerprint")
	env.Prior = prior
	frag, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return frag.Applications, *warns
}

func TestCollectorGolden(t *testing.T) {
	for _, root := range []string{"debian", "rhel"} {
		t.Run(root, func(t *testing.T) {
			apps, warns := collectFixture(t, root, testutil.LoadPrior(t, priorPath(root)))
			testutil.GoldenJSON(t, "apps_"+root, struct {
				Applications []model.Application `json:"applications"`
				Warnings     []model.Warning     `json:"warnings"`
			}{apps, warns})
		})
	}
}
