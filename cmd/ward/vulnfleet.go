package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/server"
	"github.com/ward-sec/ward/internal/vuln/db"
	"github.com/ward-sec/ward/internal/vuln/fleet"
	"github.com/ward-sec/ward/internal/vuln/zeroday"
)

// vulnServerDB is the fleet's advisory database under the server's data
// directory: one for the fleet, fed through POST /api/v1/vulndb/import
// (`ward vuln import`), which re-matches the stored inventories.
func vulnServerDB(dataDir string) string { return filepath.Join(dataDir, "vulndb", "advisories.db") }

// vulnServer runs the fleet matcher: every applied inventory re-matches
// its host in the background; imports through the API re-match the fleet.
func vulnServer(ctx context.Context, s *server.Server, dataDir string) (*serverPart, error) {
	path := vulnServerDB(dataDir)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	vdb, err := db.Open(path)
	if err != nil {
		return nil, err
	}
	m := fleet.New(s.Store, vdb, s.Logger())
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m.Run(runCtx) }()
	return &serverPart{
		OnApplied: m.OnApplied,
		API:       func(o *api.Options) { o.Vuln = m },
		Close: func() {
			cancel()
			wg.Wait()
			vdb.Close()
		},
	}, nil
}

// vulnCheckTaskType is the fleet task evaluating an operator-written
// 0-day check (zeroday); the check is validated when the task is created.
var vulnCheckTaskType = api.TaskType{
	Name:        zeroday.TaskType,
	Description: `evaluate a 0-day exposure check; params {"check": "<YAML>"} (see docs/vuln-checks.md, ward vuln push)`,
	CheckParams: func(params json.RawMessage) error {
		_, err := zeroday.ParseParams(params)
		return err
	},
}

// runVulnCheckTask evaluates the task's check on this host and reports
// its findings under scope vuln-check:<id> (replacing the last ones).
func runVulnCheckTask(ctx context.Context, tc *agent.TaskContext) error {
	c, err := zeroday.ParseParams(tc.Task.Params)
	if err != nil {
		return err
	}
	d := &zeroday.Detector{Checks: []*zeroday.Check{c}}
	opts := tc.Scan
	if need := zeroday.Collectors(d.Checks); need == nil {
		opts.Collectors, opts.Only = nil, nil
	} else {
		opts.Only = need
	}
	opts.Detectors = []scan.Detector{d}
	if _, err := scan.Run(ctx, opts); err != nil {
		return err
	}
	return tc.ReportFindings(c.Scope(), d.Findings())
}

// withChecks adds operator-written 0-day checks (`ward scan --vuln
// --check FILE`) to the vuln detector: both run on the scan's inventory
// and their findings are reported together.
func withChecks(d scan.Detector, files []string) (scan.Detector, error) {
	if len(files) == 0 {
		return d, nil
	}
	z := &zeroday.Detector{}
	for _, f := range files {
		c, err := zeroday.LoadFile(f)
		if err != nil {
			return nil, err
		}
		z.Checks = append(z.Checks, c)
	}
	return &vulnAndChecks{vuln: d, checks: z}, nil
}

type vulnAndChecks struct {
	vuln   scan.Detector
	checks *zeroday.Detector
}

func (d *vulnAndChecks) Name() string { return d.vuln.Name() }

// Detect runs the advisory matching, then the checks (also when matching
// failed, e.g. on an empty database: the checks need none).
func (d *vulnAndChecks) Detect(ctx context.Context, env *scan.DetectEnv) (*scan.DetectOutput, error) {
	out, err := d.vuln.Detect(ctx, env)
	if out == nil {
		out = &scan.DetectOutput{}
	}
	co, cerr := d.checks.Detect(ctx, env)
	if co != nil {
		out.Findings = append(out.Findings, co.Findings...)
		out.Summary = append(out.Summary, co.Summary...)
		out.Details = map[string]any{"advisories": out.Details, "checks": co.Details}
	}
	if err == nil {
		err = cerr
	}
	return out, err
}
