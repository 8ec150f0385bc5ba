package apps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

// priorFixture is the JSON form of what phase 0 found on a fixture host;
// it carries the package file lists that model.Package does not serialise.
type priorFixture struct {
	Processes []model.Process `json:"processes"`
	Sockets   []model.Socket  `json:"sockets"`
	Packages  []struct {
		model.Package
		Files []string `json:"files"`
	} `json:"packages"`
}

// LoadPrior reads testdata/prior_<root>.json (also used by the websites tests).
func loadPrior(t testing.TB, file string) *model.Inventory {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var f priorFixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	inv := &model.Inventory{Processes: f.Processes, Sockets: f.Sockets}
	for _, p := range f.Packages {
		pkg := p.Package
		pkg.Files = p.Files
		inv.Packages = append(inv.Packages, pkg)
	}
	return inv
}

func priorPath(root string) string {
	return filepath.Join("testdata", "prior_"+root+".json")
}
