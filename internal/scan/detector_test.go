package scan_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/testutil"
)

type fakeDetector struct {
	name string
	run  func(env *scan.DetectEnv) (*scan.DetectOutput, error)
}

func (d fakeDetector) Name() string { return d.name }
func (d fakeDetector) Detect(_ context.Context, env *scan.DetectEnv) (*scan.DetectOutput, error) {
	return d.run(env)
}

// Detectors see the confined root and the inventory; a failing one is
// recorded and the next still runs; warnings stay with their detector.
func TestDetectorsRunAfterInventory(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, map[string]string{"etc/hostname": "box\n"})
	ok := fakeDetector{"ok", func(env *scan.DetectEnv) (*scan.DetectOutput, error) {
		b, err := env.FS.ReadFile("/etc/hostname", 1<<10)
		if err != nil {
			return nil, err
		}
		if env.Inventory == nil || env.Live {
			return nil, errors.New("no inventory, or a fixture root taken for live")
		}
		env.Warn("ok", "/etc/x", "unreadable")
		return &scan.DetectOutput{
			Findings: []model.Finding{{ID: "x", Kind: model.KindBaseline, Title: string(b)}},
			Summary:  []string{"1 check"},
			Details:  map[string]int{"checks": 1},
		}, nil
	}}
	bad := fakeDetector{"bad", func(*scan.DetectEnv) (*scan.DetectOutput, error) { return nil, errors.New("db missing") }}
	res, err := scan.Run(context.Background(), scan.Options{Root: dir, Detectors: []scan.Detector{bad, ok}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Detections) != 2 {
		t.Fatalf("detections %+v", res.Detections)
	}
	if d := res.Detections[0]; d.Detector != "bad" || d.Status != "failed" || d.Error != "db missing" {
		t.Fatalf("bad detector recorded as %+v", d)
	}
	d := res.Detections[1]
	if d.Status != "ok" || len(d.Summary) != 1 || len(d.Warnings) != 1 || d.Warnings[0].Path != "/etc/x" {
		t.Fatalf("ok detector recorded as %+v", d)
	}
	var found bool
	for _, f := range res.Findings {
		found = found || (f.ID == "x" && f.Title == "box\n")
	}
	if !found {
		t.Fatalf("detector finding not merged: %+v", res.Findings)
	}
}
