package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/fleet/proto"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/testutil"
	"github.com/ward-sec/ward/internal/transport"
)

func startServer(t *testing.T) *Server { return startServerDB(t, "") }

// startServerDB starts a server on free loopback ports with the given store
// DSN ("" for SQLite in its data directory).
func startServerDB(t *testing.T, dsn string) *Server {
	t.Helper()
	s, err := Start(context.Background(), Config{
		DataDir: t.TempDir(), DB: dsn, Listen: "127.0.0.1:0", NATSListen: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func newEnrollToken(t *testing.T, s *Server, maxUses int) string {
	t.Helper()
	text, hash, err := enroll.NewToken(s.CAFingerprint())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.CreateEnrollmentTokenHash(context.Background(), hash, store.NewEnrollmentToken{
		MaxUses: maxUses, TTL: time.Hour, CreatedBy: "test", Labels: map[string]string{"env": "test"}}); err != nil {
		t.Fatal(err)
	}
	return text
}

// enrollAgent runs the agent side of enrollment and connects to NATS.
func enrollAgent(t *testing.T, s *Server, token, machineID string) (*pki.AgentCredentials, *enroll.Result, *nats.Conn) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "agent") // created 0700 by pki
	key, err := pki.LoadOrCreateAgentKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewAgentCSR(key)
	if err != nil {
		t.Fatal(err)
	}
	facts := enroll.HostFacts{Hostname: "host-" + machineID, MachineID: machineID, OS: "debian", IdentityKey: enroll.IdentityKey("", "", machineID)}
	res, err := enroll.Enroll(context.Background(), s.URL(), token, csr, facts, nil)
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	creds, err := pki.SaveAgentCredentials(dir, []byte(res.CertPEM), []byte(res.CAPEM))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := transport.ConnectAgent(res.NATSURLs, creds.Certificate, creds.CAPool, creds.AgentID)
	if err != nil {
		t.Fatalf("agent connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return creds, res, nc
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestEnrollTaskResult: enrollment → task over NATS → inventory and
// findings results ingested from JetStream into the store, exactly once.
func TestEnrollTaskResult(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testEnrollTaskResult(t, startServer(t)) })
	t.Run("postgres", func(t *testing.T) { testEnrollTaskResult(t, startServerDB(t, testutil.PostgresDSN(t))) })
}

func testEnrollTaskResult(t *testing.T, s *Server) {
	ctx := context.Background()
	creds, res, nc := enrollAgent(t, s, newEnrollToken(t, s, 2), "m1")
	hostID, _ := strconv.ParseInt(res.HostID, 10, 64)

	tasks := make(chan proto.TaskMessage, 4)
	if _, err := nc.Subscribe(transport.TaskSubject(creds.AgentID), func(m *nats.Msg) {
		var tm proto.TaskMessage
		if json.Unmarshal(m.Data, &tm) == nil {
			tasks <- tm
		}
	}); err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	task, err := s.Store.CreateTask(ctx, store.NewTask{Type: "inventory", Target: store.Target{All: true}, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DispatchTask(ctx, task.ID); err != nil {
		t.Fatal(err)
	}
	var tm proto.TaskMessage
	select {
	case tm = <-tasks:
	case <-time.After(10 * time.Second):
		t.Fatal("agent got no task")
	}
	if tm.Type != "inventory" {
		t.Fatalf("task type %q", tm.Type)
	}

	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	inv := &model.Inventory{SchemaVersion: model.SchemaVersion, ScannedAt: time.Now().UTC().Truncate(time.Second),
		Host:     &model.Host{Hostname: "host-m1", OS: model.OSRelease{ID: "debian", Version: "12"}},
		Packages: []model.Package{{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1", Location: "/opt/app.jar"}}}
	publish := func(kind, msgID string, rm proto.ResultMessage) {
		rm.MsgID, rm.AgentID, rm.Kind, rm.RunID = msgID, creds.AgentID, kind, tm.RunID
		data, _ := json.Marshal(rm)
		if _, err := transport.PublishResult(ctx, js, creds.AgentID, kind, msgID, data); err != nil {
			t.Fatalf("publish %s: %v", kind, err)
		}
	}
	publish(proto.KindTaskStatus, "s1", proto.ResultMessage{Status: proto.StatusRunning})
	publish(proto.KindInventory, "i1", proto.ResultMessage{Inventory: inv})
	publish(proto.KindInventory, "i1", proto.ResultMessage{Inventory: inv}) // a replay from the spool
	publish(proto.KindFindings, "f1", proto.ResultMessage{Scope: "posture", Findings: []model.Finding{{ID: "abc", Kind: model.KindAccount, Rule: "posture/uid0-account", Severity: model.SevHigh, Title: "toor", Asset: model.AssetRef{Type: "user", ID: "toor"}}}})
	publish(proto.KindTaskStatus, "s2", proto.ResultMessage{Status: proto.StatusDone})

	waitFor(t, "run done", func() bool {
		runs, _ := s.Store.Runs(ctx, store.RunFilter{TaskID: task.ID})
		return len(runs) == 1 && runs[0].Status == store.RunDone
	})
	waitFor(t, "inventory stored", func() bool {
		hits, _ := s.Store.HostsWithSoftware(ctx, store.SoftwareQuery{Name: "log4j-core", Version: "2.14.1"})
		return len(hits) == 1 && hits[0].HostID == hostID
	})
	waitFor(t, "finding stored", func() bool {
		fs, _ := s.Store.Findings(ctx, store.FindingFilter{HostID: hostID})
		return len(fs) == 1
	})
}

func TestRevokedAgentIsCutOff(t *testing.T) {
	s := startServer(t)
	creds, _, nc := enrollAgent(t, s, newEnrollToken(t, s, 1), "m2")
	if err := s.RevokeAgent(context.Background(), creds.AgentID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "connection closed or reconnecting", func() bool { return !nc.IsConnected() })
	_, err := transport.ConnectAgent([]string{s.AgentNATSURL()}, creds.Certificate, creds.CAPool, creds.AgentID, nats.MaxReconnects(0), nats.NoReconnect())
	if err == nil {
		t.Fatal("revoked agent could connect again")
	}
}

func TestUsedUpTokenIsRefused(t *testing.T) {
	s := startServer(t)
	token := newEnrollToken(t, s, 1)
	enrollAgent(t, s, token, "m3")
	key, _ := pki.LoadOrCreateAgentKey(filepath.Join(t.TempDir(), "agent"))
	csr, _ := pki.NewAgentCSR(key)
	_, err := enroll.Enroll(context.Background(), s.URL(), token, csr, enroll.HostFacts{Hostname: "x", IdentityKey: enroll.IdentityKey("", "", "m4")}, nil)
	if !errors.Is(err, enroll.ErrTokenGone) {
		t.Fatalf("second use of a one-use token: %v, want ErrTokenGone", err)
	}
}

// TestRestartMidIngest: results published while the server is being stopped
// and restarted on the same data directory (JetStream storage survives) are
// all stored, and replays of the same message ids are stored once.
func TestRestartMidIngest(t *testing.T) {
	dataDir := t.TempDir()
	cfg := Config{DataDir: dataDir, Listen: "127.0.0.1:0", NATSListen: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	creds, res, nc := enrollAgent(t, s, newEnrollToken(t, s, 1), "m9")
	hostID, _ := strconv.ParseInt(res.HostID, 10, 64)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 200
	publish := func(i int) error {
		f := model.Finding{ID: "f" + strconv.Itoa(i), Kind: model.KindAccount, Rule: "test/r", Severity: model.SevLow, Title: "t", Asset: model.AssetRef{Type: "user", ID: strconv.Itoa(i)}}
		data, _ := json.Marshal(proto.ResultMessage{MsgID: "m" + strconv.Itoa(i), AgentID: creds.AgentID, Kind: proto.KindFindings, Scope: "scope" + strconv.Itoa(i), Findings: []model.Finding{f}})
		_, err := transport.PublishResult(ctx, js, creds.AgentID, proto.KindFindings, "m"+strconv.Itoa(i), data)
		return err
	}
	for i := 0; i < n/2; i++ {
		if err := publish(i); err != nil {
			t.Fatal(err)
		}
	}
	// Stop while the first half may still be in ingest; the NATS port
	// changes on restart, so the agent connection is reopened below.
	s.Close()
	nc.Close()

	s2, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s2.Close)
	nc2, err := transport.ConnectAgent([]string{s2.AgentNATSURL()}, creds.Certificate, creds.CAPool, creds.AgentID)
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	js, _ = jetstream.New(nc2)
	for i := 0; i < n; i++ { // the first half again (a spool replay) and the rest
		if err := publish(i); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "all findings stored once", func() bool {
		fs, _ := s2.Store.Findings(ctx, store.FindingFilter{HostID: hostID, Limit: 1000})
		return len(fs) == n
	})
	time.Sleep(500 * time.Millisecond) // give a stray duplicate the time to land
	fs, _ := s2.Store.Findings(ctx, store.FindingFilter{HostID: hostID, Limit: 1000})
	if len(fs) != n {
		t.Fatalf("stored %d findings, want exactly %d", len(fs), n)
	}
}

// TestTaskReachesLateAgent: a task dispatched before the agent listened is
// sent again on the agent's first heartbeat, at once.
func TestTaskReachesLateAgent(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	creds, _, nc := enrollAgent(t, s, newEnrollToken(t, s, 1), "m5")
	task, err := s.Store.CreateTask(ctx, store.NewTask{Type: "inventory", Target: store.Target{All: true}, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DispatchTask(ctx, task.ID); err != nil { // nobody subscribed yet: lost
		t.Fatal(err)
	}
	got := make(chan struct{}, 1)
	if _, err := nc.Subscribe(transport.TaskSubject(creds.AgentID), func(*nats.Msg) { got <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	hb, _ := json.Marshal(proto.Heartbeat{AgentID: creds.AgentID, Time: time.Now()})
	if err := nc.Publish(transport.HeartbeatSubject(creds.AgentID), hb); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the queued run was not re-sent on the agent's first heartbeat")
	}
}
