package inventory

import (
	"context"
	"errors"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// fakeCollector is a test double for the runner's own tests (not a feature).
type fakeCollector struct {
	name  string
	phase int
	live  bool
	run   func(env *Env) (*model.Inventory, error)
}

func (f fakeCollector) Name() string    { return f.name }
func (f fakeCollector) Phase() int      { return f.phase }
func (f fakeCollector) NeedsLive() bool { return f.live }
func (f fakeCollector) Collect(_ context.Context, env *Env) (*model.Inventory, error) {
	return f.run(env)
}

func TestRunPhasesFailuresAndSkips(t *testing.T) {
	fsys, err := rootfs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var sawPrior int
	collectors := []Collector{
		fakeCollector{name: "a/pkgs", run: func(env *Env) (*model.Inventory, error) {
			env.Warnf("/var/lib/dpkg/status", "line %d: bad", 3)
			return &model.Inventory{Packages: []model.Package{{Name: "bash"}}}, nil
		}},
		fakeCollector{name: "b/fails", run: func(env *Env) (*model.Inventory, error) { return nil, errors.New("boom") }},
		fakeCollector{name: "c/panics", run: func(env *Env) (*model.Inventory, error) { panic("bug") }},
		fakeCollector{name: "d/live", live: true, run: func(env *Env) (*model.Inventory, error) {
			t.Error("live collector ran on a root scan")
			return nil, nil
		}},
		fakeCollector{name: "e/later", phase: 1, run: func(env *Env) (*model.Inventory, error) {
			sawPrior = len(env.Prior.Packages)
			return &model.Inventory{Users: []model.User{{Name: "root"}}}, nil
		}},
	}
	inv := Run(context.Background(), NewEnv(fsys), collectors, RunOptions{})
	if sawPrior != 1 {
		t.Errorf("phase 1 saw %d prior packages, want 1", sawPrior)
	}
	status := map[string]string{}
	for _, c := range inv.Collectors {
		status[c.Name] = c.Status
	}
	want := map[string]string{"a/pkgs": "ok", "b/fails": "failed", "c/panics": "failed", "d/live": "skipped", "e/later": "ok"}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("%s: status %q, want %q", k, status[k], v)
		}
	}
	if len(inv.Packages) != 1 || len(inv.Users) != 1 {
		t.Errorf("merged packages=%d users=%d", len(inv.Packages), len(inv.Users))
	}
	if len(inv.Warnings) != 1 || inv.Warnings[0].Collector != "a/pkgs" || inv.Warnings[0].Path != "/var/lib/dpkg/status" {
		t.Errorf("warnings = %+v", inv.Warnings)
	}
}
