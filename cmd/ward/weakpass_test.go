package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/agent/limits"
	"github.com/ward-sec/ward/internal/agent/natslink"
	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/server"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/testutil"
	"github.com/ward-sec/ward/internal/transport"
)

// lockedBuffer is a log sink shared by goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startFixtureAgent runs the enrolled agent of dir scanning root instead
// of this host (runAgentDaemon with a scan root). stop ends it and
// releases its directory; it also runs at cleanup.
func startFixtureAgent(t *testing.T, dir, root string, log *slog.Logger) (stop func()) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, serverInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	var info serverInfo
	if err := json.Unmarshal(data, &info); err != nil {
		t.Fatal(err)
	}
	creds, err := pki.LoadAgentCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	var reconnects natslink.Reconnects
	nc, err := transport.ConnectAgent(info.NATSURLs, creds.Certificate, creds.CAPool, creds.AgentID, reconnects.Option())
	if err != nil {
		t.Fatal(err)
	}
	link, err := natslink.New(nc, creds.AgentID, log)
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Options{
		Dir: dir, AgentID: creds.AgentID, Publisher: link, Tasks: link,
		Differ: agent.DifferFunc(func(base, next *model.Inventory) (json.RawMessage, error) {
			return json.Marshal(store.Diff(base, next))
		}),
		Limits: limits.Defaults(), Logger: log, Runners: agentRunners(), Scan: scan.Options{Root: root},
	})
	if err != nil {
		t.Fatal(err)
	}
	reconnects.Notify(a.Reconnected)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("agent: %v", err)
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			a.Close()
			nc.Close()
		})
	}
	t.Cleanup(stop)
	return stop
}

// testFleet is a server with one agent enrolled, scanning a fixture root.
type testFleet struct {
	srv       *server.Server
	token     string
	data      string // server/ and agent/ below
	agentDir  string
	logs      *lockedBuffer
	stopAgent func()
}

