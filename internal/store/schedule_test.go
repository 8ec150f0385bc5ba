package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
)

func scheduledTask(t testing.TB, s *Store, schedule string) Task {
	t.Helper()
	task, err := s.CreateTask(context.Background(), NewTask{Type: "inventory", Target: Target{All: true}, Schedule: schedule, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestQueueScheduledRunsClaimsEachMinuteOnce(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		host(t, s, "a", nil)
		host(t, s, "b", nil)
		task := scheduledTask(t, s, "* * * * *")
		m := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

		claim := func(at time.Time) ([]TaskRun, bool) {
			t.Helper()
			runs, ok, err := s.QueueScheduledRuns(ctx, task.ID, at)
			if err != nil {
				t.Fatal(err)
			}
			return runs, ok
		}
		runs, ok := claim(m.Add(12 * time.Second))
		if !ok || len(runs) != 2 || runs[0].Status != RunQueued || runs[0].TaskID != task.ID || runs[0].ID >= runs[1].ID {
			t.Fatalf("first claim: %v %+v", ok, runs)
		}
		for _, again := range []time.Time{m, m.Add(59 * time.Second), m.Add(-time.Minute)} {
			if runs, ok := claim(again); ok || runs != nil {
				t.Fatalf("claim of %s after %s succeeded: %+v", again, m, runs)
			}
		}
		if _, ok := claim(m.Add(time.Minute)); !ok {
			t.Fatal("next minute not claimed")
		}
		if got := count(t, s, "task_runs"); got != 4 {
			t.Fatalf("%d runs, want 4", got)
		}

		oneOff, err := s.CreateTask(ctx, NewTask{Type: "inventory", Target: Target{All: true}, CreatedBy: "test"})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{oneOff.ID, 9999} {
			if runs, ok, err := s.QueueScheduledRuns(ctx, id, m); ok || runs != nil || err != nil {
				t.Fatalf("task %d (one-off or missing): %v %v %v", id, runs, ok, err)
			}
		}
	})
}

// Replicas on one database (separate store handles, as separate servers
// have) racing for the same minutes: each minute is queued exactly once.
func TestQueueScheduledRunsRacingReplicas(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		dsn := b.fresh(t)
		first := openDSN(t, dsn)
		host(t, first, "a", nil)
		host(t, first, "b", nil)
		host(t, first, "c", nil)
		task := scheduledTask(t, first, "* * * * *")
		replicas := []*Store{first, openDSN(t, dsn), openDSN(t, dsn), openDSN(t, dsn)}

		const minutes = 8
		start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		claims := map[time.Time]int{}
		var wg sync.WaitGroup
		for _, r := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range minutes {
					m := start.Add(time.Duration(i) * time.Minute)
					runs, ok, err := r.QueueScheduledRuns(ctx, task.ID, m)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						claims[m]++
						mu.Unlock()
						if len(runs) != 3 {
							t.Errorf("minute %s: %d runs, want 3", m, len(runs))
						}
					}
				}
			}()
		}
		wg.Wait()
		for i := range minutes {
			if m := start.Add(time.Duration(i) * time.Minute); claims[m] != 1 {
				t.Errorf("minute %s claimed %d times", m.Format("15:04"), claims[m])
			}
		}
		if got := count(t, first, "task_runs"); got != minutes*3 {
			t.Fatalf("%d runs, want %d", got, minutes*3)
		}
	})
}

func TestScheduledTasks(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		host(t, s, "a", nil)
		a := scheduledTask(t, s, "0 * * * *")
		if _, err := s.CreateTask(ctx, NewTask{Type: "inventory", Target: Target{All: true}, CreatedBy: "test"}); err != nil {
			t.Fatal(err)
		}
		c := scheduledTask(t, s, "*/5 * * * *")
		got, err := s.ScheduledTasks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != a.ID || got[1].ID != c.ID || got[1].Schedule != "*/5 * * * *" {
			t.Fatalf("scheduled tasks %+v", got)
		}
	})
}

// Migration 2 goes down and up again on both backends (an operator
// rolling back a release with goose).
func TestScheduleMigrationDownAndUp(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		scheduledTask(t, s, "* * * * *")
		fsys, err := migrationsFS(s.d)
		if err != nil {
			t.Fatal(err)
		}
		gd := goose.DialectSQLite3
		if s.d == dialectPostgres {
			gd = goose.DialectPostgres
		}
		p, err := goose.NewProvider(gd, s.w, fsys, goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true))
		if err != nil {
			t.Fatal(err)
		}
		hasColumn := func() bool {
			_, err := s.writer().exec(ctx, `UPDATE tasks SET last_scheduled = NULL`)
			return err == nil
		}
		if !hasColumn() {
			t.Fatal("no last_scheduled column after migrating")
		}
		if _, err := p.DownTo(ctx, 1); err != nil {
			t.Fatalf("down to 1: %v", err)
		}
		if hasColumn() {
			t.Fatal("last_scheduled still there after down")
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		if !hasColumn() || count(t, s, "tasks") != 1 {
			t.Fatal("up again lost the column or the task")
		}
	})
}
