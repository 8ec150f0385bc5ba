package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/agent/spool"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
)

func TestFirstReportFullThenDeltas(t *testing.T) {
	coll := &fakeCollector{}
	coll.set(func(i *model.Inventory) {
		i.Packages = packages("a", 5, 0)
		i.Users = []model.User{{Name: "root", UID: 0, Shell: "/bin/bash", CanLogin: true}}
	})
	pub := newFakePublisher(t)
	h := newHarness(t, t.TempDir(), coll, pub, nil)

	r1 := h.run("r1", "")
	if got := kindsOf(r1); got != "[task-status:running inventory findings task-status:done]" {
		t.Fatalf("r1: %s", got)
	}
	if r1[2].msg.Scope != ScopePosture {
		t.Errorf("findings scope %q", r1[2].msg.Scope)
	}
	full, _ := json.Marshal(r1[1].msg.Inventory)
	fullHash := sha256.Sum256(full)

	coll.set(func(i *model.Inventory) {
		i.Packages = append(packages("a", 4, 0), packages("b", 1, 0)...)
		i.Users = append(i.Users, model.User{Name: "bob", UID: 1000})
	})
	r2 := h.run("r2", "")
	if got := kindsOf(r2); got != "[task-status:running inventory-delta findings task-status:done]" {
		t.Fatalf("r2: %s", got)
	}
	if r2[1].msg.BaseHash != hex.EncodeToString(fullHash[:]) {
		t.Errorf("delta base hash %s, want the hash of the full report", r2[1].msg.BaseHash)
	}
	var d store.InventoryDelta
	if err := json.Unmarshal(r2[1].msg.Delta, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.AddedPackages) != 1 || len(d.RemovedPackages) != 1 || d.AddedPackages[0].Name != "b000" || d.RemovedPackages[0].Name != "a004" {
		t.Errorf("delta packages: +%v -%v", d.AddedPackages, d.RemovedPackages)
	}

	// Nothing changed: still a (small) delta, so the server sees the scan.
	r3 := h.run("r3", "")
	if r3[1].kind != KindInventoryDelta {
		t.Fatalf("r3: %s", kindsOf(r3))
	}
	// The server asks for a full report.
	r4 := h.run("r4", `{"full":true}`)
	if r4[1].kind != KindInventory {
		t.Fatalf("r4 with full=true: %s", kindsOf(r4))
	}
	r5 := h.run("r5", "null")
	if r5[1].kind != KindInventoryDelta {
		t.Fatalf("r5: %s", kindsOf(r5))
	}
	var want model.Inventory
	coll.set(func(i *model.Inventory) { want = *i })
	sameClasses(t, serverView(t, pub.results()), want)
}

// TestPublishFailuresLoseNothingDoubleNothing: the server is unreachable
// for a while and PubAcks get lost; every result still arrives, with its
// original id, once.
func TestPublishFailuresLoseNothingDoubleNothing(t *testing.T) {
	coll := &fakeCollector{}
	coll.set(func(i *model.Inventory) { i.Packages = packages("a", 3, 0) })
	pub := newFakePublisher(t)
	pub.failNext, pub.loseAcks = 7, 3
	pub.flaky = func(n int) int {
		switch {
		case n%3 == 0:
			return 1
		case n%5 == 0:
			return 2
		}
		return 0
	}
	h := newHarness(t, t.TempDir(), coll, pub, nil)
	for i, r := range []string{"r1", "r2", "r3"} {
		coll.set(func(inv *model.Inventory) { inv.Packages = packages("a", 3+i, 0) })
		h.run(r, "")
	}
	waitFor(t, "the spool to drain", func() bool { return h.agent.Spooled() == 0 })
	got := pub.results()
	if len(got) != 12 {
		t.Fatalf("%d results stored, want 12: %s", len(got), kindsOf(got))
	}
	retried := 0
	pub.mu.Lock()
	for id, n := range pub.attempts {
		if n > 1 {
			retried++
		}
		if !pub.byID[id] {
			t.Errorf("message %s attempted but never stored", id)
		}
	}
	pub.mu.Unlock()
	if retried < 5 {
		t.Errorf("only %d messages were retried", retried)
	}
	var want model.Inventory
	coll.set(func(i *model.Inventory) { want = *i })
	sameClasses(t, serverView(t, got), want)
}

