package db

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func advisories(t *testing.T, sub string) string {
	t.Helper()
	return filepath.Join("..", "testdata", "advisories", sub)
}

func TestImportSharedAdvisories(t *testing.T) {
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Import(ctx, advisories(t, "osv"), advisories(t, "debian"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Logf("problem: %s", p)
	}
	if len(res.Added) < 100 {
		t.Errorf("added %d advisories, want > 100", len(res.Added))
	}
	in, err := d.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", in)
	if in.Stale {
		t.Error("fresh import reported stale")
	}
	keys, err := d.KeysForID(ctx, "CVE-2021-44228")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, " ") != "debian-tracker/CVE-2021-44228 debian-tracker/DLA-2842-1 debian-tracker/DSA-5020-1 osv/GHSA-jfh8-c2jp-5v3q" {
		t.Errorf("keys for CVE-2021-44228: %v", keys)
	}
	// A second import of the same data changes nothing.
	res2, err := d.Import(ctx, advisories(t, "osv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Added)+len(res2.Changed) != 0 || res2.Unchanged == 0 {
		t.Errorf("re-import: added %d changed %d unchanged %d", len(res2.Added), len(res2.Changed), res2.Unchanged)
	}
	_ = os.Remove
}
