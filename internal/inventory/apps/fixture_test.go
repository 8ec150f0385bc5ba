package apps

import "path/filepath"

// priorPath is the fixture of what phase 0 found on a fixture host
// (testutil.LoadPrior reads it; the websites tests use it too).
func priorPath(root string) string {
	return filepath.Join("testdata", "prior_"+root+".json")
}
