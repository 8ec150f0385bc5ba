package scan

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// Detector is a capability that runs after the inventory: vulnerability
// matching, weak passwords, baselines, malware. `ward scan --vuln ...` and
// the agent's tasks both run detectors through Run.
type Detector interface {
	// Name is the detector's short name ("vuln", "weakpass", "baseline",
	// "malware"); it names the findings scope on the server too.
	Name() string
	// Detect examines the host. An error fails this detector only: the
	// scan reports it and goes on with the others.
	Detect(ctx context.Context, env *DetectEnv) (*DetectOutput, error)
}

// DetectEnv is what a detector may look at.
type DetectEnv struct {
	// FS is the scanned root, confined: paths never resolve outside it.
	FS *rootfs.FS
	// Root is the root's path on this machine ("/" for the live host).
	Root string
	// Live is true when Root is the running host ("/"), so /proc and
	// sockets describe the same system as FS.
	Live bool
	// ProcRoot is /proc, or a fixture in tests.
	ProcRoot string
	// Inventory was collected in this scan (possibly by a subset of the
	// collectors); detectors read it instead of walking the disk again.
	Inventory *model.Inventory
	Log       *slog.Logger

	mu       sync.Mutex
	warnings []model.Warning
}

// Warn records a non-fatal problem (an unreadable file, a malformed
// record) naming its source; the detector goes on.
func (e *DetectEnv) Warn(detector, path, format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.warnings = append(e.warnings, model.Warning{Collector: detector, Path: path, Message: fmt.Sprintf(format, args...)})
}

// DetectOutput is a detector's result.
type DetectOutput struct {
	Findings []model.Finding
	// Summary lines for the table report.
	Summary []string
	// Details is structured output for JSON reports (JSON-marshallable).
	Details any
}

// runDetectors runs each detector in turn (they size their own
// parallelism to GOMAXPROCS) and records how each went.
func runDetectors(ctx context.Context, env *DetectEnv, detectors []Detector) ([]model.Finding, []model.Detection) {
	var findings []model.Finding
	var runs []model.Detection
	for _, d := range detectors {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		env.mu.Lock()
		env.warnings = nil
		env.mu.Unlock()
		out, err := d.Detect(ctx, env)
		run := model.Detection{Detector: d.Name(), Status: "ok", DurationMS: time.Since(start).Milliseconds()}
		if err != nil {
			run.Status, run.Error = "failed", err.Error()
		}
		if out != nil {
			findings = append(findings, out.Findings...)
			run.Summary, run.Details = out.Summary, out.Details
		}
		env.mu.Lock()
		run.Warnings = env.warnings
		env.mu.Unlock()
		runs = append(runs, run)
	}
	return findings, runs
}
