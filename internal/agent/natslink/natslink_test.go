package natslink_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/agent/natslink"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/transport"
)

// bus is an embedded NATS server on a fixed 127.0.0.1 port, restartable
// over the same JetStream directory.
type bus struct {
	t        *testing.T
	ca       *pki.CA
	cert     tls.Certificate
	port     int
	storeDir string
	srv      *transport.EmbeddedServer
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newBus(t *testing.T) *bus {
	ca, err := pki.NewCA("Test CA", pki.CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueServerCert([]string{"localhost", "127.0.0.1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b := &bus{t: t, ca: ca, cert: cert, port: freePort(t), storeDir: t.TempDir()}
	b.start()
	t.Cleanup(func() { b.srv.Shutdown() })
	return b
}

func (b *bus) start() {
	srv, err := transport.NewEmbeddedServer(transport.EmbeddedConfig{
		Host: "127.0.0.1", Port: b.port, StoreDir: b.storeDir, ServerCert: b.cert, ClientCAs: b.ca.Pool(),
	})
	if err != nil {
		b.t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.t.Fatal(err)
	}
	b.srv = srv
}

func (b *bus) url() string { return fmt.Sprintf("tls://127.0.0.1:%d", b.port) }

func (b *bus) enrol() (string, tls.Certificate) {
	t := b.t
	id, err := pki.NewAgentID()
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.GenerateAgentKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewAgentCSR(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := b.ca.SignAgentCSR(csr, id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := pki.VerifyAgentCert(key, certPEM, b.ca.CertPEM(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id, creds.Certificate
}

// collector finds one package; while gate is set it waits for it to close.
type collector struct{ gate atomic.Pointer[chan struct{}] }

func (*collector) Name() string    { return "test/fake" }
func (*collector) Phase() int      { return 0 }
func (*collector) NeedsLive() bool { return false }
func (c *collector) Collect(ctx context.Context, _ *inventory.Env) (*model.Inventory, error) {
	if g := c.gate.Load(); g != nil {
		select {
		case <-*g:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &model.Inventory{Packages: []model.Package{{Type: model.PkgDeb, Name: "bash", Version: "5.2", Location: "/var/lib/dpkg/status"}}}, nil
}

type ingested struct {
	subject, msgID string
	msg            agent.ResultMessage
}

// TestAgentOverEmbeddedNATS runs the daemon against a real embedded NATS
// with JetStream, through transport: a task comes in on ward.task.A, the
// results land in WARD_RESULTS with Nats-Msg-Id set, heartbeats arrive;
// then the server goes away while the agent keeps scanning, and after it
// comes back every spooled result arrives once, in an order the store can
// apply.
func TestAgentOverEmbeddedNATS(t *testing.T) {
	b := newBus(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	scert, err := b.ca.IssueServerClientCert("test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	snc, err := transport.ConnectServer([]string{b.url()}, scert, b.ca.Pool(), nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer snc.Close()
	js, err := jetstream.New(snc)
	if err != nil {
		t.Fatal(err)
	}
	if err := transport.EnsureStreams(ctx, js); err != nil {
		t.Fatal(err)
	}
	cons, err := transport.EnsureIngestConsumer(ctx, js)
	if err != nil {
		t.Fatal(err)
	}

	id, cert := b.enrol()
	var hbMu sync.Mutex
	var hbs []agent.Heartbeat
	if _, err := snc.Subscribe(transport.HeartbeatSubject(id), func(m *nats.Msg) {
		var hb agent.Heartbeat
		if err := json.Unmarshal(m.Data, &hb); err != nil {
			t.Errorf("heartbeat: %v", err)
		}
		hbMu.Lock()
		hbs = append(hbs, hb)
		hbMu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}

	var rc natslink.Reconnects
	nc, err := transport.ConnectAgent([]string{b.url()}, cert, b.ca.Pool(), id, rc.Option(), nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	link, err := natslink.New(nc, id, log)
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	opts := agent.Options{
		Dir: t.TempDir(), AgentID: id, Publisher: link, Tasks: link,
		Differ: agent.DifferFunc(func(base, next *model.Inventory) (json.RawMessage, error) {
			return json.Marshal(store.Diff(base, next))
		}),
		HeartbeatInterval: 100 * time.Millisecond,
		RetryMin:          50 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		PublishTimeout: 2 * time.Second,
		Logger:         log,
	}
	opts.Scan.Root = t.TempDir()
	coll := &collector{}
	opts.Scan.Collectors = []inventory.Collector{coll}
	a, err := agent.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rc.Notify(a.Reconnected)
	actx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); a.Run(actx) }()
	defer func() { stop(); <-done }()

	var got []ingested
	fetch := func(want int) {
		t.Helper()
		for len(got) < want {
			if ctx.Err() != nil {
				t.Fatalf("only %d of %d results ingested", len(got), want)
			}
			batch, err := cons.Fetch(want-len(got), jetstream.FetchMaxWait(time.Second))
			if err != nil {
				continue // the server may be reconnecting
			}
			for m := range batch.Messages() {
				var r agent.ResultMessage
				if err := json.Unmarshal(m.Data(), &r); err != nil {
					t.Fatal(err)
				}
				got = append(got, ingested{m.Subject(), m.Headers().Get(jetstream.MsgIDHeader), r})
				if err := m.Ack(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	task, _ := json.Marshal(agent.TaskMessage{RunID: "r1", TaskID: "t1", Type: agent.TaskInventory})
	if err := snc.Publish(transport.TaskSubject(id), task); err != nil {
		t.Fatal(err)
	}
	fetch(4)
	for i, want := range []string{agent.KindTaskStatus, agent.KindInventory, agent.KindFindings, agent.KindTaskStatus} {
		g := got[i]
		if g.msg.Kind != want || g.subject != transport.ResultSubject(id, want) || g.msgID != g.msg.MsgID || g.msg.RunID != "r1" {
			t.Errorf("result %d: kind %s subject %s msg id %s/%s run %s", i, g.msg.Kind, g.subject, g.msgID, g.msg.MsgID, g.msg.RunID)
		}
	}
	if got[3].msg.Status != agent.StatusDone {
		t.Fatalf("r1 ended %s: %s", got[3].msg.Status, got[3].msg.Error)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		hbMu.Lock()
		n := len(hbs)
		hbMu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat")
		}
		time.Sleep(20 * time.Millisecond)
	}
	hbMu.Lock()
	if hbs[0].AgentID != id {
		t.Errorf("heartbeat from %q", hbs[0].AgentID)
	}
	hbMu.Unlock()

	// The server goes away while a scan runs; its results are spooled
	// and arrive after the restart.
	gate := make(chan struct{})
	coll.gate.Store(&gate)
	task2, _ := json.Marshal(agent.TaskMessage{RunID: "r2", TaskID: "t1", Type: agent.TaskInventory})
	if err := snc.Publish(transport.TaskSubject(id), task2); err != nil {
		t.Fatal(err)
	}
	fetch(5) // r2 is running
	b.srv.Shutdown()
	close(gate)
	deadline = time.Now().Add(10 * time.Second)
	for a.Spooled() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d results spooled while the server is down, want 3", a.Spooled())
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.start()
	fetch(8)
	for _, g := range got[4:] {
		if g.msg.RunID != "r2" {
			t.Errorf("unexpected result %s of run %q", g.msg.Kind, g.msg.RunID)
		}
	}
	if got[5].msg.Kind != agent.KindInventoryDelta || got[7].msg.Status != agent.StatusDone {
		t.Errorf("r2: %s then %s %s", got[5].msg.Kind, got[7].msg.Status, got[7].msg.Error)
	}
	seen := map[string]bool{}
	var inv *model.Inventory
	for _, g := range got {
		if seen[g.msgID] {
			t.Errorf("message %s ingested twice", g.msgID)
		}
		seen[g.msgID] = true
		switch g.msg.Kind {
		case agent.KindInventory:
			inv = g.msg.Inventory
		case agent.KindInventoryDelta:
			var d store.InventoryDelta
			if err := json.Unmarshal(g.msg.Delta, &d); err != nil {
				t.Fatal(err)
			}
			if inv, err = store.Apply(inv, d); err != nil {
				t.Fatalf("delta %s: %v", g.msgID, err)
			}
		}
	}
	if inv == nil || len(inv.Packages) != 1 {
		t.Fatalf("server view: %+v", inv)
	}
	// The stream has the last result a moment before the agent sees the
	// PubAck and empties its spool.
	for deadline = time.Now().Add(10 * time.Second); a.Spooled() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d results left in the spool", a.Spooled())
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Logf("%s", b)
	return len(b), nil
}
