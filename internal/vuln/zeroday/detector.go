package zeroday

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
)

// TaskType is the fleet task that evaluates a check on agents.
const TaskType = "vuln-check"

// TaskParams are a vuln-check task's params: the check file's text.
type TaskParams struct {
	Check string `json:"check"`
}

// ParseParams decodes and validates task params (strict: unknown fields
// and an invalid check are refused when the task is created).
func ParseParams(params json.RawMessage) (*Check, error) {
	var p TaskParams
	dec := json.NewDecoder(bytesReader(params))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("vuln-check params: %w", err)
	}
	if p.Check == "" {
		return nil, errors.New(`vuln-check params: want {"check": "<the check's YAML>"}`)
	}
	return Parse([]byte(p.Check), "check")
}

// Detector evaluates checks after a scan's inventory (`ward vuln check`,
// the agent's vuln-check task).
type Detector struct {
	Checks []*Check
	// Results holds each check's result after Detect.
	Results []Result
}

func (d *Detector) Name() string { return "vuln-check" }

// Detect evaluates every check against the scanned root.
func (d *Detector) Detect(ctx context.Context, env *scan.DetectEnv) (*scan.DetectOutput, error) {
	zenv := &Env{FS: env.FS, Live: env.Live}
	if env.Inventory != nil {
		zenv.Packages = env.Inventory.Packages
	}
	out := &scan.DetectOutput{}
	d.Results = nil
	for _, c := range d.Checks {
		res := c.Evaluate(ctx, zenv)
		d.Results = append(d.Results, res)
		out.Findings = append(out.Findings, c.Findings(res)...)
		state := "not exposed"
		if res.Exposed {
			state = "EXPOSED"
		}
		skipped := 0
		for _, p := range res.Probes {
			if p.Skipped != "" {
				skipped++
				env.Warn(d.Name(), "", "%s line %d: %s probe skipped: %s", c.ID, p.Line, p.Kind, p.Skipped)
			}
		}
		line := fmt.Sprintf("%s: %s (%d probes", c.ID, state, len(res.Probes))
		if skipped > 0 {
			line += fmt.Sprintf(", %d could not be evaluated", skipped)
		}
		out.Summary = append(out.Summary, line+")")
	}
	out.Details = d.Results
	return out, ctx.Err()
}

// Collectors names the inventory collectors the checks need (the OS
// package databases, the language package walk), nil when none.
func Collectors(checks []*Check) []string {
	var os, lang bool
	for _, c := range checks {
		for _, p := range c.Probes {
			if p.Package != nil {
				if p.Package.Type.IsOS() {
					os = true
				} else {
					lang = true
				}
			}
		}
	}
	var out []string
	if os || lang {
		out = append(out, "host") // the release, for the report
	}
	if os {
		out = append(out, "os")
	}
	if lang {
		out = append(out, "lang")
	}
	return out
}

// Findings of a check result, for ReportFindings.
func (d *Detector) Findings() []model.Finding {
	var out []model.Finding
	for i, c := range d.Checks {
		if i < len(d.Results) {
			out = append(out, c.Findings(d.Results[i])...)
		}
	}
	return out
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
