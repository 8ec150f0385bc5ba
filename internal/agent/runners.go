package agent

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
)

// TaskRunner runs one task type beyond "inventory" (vuln, weakpass,
// baseline, malware...). It runs on the agent's single worker under the
// scan limits; its results go through the spool like every result.
type TaskRunner func(ctx context.Context, tc *TaskContext) error

// TaskContext is what a TaskRunner gets: the task, the agent's scan
// options, and ways to report.
type TaskContext struct {
	Task TaskMessage
	// Scan are the agent's scan options (root, collectors); runners that
	// need an inventory run scan.Run with them plus their detectors.
	Scan scan.Options
	Log  *slog.Logger
	a    *Agent
}

// ReportFindings replaces the host's open findings of scope on the
// server with fs (an empty set closes them all). Always report, even with
// nothing found.
func (tc *TaskContext) ReportFindings(scope string, fs []model.Finding) error {
	if fs == nil {
		fs = []model.Finding{}
	}
	return tc.Report(ResultMessage{Kind: KindFindings, Scope: scope, Findings: fs})
}

// Report spools a result of any kind for this run (RunID is filled in).
// One result must fit in one message (DefaultMaxMessageBytes).
func (tc *TaskContext) Report(m ResultMessage) error {
	m.RunID = tc.Task.RunID
	out, err := tc.a.encode(m)
	if err != nil {
		return err
	}
	return tc.a.enqueue(out)
}

// StateDir returns a private directory for the task type's caches and
// state (<agent dir>/<name>, mode 0700), creating it.
func (tc *TaskContext) StateDir(name string) (string, error) {
	if name == "" || filepath.Base(name) != name || name == "." || name == ".." {
		return "", fmt.Errorf("state directory name %q", name)
	}
	dir := filepath.Join(tc.a.opts.Dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("state directory %s: %w", dir, err)
	}
	return dir, nil
}

// runner wraps a TaskRunner as the worker's task function, under the scan
// limits.
func (a *Agent) runner(r TaskRunner) func(context.Context, TaskMessage) error {
	return func(ctx context.Context, t TaskMessage) error {
		restore := a.opts.Limits.ForScan()
		defer restore()
		return r(ctx, &TaskContext{Task: t, Scan: a.opts.Scan, Log: a.log.With("run", t.RunID, "type", t.Type), a: a})
	}
}
