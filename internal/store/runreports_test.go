package store

import (
	"context"
	"slices"
	"testing"
)

// Agents' run reports of an ingest batch, applied in one transaction: in
// order, a host only moves its own runs, impossible transitions skipped.
func TestApplyRunReports(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		a, bh := host(t, s, "a", nil), host(t, s, "b", nil)
		task, err := s.CreateTask(ctx, NewTask{Type: "baseline", Target: Target{All: true}, CreatedBy: "olga"})
		if err != nil {
			t.Fatal(err)
		}
		runs, err := s.QueueRuns(ctx, task.ID)
		if err != nil || len(runs) != 2 {
			t.Fatalf("queued: %+v %v", runs, err)
		}
		ra, rb := runs[0].ID, runs[1].ID
		if runs[0].HostID != a {
			ra, rb = rb, ra
		}
		reps := []RunReport{
			{RunID: ra, HostID: a, Status: RunRunning},
			{RunID: rb, HostID: a, Status: RunRunning},                // not a's run
			{RunID: ra, HostID: a, Status: RunDone},                   // in order: after running
			{RunID: ra, HostID: a, Status: RunRunning},                // late: already done
			{RunID: rb, HostID: bh, Status: RunFailed, Error: "boom"}, // queued → failed
			{RunID: rb, HostID: bh, Status: "bogus"},
			{RunID: 99999, HostID: bh, Status: RunRunning},
		}
		applied, err := s.ApplyRunReports(ctx, reps)
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, false, true, false, true, false, false}; !slices.Equal(applied, want) {
			t.Fatalf("applied %v, want %v", applied, want)
		}
		got, _ := s.Runs(ctx, RunFilter{TaskID: task.ID})
		for _, r := range got {
			switch {
			case r.ID == ra && (r.Status != RunDone || r.StartedAt.IsZero() || r.FinishedAt.IsZero()):
				t.Errorf("run of a: %+v", r)
			case r.ID == rb && (r.Status != RunFailed || r.Error != "boom"):
				t.Errorf("run of b: %+v", r)
			}
		}
		if applied, err := s.ApplyRunReports(ctx, nil); err != nil || len(applied) != 0 {
			t.Fatalf("no reports: %v %v", applied, err)
		}
	})
}
