package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
)

// fakeCollector returns whatever inventory fragment the test sets.
type fakeCollector struct {
	mu   sync.Mutex
	frag model.Inventory
}

func (c *fakeCollector) Name() string    { return "test/fake" }
func (c *fakeCollector) Phase() int      { return 0 }
func (c *fakeCollector) NeedsLive() bool { return false }
func (c *fakeCollector) Collect(ctx context.Context, _ *inventory.Env) (*model.Inventory, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Deep copy through JSON: the agent must not share slices with us.
	b, _ := json.Marshal(&c.frag)
	var out model.Inventory
	return &out, json.Unmarshal(b, &out)
}

func (c *fakeCollector) set(f func(*model.Inventory)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.frag)
}

func packages(prefix string, n, pad int) []model.Package {
	var out []model.Package
	for i := range n {
		out = append(out, model.Package{Type: model.PkgDeb, Name: fmt.Sprintf("%s%03d", prefix, i), Version: "1.0-" + string(bytes.Repeat([]byte("v"), pad)), Location: "/var/lib/dpkg/status"})
	}
	return out
}

// published is one result as the fake JetStream stored it.
type published struct {
	kind, id string
	msg      ResultMessage
	size     int
}

// fakePublisher is a JetStream stand-in: it dedups by message id (the
// duplicate window) and can fail, or store and then lose the PubAck.
type fakePublisher struct {
	t        *testing.T
	mu       sync.Mutex
	down     bool
	failNext int // fail this many publishes outright
	loseAcks int // store this many, then report an error
	// flaky, when set, fails attempt n (counting from 1) outright when
	// it returns 1, or stores it and loses the PubAck when it returns 2.
	flaky    func(n int) int
	attempts map[string]int
	order    []string // attempts in order
	stored   []published
	byID     map[string]bool
	hbs      []Heartbeat
}

func newFakePublisher(t *testing.T) *fakePublisher {
	return &fakePublisher{t: t, attempts: map[string]int{}, byID: map[string]bool{}}
}

var errNoServer = errors.New("fake: no server")

func (p *fakePublisher) PublishResult(ctx context.Context, kind, msgID string, payload []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.attempts[msgID]++
	p.order = append(p.order, msgID)
	if p.down {
		return errNoServer
	}
	mode := 0
	if p.flaky != nil {
		mode = p.flaky(len(p.order))
	}
	if p.failNext > 0 || mode == 1 {
		p.failNext = max(0, p.failNext-1)
		return errNoServer
	}
	var m ResultMessage
	if err := json.Unmarshal(payload, &m); err != nil {
		p.t.Errorf("payload of %s is not a ResultMessage: %v", msgID, err)
	}
	if m.MsgID != msgID || m.Kind != kind {
		p.t.Errorf("published as %s/%s but the message says %s/%s", kind, msgID, m.Kind, m.MsgID)
	}
	if !p.byID[msgID] {
		p.byID[msgID] = true
		p.stored = append(p.stored, published{kind, msgID, m, len(payload)})
	}
	if p.loseAcks > 0 || mode == 2 {
		p.loseAcks = max(0, p.loseAcks-1)
		return errors.New("fake: PubAck timed out")
	}
	return nil
}

func (p *fakePublisher) PublishHeartbeat(ctx context.Context, payload []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return errNoServer
	}
	var hb Heartbeat
	if err := json.Unmarshal(payload, &hb); err != nil {
		p.t.Errorf("heartbeat: %v", err)
	}
	p.hbs = append(p.hbs, hb)
	return nil
}

func (p *fakePublisher) setDown(v bool) {
	p.mu.Lock()
	p.down = v
	p.mu.Unlock()
}

func (p *fakePublisher) results() []published {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.stored)
}

func (p *fakePublisher) heartbeats() []Heartbeat {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.hbs)
}

// chanTasks is a TaskSource fed by the test.
type chanTasks chan TaskMessage

