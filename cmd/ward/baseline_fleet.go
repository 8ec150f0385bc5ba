package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/fleet/baselinetask"
	"github.com/ward-sec/ward/internal/scan"
)

// The fleet side of the baseline capability: the "baseline" task type the
// server accepts and the agent's runner for it. (The local side, `ward
// scan --baseline` and `ward baseline ...`, is in baseline.go; the
// server's views are `ward compliance ...`.) It registers as a capability
// of its own with no scan switch, so the two files stay independent.
func init() {
	register(capability{
		Name: "baseline-fleet",
		TaskTypes: []api.TaskType{{
			Name: baselinetask.Kind,
			Description: `check compliance baselines; params {"policies": ["debian12-l1", ...] or "auto", ` +
				`"level": "1"|"2" and/or "mlps2"|"mlps3", "overrides": {"password_max_days": "180"}}; results in the check-item and host views (ward compliance)`,
			CheckParams: func(params json.RawMessage) error {
				lib, _ := baseline.Library(nil)
				p, err := baselinetask.ParseParams(params, lib.IDs())
				if err != nil {
					return err
				}
				return baselinetask.CheckOverrides(p, lib)
			},
		}},
		Runners: map[string]agent.TaskRunner{baselinetask.Kind: runBaselineTask},
	})
}

// runBaselineTask runs the baseline detector over the agent's root (with
// a fresh inventory: "auto" and several probes read it) and reports the
// failed checks as findings of scope "baseline" and the whole report,
// compacted, as "baseline" results.
func runBaselineTask(ctx context.Context, tc *agent.TaskContext) error {
	p, err := baselinetask.ParseParams(tc.Task.Params, nil)
	if err != nil {
		return err
	}
	det := &baseline.Detector{Opts: baseline.Options{Policies: p.Policies, Level: p.Level, Overrides: p.Overrides}}
	opts := tc.Scan
	opts.Detectors = []scan.Detector{det}
	if opts.Log == nil {
		opts.Log = tc.Log
	}
	res, err := scan.Run(ctx, opts)
	if err != nil {
		return err
	}
	var rep *baseline.Report
	for _, d := range res.Detections {
		if d.Detector != det.Name() {
			continue
		}
		if d.Status != "ok" {
			return fmt.Errorf("baseline: %s", d.Error)
		}
		for _, w := range d.Warnings {
			tc.Log.Warn("baseline", "path", w.Path, "warning", w.Message)
		}
		rep, _ = d.Details.(*baseline.Report)
	}
	if rep == nil {
		return fmt.Errorf("baseline: the detector gave no report")
	}
	msgs, err := baselinetask.Messages(rep, agent.DefaultMaxMessageBytes-64<<10)
	if err != nil {
		return err
	}
	if err := tc.ReportFindings(baselinetask.Kind, baseline.Findings(rep)); err != nil {
		return err
	}
	for _, m := range msgs {
		if err := tc.Report(agent.ResultMessage{Kind: baselinetask.Kind, Data: m}); err != nil {
			return err
		}
	}
	return nil
}
