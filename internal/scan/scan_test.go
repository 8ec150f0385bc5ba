package scan_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/testutil"
)

// TestFixtureRoots runs every collector over each fixture root and compares
// the whole result with a golden file: the end-to-end contract of `ward scan --root`.
func TestFixtureRoots(t *testing.T) {
	for _, name := range []string{"debian", "rhel", "alpine"} {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(testutil.RepoRoot(), "testdata", "roots", name)
			res, err := scan.Run(context.Background(), scan.Options{Root: root, Collectors: all.Collectors()})
			if err != nil {
				t.Fatal(err)
			}
			inv := res.Inventory
			for _, c := range inv.Collectors {
				if c.Status == "failed" {
					t.Errorf("collector %s failed: %s", c.Name, c.Reason)
				}
				if c.Status == "skipped" && !strings.HasPrefix(c.Name, "live/") {
					t.Errorf("collector %s skipped on a root scan: %s", c.Name, c.Reason)
				}
			}
			if inv.Host == nil || inv.Host.OS.ID == "" {
				t.Fatalf("no OS identified for %s", name)
			}
			if len(inv.Users) == 0 || len(inv.Packages) == 0 {
				t.Fatalf("%s: users=%d packages=%d", name, len(inv.Users), len(inv.Packages))
			}
			// Stable fields only: times and durations differ per run.
			inv.ScannedAt = time.Time{}
			inv.Root = "testdata/roots/" + name
			for i := range inv.Collectors {
				inv.Collectors[i].DurationMS = 0
			}
			testutil.GoldenJSON(t, "root-"+name, res)
		})
	}
}

func TestMissingRootIsAnError(t *testing.T) {
	_, err := scan.Run(context.Background(), scan.Options{Root: "/nonexistent/ward-root", Collectors: all.Collectors()})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/ward-root") {
		t.Fatalf("want an error naming the root, got %v", err)
	}
}

func TestSelect(t *testing.T) {
	cs := all.Collectors()
	got, err := scan.Select(cs, []string{"os"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if !strings.HasPrefix(c.Name(), "os/") {
			t.Errorf("class filter os kept %s", c.Name())
		}
	}
	if len(got) != 3 {
		t.Errorf("want the 3 OS package collectors, got %d", len(got))
	}
	if _, err := scan.Select(cs, []string{"nope"}); err == nil {
		t.Error("unknown collector accepted")
	}
}

// TestLiveHost scans this machine: every collector must run without failing.
func TestLiveHost(t *testing.T) {
	if testing.Short() {
		t.Skip("live scan skipped in -short mode")
	}
	res, err := scan.Run(context.Background(), scan.Options{Root: "/", Collectors: all.Collectors(), Excludes: []string{"/root/go", "/work", "/tmp"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Inventory.Collectors {
		if c.Status != "ok" {
			t.Errorf("collector %s: %s %s", c.Name, c.Status, c.Reason)
		}
	}
	if len(res.Inventory.Processes) == 0 || len(res.Inventory.Sockets) == 0 {
		t.Errorf("live scan found processes=%d sockets=%d", len(res.Inventory.Processes), len(res.Inventory.Sockets))
	}
	var _ model.Finding
}