func startFleet(t *testing.T, root string) *testFleet {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	fl := &testFleet{data: t.TempDir(), logs: &lockedBuffer{}}
	log := slog.New(slog.NewTextHandler(fl.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.Start(ctx, server.Config{DataDir: filepath.Join(fl.data, "server"), Listen: "127.0.0.1:0",
		NATSListen: "127.0.0.1:0", Logger: log, APIHandler: apiHandler})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	fl.srv = srv
	if fl.token, err = srv.BootstrapAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	text, hash, err := enroll.NewToken(srv.CAFingerprint())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Store.CreateEnrollmentTokenHash(ctx, hash, store.NewEnrollmentToken{MaxUses: 1, TTL: time.Hour, CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	fl.agentDir = filepath.Join(fl.data, "agent")
	if _, err := enrollHost(ctx, srv.URL(), text, fl.agentDir, "/", nil); err != nil {
		t.Fatal(err)
	}
	fl.stopAgent = startFixtureAgent(t, fl.agentDir, root, log)
	return fl
}

// TestLeakedQueryEndToEnd: `ward weakpass leaked` through a real server
// and an enrolled agent (over NATS, mutual TLS) scanning the fixture root;
// the password is found where it is used and is nowhere on disk or in the
// logs afterwards: not in the database, the JetStream store, the agent's
// spool.
func TestLeakedQueryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and an agent")
	}
	const leaked = "letmein" // bob's sha512crypt (rounds=10000) and alice's ~/.my.cnf in the fixture
	fixture := filepath.Join(testutil.RepoRoot(), "internal", "weakpass", "testdata", "root")
	fl := startFleet(t, fixture)
	srv, token, data, agentDir, logs, stopAgent := fl.srv, fl.token, fl.data, fl.agentDir, fl.logs, fl.stopAgent
	ctx := context.Background()

	code, out, errOut := runWard(t, "weakpass", "leaked", "--server", srv.URL(), "--token", token,
		"--ca-fingerprint", srv.CAFingerprint(), "--all", "--wait", "2m", leaked)
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s\nlogs:\n%s", code, out, errOut, logs.String())
	}
	for _, want := range []string{"shadow", "bob", "/etc/shadow", "config-file", "/home/alice/.my.cnf", "in use on 1 of 1 hosts (2 accounts)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("ward weakpass leaked:\n%s", out)
	// The stored task holds the placeholder only.
	tasks, err := srv.Store.Tasks(ctx, store.TaskFilter{Type: "weakpass-leaked"})
	if err != nil || len(tasks) != 1 || !store.Withheld(tasks[0].Params) {
		t.Fatalf("tasks %+v (%v)", tasks, err)
	}
	stopAgent()
	srv.Close() // flush the database and JetStream files

	// Nowhere on disk: database (and WAL), JetStream store, agent spool
	// and state, and not in the logs.
	var files int
	control := false // the query's result is on disk: the search can see stored data
	err = filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(b, []byte(leaked)) {
			t.Errorf("the leaked password is in %s", p)
		}
		control = control || bytes.Contains(b, []byte("shadow/bob"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 || !control {
		t.Errorf("%d files under the data directory, result found in them: %v", files, control)
	}
	if _, err := os.Stat(filepath.Join(agentDir, "spool")); err != nil {
		t.Errorf("agent spool directory: %v", err)
	}
	if strings.Contains(logs.String(), leaked) {
		t.Error("the leaked password is in the server or agent log")
	}
}

// TestWeakpassTaskEndToEnd: a "weakpass" task created with the CLI runs on
// the agent, its findings reach the server under scope "weakpass" with
// the passwords masked, and the agent keeps its crack cache.
func TestWeakpassTaskEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and an agent")
	}
	root := t.TempDir()
	testutil.WriteFiles(t, root, map[string]string{
		"etc/passwd":           "root:x:0:0:root:/root:/bin/bash\nops:x:1000:1000::/home/ops:/bin/bash\nsvc:x:1001:1001::/srv:/bin/sh\n",
		"etc/shadow":           "root:!:19700::::::\nops:$1$.rx/Wm6I$G1S8UQoHdZjd6TiPm7hNZ/:19700::::::\nsvc:$1$z6lwzBC/$VlnIy5.DEnHJAZAGBgpO01:19700::::::\n",
		"etc/redis/redis.conf": "requirepass foobared\n",
	})
	fl := startFleet(t, root)
	ctx := context.Background()
	conn := []string{"--server", fl.srv.URL(), "--token", fl.token, "--ca-fingerprint", fl.srv.CAFingerprint()}
	code, out, errOut := runWard(t, append([]string{"tasks", "create", "--type", "weakpass", "--all", "--params", `{"words": ["Summer-Corp-1"]}`}, conn...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var taskID int64
	if _, err := fmt.Sscanf(out, "task %d", &taskID); err != nil {
		t.Fatalf("output %q", out)
	}
	if err := waitRuns(ctx, fl.srv, taskID, 2*time.Minute); err != nil {
		t.Fatalf("%v\nlogs:\n%s", err, fl.logs.String())
	}
	var recs []store.FindingRecord
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) { // the findings may trail the run status
		var err error
		if recs, err = fl.srv.Store.Findings(ctx, store.FindingFilter{Scope: "weakpass", Status: store.FindingOpen}); err != nil {
			t.Fatal(err)
		}
		if len(recs) >= 4 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	got := map[string]model.Finding{}
	for _, r := range recs {
		got[r.Finding.Rule+" "+r.Finding.Asset.ID] = r.Finding
	}
	for _, want := range []string{"weakpass/weak-password shadow/ops", "weakpass/weak-password shadow/svc",
		"weakpass/weak-password redis/default", "weakpass/weak-hash-scheme shadow/ops"} {
		if _, ok := got[want]; !ok {
			t.Errorf("no finding %q; have %v", want, keys(got))
		}
	}
	if f := got["weakpass/weak-password shadow/svc"]; !slices.Contains(f.Evidence, "reason: in supplied wordlist") {
		t.Errorf("svc evidence %v", f.Evidence)
	}
	for _, f := range got {
		for _, ev := range f.Evidence {
			if strings.Contains(ev, "password: ") && !strings.Contains(ev, "*****") {
				t.Errorf("unmasked password in %s: %q", f.Asset.ID, ev)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(fl.agentDir, "weakpass")); err != nil {
		t.Errorf("crack cache directory: %v", err)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestScanWeakpassFixture: `ward scan --weakpass` on the fixture root with
// an operator word list, JSON report: findings, masked passwords, the
// detector's summary and unchecked accounts; --fail-on sees the findings.
func TestScanWeakpassFixture(t *testing.T) {
	fixture := filepath.Join(testutil.RepoRoot(), "internal", "weakpass", "testdata", "root")
	words := filepath.Join(t.TempDir(), "words.txt")
	if err := os.WriteFile(words, []byte("Vb7$wQ2!nK9#\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runWard(t, "scan", "--root", fixture, "--collectors", "os", "--weakpass", "--weakpass-budget", "300ms",
		"--wordlist", words, "--format", "json", "--fail-on", "high")
	if code != 3 {
		t.Fatalf("exit %d (want 3: high findings): %s", code, errOut)
	}
	var res model.ScanResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	got := map[string]model.Finding{}
	for _, f := range res.Findings {
		got[f.Rule+" "+f.Asset.ID] = f
	}
	for _, want := range []string{"weakpass/weak-password shadow/alice", "weakpass/weak-password tomcat/deployer",
		"weakpass/empty-password shadow/guest", "weakpass/weak-hash-scheme shadow/dave",
		"weakpass/unencrypted-ssh-key /root/.ssh/id_ed25519#ed25519", "weakpass/plaintext-password /srv/app/.env#DB_PASSWORD"} {
		if _, ok := got[want]; !ok {
			t.Errorf("no finding %q; have %v", want, keys(got))
		}
	}
	if f := got["weakpass/weak-password tomcat/deployer"]; !slices.Contains(f.Evidence, "reason: in supplied wordlist") ||
		!slices.Contains(f.Evidence, "password: V*****#") {
		t.Errorf("deployer evidence %v", f.Evidence)
	}
	if strings.Contains(out, "Vb7$wQ2!nK9#") || strings.Contains(out, `"password: password"`) {
		t.Error("a password in clear in the report")
	}
	var det *model.Detection
	for i := range res.Detections {
		if res.Detections[i].Detector == "weakpass" {
			det = &res.Detections[i]
		}
	}
	if det == nil || det.Status != "ok" || len(det.Warnings) == 0 ||
		!strings.Contains(strings.Join(det.Summary, "\n"), "not checked: shadow weird") {
		t.Errorf("detection %+v", det)
	}
}

// TestLeakedQueryAcrossRestart: the passwords of a query live in the
// server's memory only, so a run still queued when the server restarts
// fails with the reason once its agent is back, instead of running with
// the placeholder.
func TestLeakedQueryAcrossRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server twice and an agent")
	}
	fixture := filepath.Join(testutil.RepoRoot(), "internal", "weakpass", "testdata", "root")
	fl := startFleet(t, fixture)
	fl.stopAgent() // offline: the run stays queued
	conn := []string{"--server", fl.srv.URL(), "--token", fl.token, "--ca-fingerprint", fl.srv.CAFingerprint()}
	code, out, errOut := runWard(t, append([]string{"weakpass", "leaked", "--all", "--wait", "0", "letmein"}, conn...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var id int64
	if _, err := fmt.Sscanf(out, "query %d:", &id); err != nil {
		t.Fatalf("output %q", out)
	}
	httpAddr := strings.TrimPrefix(fl.srv.URL(), "https://")
	natsAddr := strings.TrimPrefix(fl.srv.AgentNATSURL(), "tls://")
	fl.srv.Close()

	log := slog.New(slog.NewTextHandler(fl.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.Start(context.Background(), server.Config{DataDir: filepath.Join(fl.data, "server"), Listen: httpAddr,
		NATSListen: natsAddr, Logger: log, APIHandler: apiHandler})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	startFixtureAgent(t, fl.agentDir, fixture, log)
	code, out, errOut = runWard(t, append([]string{"weakpass", "leaked", "--query", fmt.Sprint(id), "--wait", "1m"}, conn...)...)
	if code != 0 || !strings.Contains(out, "failed") || !strings.Contains(out, "passwords not kept across server restarts") ||
		!strings.Contains(out, "in use on 0 of 1 hosts") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

// Task params errors never quote a value: the params may be passwords.
func TestDecodeStrictQuotesNoValue(t *testing.T) {
	var p wire.WeakpassLeakedParams
	for _, in := range []string{`{"passwords": "hunter2-secret"}`, `{"passwords": ["hunter2-secret"], "x": "hunter2-secret"}`,
		`{"passwords": [hunter2-secret]}`, `{"passwords": ["hunter2-secret", 7]}`} {
		err := decodeStrict(json.RawMessage(in), &p)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v", in, err)
		}
	}
	for _, tt := range serverTaskTypes() {
		if tt.Name == "weakpass-leaked" {
			if err := tt.CheckParams(json.RawMessage(`{"passwords": ["", "hunter2-secret"]}`)); err == nil || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("CheckParams: %v", err)
			}
			if !tt.SecretParams {
				t.Error("weakpass-leaked params are not secret")
			}
		}
	}
}
