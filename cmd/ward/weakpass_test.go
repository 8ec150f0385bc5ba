package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/agent/limits"
	"github.com/ward-sec/ward/internal/agent/natslink"
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
// of this host (runAgentDaemon with a scan root).
func startFixtureAgent(t *testing.T, ctx context.Context, dir, root string, log *slog.Logger) {
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
	nc, err := transport.ConnectAgent(info.NATSURLs, creds.Certificate, creds.CAPool, creds.AgentID)
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
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("agent: %v", err)
		}
	}()
	t.Cleanup(func() { <-done; a.Close(); nc.Close() })
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	data := t.TempDir()
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.Start(ctx, server.Config{DataDir: filepath.Join(data, "server"), Listen: "127.0.0.1:0",
		NATSListen: "127.0.0.1:0", Logger: log, APIHandler: apiHandler})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	token, err := srv.BootstrapAdmin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	text, hash, err := enroll.NewToken(srv.CAFingerprint())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Store.CreateEnrollmentTokenHash(ctx, hash, store.NewEnrollmentToken{MaxUses: 1, TTL: time.Hour, CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	agentDir := filepath.Join(data, "agent")
	if _, err := enrollHost(ctx, srv.URL(), text, agentDir, "/", nil); err != nil {
		t.Fatal(err)
	}
	fixture := filepath.Join(testutil.RepoRoot(), "internal", "weakpass", "testdata", "root")
	agentCtx, stopAgent := context.WithCancel(ctx)
	startFixtureAgent(t, agentCtx, agentDir, fixture, log)
	defer stopAgent()

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
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 {
		t.Errorf("only %d files under the data directory", files)
	}
	if _, err := os.Stat(filepath.Join(agentDir, "spool")); err != nil {
		t.Errorf("agent spool directory: %v", err)
	}
	if strings.Contains(logs.String(), leaked) {
		t.Error("the leaked password is in the server or agent log")
	}
}
