package server

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/store"
)

// fakeClock drives the scheduler (and the store, so that queued_at agrees
// with it) in tests. After jumps the time forward at once, so run goes
// through minutes as fast as it can; once the time passes end, After
// cancels the loop instead of firing.
type fakeClock struct {
	mu   sync.Mutex
	now  time.Time
	end  time.Time
	stop context.CancelFunc
}

func newFakeClock(now time.Time) *fakeClock { return &fakeClock{now: now} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now, past := c.now, !c.end.IsZero() && c.now.After(c.end)
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if past {
		c.stop()
		return ch
	}
	ch <- now
	return ch
}

// sent is one call of the scheduler's send.
type sent struct {
	at     time.Time // clock time of the call
	taskID int64
	runs   []store.TaskRun
}

// sentLog records what a test scheduler sent.
type sentLog struct {
	mu    sync.Mutex
	calls []sent
}

func (l *sentLog) all() []sent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]sent(nil), l.calls...)
}

func testScheduler(st *store.Store, clk clock) (*scheduler, *sentLog) {
	log := &sentLog{}
	sc := &scheduler{
		store: st,
		send: func(_ context.Context, task store.Task, runs []store.TaskRun) {
			log.mu.Lock()
			log.calls = append(log.calls, sent{at: clk.Now(), taskID: task.ID, runs: runs})
			log.mu.Unlock()
		},
		clock:      clk,
		runTimeout: defaultRunTimeout,
		log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return sc, log
}

// openStore opens the SQLite store at path on clk, as one server would.
func openStore(t *testing.T, path string, clk *fakeClock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite://"+path, store.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seed adds n hosts and a task on all of them with schedule ("" for a
// one-off task).
func seed(t *testing.T, st *store.Store, n int, schedule string) store.Task {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		name := string(rune('a' + i))
		if _, err := st.UpsertHost(ctx, store.HostInfo{IdentityKey: "id-" + name, Hostname: name}); err != nil {
			t.Fatal(err)
		}
	}
	task, err := st.CreateTask(ctx, store.NewTask{Type: "inventory", Target: store.Target{All: true}, Schedule: schedule, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func minuteOf(day time.Time, hhmm string) time.Time {
	t, err := time.Parse("15:04:05", hhmm)
	if err != nil {
		panic(err)
	}
	return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second)
}

var day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func TestScheduleRunsEveryFiveMinutes(t *testing.T) {
	clk := newFakeClock(minuteOf(day, "09:59:30"))
	st := openStore(t, filepath.Join(t.TempDir(), "ward.db"), clk)
	task := seed(t, st, 2, "*/5 * * * *")
	sc, log := testScheduler(st, clk)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk.end, clk.stop = minuteOf(day, "10:06:30"), cancel
	sc.run(ctx) // ticks 09:59:30, 10:00, 10:01, …, 10:06

	calls := log.all()
	if len(calls) != 2 {
		t.Fatalf("%d sends, want 2 (10:00 and 10:05): %+v", len(calls), calls)
	}
	for i, want := range []time.Time{minuteOf(day, "10:00:00"), minuteOf(day, "10:05:00")} {
		c := calls[i]
		if !c.at.Equal(want) || c.taskID != task.ID || len(c.runs) != 2 {
			t.Errorf("send %d: at %s task %d, %d runs; want at %s, task %d, 2 runs", i, c.at.Format("15:04:05"), c.taskID, len(c.runs), want.Format("15:04:05"), task.ID)
		}
	}
	runs, err := st.Runs(context.Background(), store.RunFilter{TaskID: task.ID})
	if err != nil {
		t.Fatal(err)
	}
	queuedAt := map[string]int{}
	for _, r := range runs {
		queuedAt[r.QueuedAt.Format("15:04:05")]++
	}
	if len(runs) != 4 || queuedAt["10:00:00"] != 2 || queuedAt["10:05:00"] != 2 {
		t.Fatalf("runs queued at %v, want 2 at 10:00 and 2 at 10:05", queuedAt)
	}
}

// Two servers on one database tick the same minutes (a second apart, and
// truly concurrently): each minute's runs are queued and sent once.
func TestTwoReplicasQueueEachMinuteOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ward.db")
	clkA, clkB := newFakeClock(day), newFakeClock(day)
	a, b := openStore(t, path, clkA), openStore(t, path, clkB)
	seed(t, a, 3, "* * * * *")
	scA, logA := testScheduler(a, clkA)
	scB, logB := testScheduler(b, clkB)

	const minutes = 5
	for i := range minutes {
		m := minuteOf(day, "10:00:00").Add(time.Duration(i) * time.Minute)
		clkA.Set(m)
		clkB.Set(m.Add(time.Second))
		var wg sync.WaitGroup
		for _, sc := range []*scheduler{scA, scB} {
			wg.Add(1)
			go func() { defer wg.Done(); sc.tick(context.Background()) }()
		}
		wg.Wait()
	}

	perMinute := map[time.Time]int{}
	for _, c := range append(logA.all(), logB.all()...) {
		perMinute[c.at.Truncate(time.Minute)]++
		if len(c.runs) != 3 {
			t.Errorf("send at %s: %d runs, want 3", c.at, len(c.runs))
		}
	}
	if len(perMinute) != minutes {
		t.Errorf("sends in %d minutes, want %d: %v", len(perMinute), minutes, perMinute)
	}
	for m, n := range perMinute {
		if n != 1 {
			t.Errorf("minute %s sent %d times", m.Format("15:04"), n)
		}
	}
	runs, err := a.Runs(context.Background(), store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != minutes*3 {
		t.Fatalf("%d runs, want %d", len(runs), minutes*3)
	}
}

// A server restarted within a minute it already scheduled does not queue
// it again; minutes missed while it was down are not replayed.
func TestRestartDoesNotRequeueOrReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ward.db")
	ctx := context.Background()
	clk := newFakeClock(minuteOf(day, "10:00:05"))
	first := openStore(t, path, clk)
	seed(t, first, 1, "*/5 * * * *")
	sc, log := testScheduler(first, clk)
	sc.tick(ctx)
	if n := len(log.all()); n != 1 {
		t.Fatalf("first start at 10:00:05: %d sends, want 1", n)
	}
	first.Close()

	second := openStore(t, path, clk)
	sc, log = testScheduler(second, clk)
	for _, at := range []string{"10:00:40", "10:07:00"} { // restart in 10:00; 10:05 missed
		clk.Set(minuteOf(day, at))
		sc.tick(ctx)
		if calls := log.all(); len(calls) != 0 {
			t.Fatalf("tick at %s after restart sent %+v", at, calls)
		}
	}
	clk.Set(minuteOf(day, "10:10:00"))
	sc.tick(ctx)
	if n := len(log.all()); n != 1 {
		t.Fatalf("10:10 after restart: %d sends, want 1", n)
	}
	runs, err := second.Runs(ctx, store.RunFilter{})
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v; want 2 (10:00 and 10:10)", runs, err)
	}
}

// Runs past their deadline (an hour after queued, or after started for a
// run an agent took) are timed out on a tick; finished runs are left alone.
func TestStaleRunsTimeOut(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock(minuteOf(day, "10:00:00"))
	st := openStore(t, filepath.Join(t.TempDir(), "ward.db"), clk)
	task := seed(t, st, 3, "")
	runs, err := st.QueueRuns(ctx, task.ID)
	if err != nil || len(runs) != 3 {
		t.Fatalf("queue: %v %v", runs, err)
	}
	queued, running, done := runs[0].ID, runs[1].ID, runs[2].ID
	clk.Set(minuteOf(day, "10:10:00"))
	for _, step := range []struct {
		id int64
		to store.RunStatus
	}{{running, store.RunRunning}, {done, store.RunRunning}, {done, store.RunDone}} {
		if err := st.SetRunStatus(ctx, step.id, step.to, ""); err != nil {
			t.Fatal(err)
		}
	}
	sc, _ := testScheduler(st, clk)

	status := func() map[int64]store.RunStatus {
		rs, err := st.Runs(ctx, store.RunFilter{TaskID: task.ID})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]store.RunStatus{}
		for _, r := range rs {
			out[r.ID] = r.Status
		}
		return out
	}
	for _, step := range []struct {
		at   string
		want map[int64]store.RunStatus
	}{
		{"10:59:30", map[int64]store.RunStatus{queued: store.RunQueued, running: store.RunRunning, done: store.RunDone}},
		{"11:00:30", map[int64]store.RunStatus{queued: store.RunTimeout, running: store.RunRunning, done: store.RunDone}},
		{"11:10:30", map[int64]store.RunStatus{queued: store.RunTimeout, running: store.RunTimeout, done: store.RunDone}},
	} {
		clk.Set(minuteOf(day, step.at))
		sc.tick(ctx)
		got := status()
		for id, want := range step.want {
			if got[id] != want {
				t.Errorf("at %s run %d is %s, want %s", step.at, id, got[id], want)
			}
		}
	}
}

// The running server schedules: a task due every minute gets a run as soon
// as the server starts, and a run left queued for hours is timed out.
func TestServerRunsTheScheduler(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clk := newFakeClock(time.Now().Add(-2 * time.Hour))
	st := openStore(t, filepath.Join(dir, "ward.db"), clk)
	stale := seed(t, st, 1, "")
	if _, err := st.QueueRuns(ctx, stale.ID); err != nil {
		t.Fatal(err)
	}
	every, err := st.CreateTask(ctx, store.NewTask{Type: "inventory", Target: store.Target{All: true}, Schedule: "* * * * *", CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	s, err := Start(ctx, Config{DataDir: dir, Listen: "127.0.0.1:0", NATSListen: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	runsOf := func(id int64, status store.RunStatus) int {
		rs, _ := s.Store.Runs(ctx, store.RunFilter{TaskID: id, Status: status})
		return len(rs)
	}
	waitFor(t, "the scheduled task's run", func() bool { return runsOf(every.ID, store.RunQueued) >= 1 })
	waitFor(t, "the stale run to time out", func() bool { return runsOf(stale.ID, store.RunTimeout) == 1 })
}
