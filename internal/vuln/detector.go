package vuln

import (
	"context"
	"fmt"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/vuln/db"
	"github.com/ward-sec/ward/internal/vuln/impact"
	"github.com/ward-sec/ward/internal/vuln/match"
)

// Detector matches the scan's inventory against an advisory database.
type Detector struct {
	// DBPath is the advisory database file (db.DefaultPath() if empty).
	DBPath string
}

// Name is the detector's findings scope.
func (d *Detector) Name() string { return "vuln" }

// Details is the detector's structured output in JSON reports.
type Details struct {
	Database   string         `json:"database"`
	ImportedAt time.Time      `json:"imported_at"`
	Stale      bool           `json:"stale,omitempty"`
	Advisories int            `json:"advisories_loaded"`
	Ecosystem  string         `json:"os_ecosystem,omitempty"`
	Packages   int            `json:"packages_checked"`
	Counts     map[string]int `json:"counts"`
	NoFix      int            `json:"no_fix"`
}

// Detect implements scan.Detector.
func (d *Detector) Detect(ctx context.Context, env *scan.DetectEnv) (*scan.DetectOutput, error) {
	path := d.DBPath
	if path == "" {
		path = db.DefaultPath()
	}
	store, err := db.OpenExisting(path)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	info, err := store.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.Advisories == 0 {
		return nil, fmt.Errorf("vulndb %s is empty: import advisories with `ward vulndb import PATH` or `ward vulndb update`", store.Path())
	}
	if info.Stale {
		env.Warn("vuln", store.Path(), "advisory database last imported %s (more than 7 days ago): run `ward vulndb update`", info.ImportedAt.Format(time.DateOnly))
	}
	inv := env.Inventory
	if inv == nil {
		inv = &model.Inventory{}
	}
	target := match.TargetOf(inv)
	if target.OSEcosystem == "" && inv.Host != nil && hasOS(inv) {
		env.Warn("vuln", "", "OS packages not matched: no advisory ecosystem for %s %s", inv.Host.OS.ID, inv.Host.OS.Version)
	}
	advs, err := store.ForPackages(ctx, match.Keys(inv))
	if err != nil {
		return nil, err
	}
	ms := match.New(advs).Match(inv)
	out := &scan.DetectOutput{}
	det := Details{Database: store.Path(), ImportedAt: info.ImportedAt, Stale: info.Stale, Advisories: len(advs),
		Ecosystem: target.OSEcosystem, Packages: len(inv.Packages), Counts: map[string]int{}}
	restart := impact.NewIndex(inv) // processes running the packages' files (live scans)
	for _, m := range ms {
		f := m.Finding()
		if e := restart.ForAll(m.Packages).Evidence(); e != "" {
			f.Evidence = append(f.Evidence, e)
		}
		out.Findings = append(out.Findings, f)
		det.Counts[m.Severity.String()]++
		if m.Fixed == "" {
			det.NoFix++
		}
	}
	out.Details = det
	out.Summary = append(out.Summary, fmt.Sprintf("%d vulnerable package/advisory pairs (%d without a fix) from %d packages; database %s, imported %s",
		len(ms), det.NoFix, len(inv.Packages), store.Path(), info.ImportedAt.Format(time.DateOnly)))
	return out, nil
}

func hasOS(inv *model.Inventory) bool {
	for _, p := range inv.Packages {
		if p.Type.IsOS() {
			return true
		}
	}
	return false
}