// TestRestartReplaysSpool: results spooled while the server is away are
// published after a restart, with the same ids, in order; the inventory
// base survives too, so the next report is a delta.
func TestRestartReplaysSpool(t *testing.T) {
	dir := t.TempDir()
	coll := &fakeCollector{}
	coll.set(func(i *model.Inventory) { i.Packages = packages("a", 3, 0) })
	pub := newFakePublisher(t)
	pub.setDown(true)
	h := newHarness(t, dir, coll, pub, nil)
	h.tasks <- TaskMessage{RunID: "r1", Type: TaskInventory}
	waitFor(t, "r1 spooled", func() bool { return h.agent.Spooled() == 4 })
	h.stop()
	if n := len(pub.results()); n != 0 {
		t.Fatalf("%d results stored while down", n)
	}
	sp, err := spool.Open(filepath.Join(dir, "spool"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var spooled []string
	for _, e := range sp.Pending() {
		spooled = append(spooled, e.ID)
	}

	pub.setDown(false)
	coll.set(func(i *model.Inventory) { i.Packages = packages("a", 4, 0) })
	h2 := newHarness(t, dir, coll, pub, nil)
	r1 := h2.runResults("r1")
	if got := kindsOf(r1); got != "[task-status:running inventory findings task-status:done]" {
		t.Fatalf("replayed: %s", got)
	}
	var replayed []string
	for _, p := range r1 {
		replayed = append(replayed, p.id)
	}
	if strings.Join(replayed, ",") != strings.Join(spooled, ",") {
		t.Fatalf("replayed ids %v, spooled before the restart %v", replayed, spooled)
	}
	r2 := h2.run("r2", "")
	if r2[1].kind != KindInventoryDelta {
		t.Fatalf("after restart: %s", kindsOf(r2))
	}
	var want model.Inventory
	coll.set(func(i *model.Inventory) { want = *i })
	sameClasses(t, serverView(t, pub.results()), want)
}

// TestInterruptedReportIsFull: a crash between spooling a report and
// recording its base leaves the ".next" file; the next report is full.
// So is the first report after the spool dropped part of the chain.
func TestInterruptedReportIsFull(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(dir string) error
	}{
		{"interrupted report", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, baseNextFile), []byte("x"), 0o600)
		}},
		{"spool dropped the chain", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "spool", "need-full"), []byte("x"), 0o600)
		}},
		{"damaged base", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, baseFile), []byte("ward-base 1 00\n{}"), 0o600)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			coll := &fakeCollector{}
			coll.set(func(i *model.Inventory) { i.Packages = packages("a", 3, 0) })
			pub := newFakePublisher(t)
			h := newHarness(t, dir, coll, pub, nil)
			h.run("r1", "")
			h.stop()
			if err := tc.break_(dir); err != nil {
				t.Fatal(err)
			}
			h2 := newHarness(t, dir, coll, pub, nil)
			if r2 := h2.run("r2", ""); r2[1].kind != KindInventory {
				t.Fatalf("r2: %s", kindsOf(r2))
			}
			if r3 := h2.run("r3", ""); r3[1].kind != KindInventoryDelta {
				t.Fatalf("r3: %s", kindsOf(r3))
			}
		})
	}
}

func TestDifferFailureFallsBackToFull(t *testing.T) {
	coll := &fakeCollector{}
	pub := newFakePublisher(t)
	h := newHarness(t, t.TempDir(), coll, pub, func(o *Options) {
		o.Differ = DifferFunc(func(_, _ *model.Inventory) (json.RawMessage, error) { return nil, os.ErrInvalid })
	})
	h.run("r1", "")
	if r2 := h.run("r2", ""); r2[1].kind != KindInventory || r2[3].msg.Status != StatusDone {
		t.Fatalf("r2: %s", kindsOf(r2))
	}
}

func TestTaskStatusCases(t *testing.T) {
	coll := &fakeCollector{}
	pub := newFakePublisher(t)
	now := time.Now()
	h := newHarness(t, t.TempDir(), coll, pub, nil)
	tests := []struct {
		task      TaskMessage
		wantKinds string
		wantErr   string
	}{
		{TaskMessage{RunID: "u1", Type: "vuln"}, "[task-status:failed]", `unknown task type "vuln"`},
		{TaskMessage{RunID: "u2", Type: ""}, "[task-status:failed]", `unknown task type ""`},
		{TaskMessage{RunID: "d1", Type: TaskInventory, Deadline: now.Add(-time.Minute)}, "[task-status:failed]", "passed before the task started"},
		{TaskMessage{RunID: "p1", Type: TaskInventory, Params: json.RawMessage(`{"full":"yes"}`)}, "[task-status:running task-status:failed]", "inventory task params"},
		{TaskMessage{RunID: "ok", Type: TaskInventory, Deadline: now.Add(time.Hour)}, "[task-status:running inventory findings task-status:done]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.task.RunID, func(t *testing.T) {
			h.tasks <- tt.task
			got := h.runResults(tt.task.RunID)
			if kindsOf(got) != tt.wantKinds {
				t.Fatalf("got %s, want %s", kindsOf(got), tt.wantKinds)
			}
			if last := got[len(got)-1].msg; !strings.Contains(last.Error, tt.wantErr) || (tt.wantErr == "") != (last.Error == "") {
				t.Fatalf("error %q, want %q", last.Error, tt.wantErr)
			}
		})
	}
}