func (c chanTasks) NextTask(ctx context.Context) (TaskMessage, error) {
	select {
	case t := <-c:
		return t, nil
	case <-ctx.Done():
		return TaskMessage{}, ctx.Err()
	}
}

// storeDiffer is what the lead wires: the store's delta, as JSON.
var storeDiffer = DifferFunc(func(base, next *model.Inventory) (json.RawMessage, error) {
	return json.Marshal(store.Diff(base, next))
})

// harness runs one agent over a state directory.
type harness struct {
	t     *testing.T
	dir   string
	coll  *fakeCollector
	pub   *fakePublisher
	tasks chanTasks
	agent *Agent
	stop  func()
}

func newHarness(t *testing.T, dir string, coll *fakeCollector, pub *fakePublisher, tweak func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, dir: dir, coll: coll, pub: pub, tasks: make(chanTasks, 16)}
	opts := Options{
		Dir:               dir,
		AgentID:           "agt_test",
		Version:           "test",
		Publisher:         pub,
		Tasks:             h.tasks,
		Differ:            storeDiffer,
		HeartbeatInterval: time.Hour,
		RetryMin:          time.Millisecond,
		RetryMax:          5 * time.Millisecond,
		Logger:            slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	opts.Scan.Root = t.TempDir()
	opts.Scan.Collectors = []inventory.Collector{coll}
	if tweak != nil {
		tweak(&opts)
	}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.agent = a
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			<-done
			a.Close()
		})
	}
	t.Cleanup(h.stop)
	return h
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(b, "\n"))
	return len(b), nil
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// runResults waits until run's final status is stored and returns the
// run's stored results in order.
func (h *harness) runResults(runID string) []published {
	h.t.Helper()
	var out []published
	waitFor(h.t, "run "+runID+" to finish", func() bool {
		out = out[:0]
		final := false
		for _, p := range h.pub.results() {
			if p.msg.RunID == runID {
				out = append(out, p)
				final = final || p.msg.Status == StatusDone || p.msg.Status == StatusFailed
			}
		}
		return final
	})
	return out
}

func (h *harness) run(runID string, params string) []published {
	h.t.Helper()
	t := TaskMessage{RunID: runID, TaskID: "task-" + runID, Type: TaskInventory}
	if params != "" {
		t.Params = json.RawMessage(params)
	}
	h.tasks <- t
	return h.runResults(runID)
}

func kindsOf(ps []published) string {
	var out []string
	for _, p := range ps {
		s := p.kind
		if p.msg.Status != "" {
			s += ":" + p.msg.Status
		}
		out = append(out, s)
	}
	return fmt.Sprint(out)
}

// serverView applies every stored inventory message in order, as the
// server's store does, failing the test if a delta does not apply.
func serverView(t *testing.T, ps []published) *model.Inventory {
	t.Helper()
	var inv *model.Inventory
	for _, p := range ps {
		switch p.kind {
		case KindInventory:
			inv = store.Canonical(p.msg.Inventory)
		case KindInventoryDelta:
			var d store.InventoryDelta
			if err := json.Unmarshal(p.msg.Delta, &d); err != nil {
				t.Fatalf("delta %s: %v", p.id, err)
			}
			next, err := store.Apply(inv, d)
			if err != nil {
				t.Fatalf("delta %s does not apply: %v", p.id, err)
			}
			inv = next
		}
	}
	return inv
}

// sameClasses compares what the server holds with what was scanned.
func sameClasses(t *testing.T, got *model.Inventory, want model.Inventory) {
	t.Helper()
	if got == nil {
		t.Fatal("server holds no inventory")
	}
	g, _ := json.Marshal(map[string]any{"p": got.Packages, "u": got.Users, "s": got.Services})
	w, _ := json.Marshal(map[string]any{"p": store.Canonical(&want).Packages, "u": want.Users, "s": want.Services})
	if !bytes.Equal(g, w) {
		t.Fatalf("server view differs from the scan:\n got %s\nwant %s", g, w)
	}
}
