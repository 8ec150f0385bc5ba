package vuln

import (
	"errors"
	"testing"

	"github.com/ward-sec/ward/internal/vuln/vulntest"
)

// buildRoot assembles the labelled fixture root (see vulntest).
func buildRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := vulntest.Build(root); err != nil {
		if errors.Is(err, vulntest.ErrNoGo) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return root
}