// TestResentRunIsIgnored: the server re-sends queued runs on reconnect;
// a run already accepted is not run twice.
func TestResentRunIsIgnored(t *testing.T) {
	coll := &fakeCollector{}
	pub := newFakePublisher(t)
	h := newHarness(t, t.TempDir(), coll, pub, nil)
	task := TaskMessage{RunID: "r1", Type: TaskInventory}
	h.tasks <- task
	h.tasks <- task
	h.runResults("r1")
	h.run("r2", "") // after r1 in the queue: r1's duplicate was handled by now
	n := 0
	for _, p := range pub.results() {
		if p.msg.RunID == "r1" {
			n++
		}
	}
	if n != 4 {
		t.Fatalf("r1 produced %d results, want 4", n)
	}
}

func TestHeartbeats(t *testing.T) {
	pub := newFakePublisher(t)
	h := newHarness(t, t.TempDir(), &fakeCollector{}, pub, func(o *Options) { o.HeartbeatInterval = 10 * time.Millisecond })
	waitFor(t, "heartbeats", func() bool { return len(pub.heartbeats()) >= 3 })
	hb := pub.heartbeats()[2]
	if hb.AgentID != "agt_test" || hb.Version != "test" || hb.RSSBytes == 0 || hb.CPUPercent < 0 || hb.Time.IsZero() {
		t.Fatalf("heartbeat %+v", hb)
	}
	_ = h
}

// TestReconnectCutsBackoffShort: with a long backoff, a reconnect makes
// the agent replay at once and then send a heartbeat.
func TestReconnectCutsBackoffShort(t *testing.T) {
	pub := newFakePublisher(t)
	pub.setDown(true)
	h := newHarness(t, t.TempDir(), &fakeCollector{}, pub, func(o *Options) {
		o.RetryMin, o.RetryMax = time.Hour, time.Hour
	})
	h.tasks <- TaskMessage{RunID: "r1", Type: TaskInventory}
	waitFor(t, "r1 spooled", func() bool { return h.agent.Spooled() == 4 })
	pub.setDown(false)
	h.agent.Reconnected()
	waitFor(t, "replay after reconnect", func() bool { return h.agent.Spooled() == 0 })
	waitFor(t, "heartbeat after replay", func() bool { return len(pub.heartbeats()) > 0 })
	if hb := pub.heartbeats()[0]; hb.Spooled != 0 {
		t.Errorf("first heartbeat after replay reports %d spooled", hb.Spooled)
	}
}

func TestPeriodicInventory(t *testing.T) {
	pub := newFakePublisher(t)
	newHarness(t, t.TempDir(), &fakeCollector{}, pub, func(o *Options) { o.InventoryInterval = 20 * time.Millisecond })
	waitFor(t, "two periodic reports", func() bool {
		n := 0
		for _, p := range pub.results() {
			if p.kind == KindInventory || p.kind == KindInventoryDelta {
				n++
				if p.msg.RunID != "" {
					t.Errorf("periodic report with run id %q", p.msg.RunID)
				}
			}
			if p.kind == KindTaskStatus {
				t.Errorf("periodic report sent a task status")
			}
		}
		return n >= 2
	})
}

func TestNewRejectsMissingOptions(t *testing.T) {
	pub := newFakePublisher(t)
	for _, o := range []Options{
		{AgentID: "a", Publisher: pub, Differ: storeDiffer},
		{Dir: t.TempDir(), Publisher: pub, Differ: storeDiffer},
		{Dir: t.TempDir(), AgentID: "a", Differ: storeDiffer},
		{Dir: t.TempDir(), AgentID: "a", Publisher: pub},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestSpoolKindsAreProtoKinds(t *testing.T) {
	for _, k := range [][2]string{
		{spool.KindInventory, KindInventory}, {spool.KindInventoryDelta, KindInventoryDelta},
		{spool.KindFindings, KindFindings}, {spool.KindTaskStatus, KindTaskStatus},
	} {
		if k[0] != k[1] {
			t.Errorf("spool kind %q, proto kind %q", k[0], k[1])
		}
	}
}

func TestOneAgentPerDirectory(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, AgentID: "a", Publisher: newFakePublisher(t), Differ: storeDiffer}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(opts); err == nil || !strings.Contains(err.Error(), "another agent") {
		t.Fatalf("second agent on %s: %v", dir, err)
	}
	a.Close()
	b, err := New(opts)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	b.Close()
}
