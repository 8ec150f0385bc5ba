package agent

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

// A registered runner gets the task, reports findings and data through
// the spool, and its error fails the run.
func TestTaskRunners(t *testing.T) {
	var gotDir string
	runners := map[string]TaskRunner{
		"check": func(ctx context.Context, tc *TaskContext) error {
			dir, err := tc.StateDir("check")
			if err != nil {
				return err
			}
			gotDir = dir
			f := model.Finding{ID: "f1", Kind: model.KindMalware, Rule: "test/rule", Title: string(tc.Task.Params)}
			if err := tc.ReportFindings("check", []model.Finding{f}); err != nil {
				return err
			}
			return tc.Report(ResultMessage{Kind: "check-data", Data: json.RawMessage(`{"n":1}`)})
		},
		"broken": func(ctx context.Context, tc *TaskContext) error {
			if _, err := tc.StateDir("../escape"); err == nil {
				return errors.New("state dir escaped the agent dir")
			}
			return errors.New("probe exploded")
		},
	}
	pub := newFakePublisher(t)
	h := newHarness(t, t.TempDir(), &fakeCollector{}, pub, func(o *Options) { o.Runners = runners })

	h.tasks <- TaskMessage{RunID: "c1", Type: "check", Params: json.RawMessage(`"p"`)}
	got := h.runResults("c1")
	if k := kindsOf(got); k != "[task-status:running findings check-data task-status:done]" {
		t.Fatalf("check run: %s", k)
	}
	if m := got[1].msg; m.Scope != "check" || len(m.Findings) != 1 || m.Findings[0].Title != `"p"` {
		t.Fatalf("findings message %+v", m)
	}
	if string(got[2].msg.Data) != `{"n":1}` {
		t.Fatalf("data %s", got[2].msg.Data)
	}
	if st, err := os.Stat(gotDir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("state dir %s: %v %v", gotDir, st, err)
	}

	h.tasks <- TaskMessage{RunID: "b1", Type: "broken"}
	got = h.runResults("b1")
	if last := got[len(got)-1].msg; last.Status != StatusFailed || last.Error != "probe exploded" {
		t.Fatalf("broken run ended %+v", last)
	}
}
