package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/server"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/vuln/db"
)

// runUp is the one-command start: a server with embedded defaults in a
// local data directory, this host enrolled, an inventory task run, and
// where to look printed. It keeps serving until interrupted (or, with
// --once, stops after the first inventory is stored).
func runUp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "ward-data", "data directory for the server and this host's agent")
	listen := fs.String("listen", "127.0.0.1:8443", "HTTPS address (API and enrollment)")
	natsListen := fs.String("nats-listen", "127.0.0.1:4443", "NATS address agents connect to")
	once := fs.Bool("once", false, "stop after this host's first results are stored")
	inventoryOnly := fs.Bool("inventory-only", false, "run only the inventory, not the baseline, weak-password and malware tasks")
	verbose := fs.Bool("v", false, "log server and agent activity to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	abs, err := filepath.Abs(*data)
	if err != nil {
		return err
	}
	parts := newServerParts(ctx, filepath.Join(abs, "server"))
	defer parts.close()
	srv, err := server.Start(ctx, server.Config{DataDir: filepath.Join(abs, "server"), Listen: *listen, NATSListen: *natsListen,
		Logger: log, APIHandler: parts.apiHandler, OnApplied: parts.onApplied})
	if err != nil {
		return err
	}
	defer srv.Close()
	if _, err := srv.BootstrapAdmin(ctx); err != nil {
		return err
	}
	tokenFile := filepath.Join(abs, "server", server.AdminTokenFile)

	// Enroll this host once; later runs reuse the agent's credentials.
	agentDir := filepath.Join(abs, "agent")
	if _, err := os.Stat(filepath.Join(agentDir, serverInfoFile)); err != nil {
		text, hash, err := enroll.NewToken(srv.CAFingerprint())
		if err != nil {
			return err
		}
		if _, err := srv.Store.CreateEnrollmentTokenHash(ctx, hash, store.NewEnrollmentToken{
			Description: "ward up: this host", MaxUses: 1, TTL: 10 * time.Minute, CreatedBy: "ward up"}); err != nil {
			return err
		}
		res, err := enrollHost(ctx, srv.URL(), text, agentDir, "/", map[string]string{"enrolled-by": "ward-up"})
		if err != nil {
			return fmt.Errorf("enroll this host: %w", err)
		}
		fmt.Fprintf(stdout, "enrolled this host as agent %s (host %s)\n", res.AgentID, res.HostID)
	}
	agentCtx, stopAgent := context.WithCancel(ctx)
	agentDone := make(chan error, 1)
	go func() { agentDone <- runAgentDaemon(agentCtx, agentDir, 0, log) }()
	defer func() { stopAgent(); <-agentDone }()

	// The inventory first: the detectors after it read it (baseline
	// "auto" picks policies from the OS and applications), and the server
	// matches it against its advisory database as soon as it is stored.
	if err := runUpTask(ctx, srv, stdout, "inventory", 3*time.Minute); err != nil {
		return err
	}
	if !*inventoryOnly {
		for _, t := range upDetectionTasks {
			if err := runUpTask(ctx, srv, stdout, t, 15*time.Minute); err != nil {
				// One detector failing must not hide the others' results.
				fmt.Fprintf(stderr, "ward up: %v\n", err)
			}
		}
	}
	hosts, _ := srv.Store.Hosts(ctx, store.HostFilter{})
	open, _ := srv.Store.Findings(ctx, store.FindingFilter{Status: "open", Limit: 100000})
	byKind := map[string]int{}
	for _, f := range open {
		byKind[string(f.Finding.Kind)]++
	}
	fmt.Fprintf(stdout, "\nWard is up: %d host(s) enrolled, inventory stored, %d open finding(s)", len(hosts), len(open))
	if len(byKind) > 0 {
		fmt.Fprintf(stdout, " (%s)", kindCounts(byKind))
	}
	fmt.Fprintln(stdout, ".")
	if n, err := vulnAdvisoryCount(ctx, filepath.Join(abs, "server")); err == nil && n == 0 {
		fmt.Fprintf(stdout, "No advisories loaded yet: run 'ward vulndb update' (online) or 'ward vuln import FEED' to match this fleet's packages.\n")
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "API:  %s/api/v1  (OpenAPI: %s/api/v1/openapi.json)\n", srv.URL(), srv.URL())
	fmt.Fprintf(stdout, "CLI:  export WARD_SERVER=%s WARD_CA=%s WARD_TOKEN=$(cat %s)\n", srv.URL(), srv.CAFingerprint(), tokenFile)
	for _, c := range []string{"hosts", "host show " + hostIDs(hosts) + " --inventory", "findings", "compliance hosts", "compliance items --status fail", "vuln hosts CVE-2024-6387", "query software openssl", "query ports 22", "tasks list", "enroll-token create   # then on other hosts: ward agent enroll --server URL --token TOKEN"} {
		fmt.Fprintf(stdout, "      ward %s\n", c)
	}
	if *once {
		return nil
	}
	fmt.Fprintln(stdout, "\nserving; press Ctrl-C to stop")
	<-ctx.Done()
	return nil
}

// upDetectionTasks run on this host after its inventory, one after the
// other on the agent: compliance (policies chosen from the OS), weak
// passwords from local hashes, and a quick malware scan.
var upDetectionTasks = []string{"baseline", "weakpass", "malware-scan"}

// runUpTask creates a task of type typ for every host, sends it and waits
// for its runs.
func runUpTask(ctx context.Context, srv *server.Server, stdout io.Writer, typ string, timeout time.Duration) error {
	task, err := srv.Store.CreateTask(ctx, store.NewTask{Type: typ, Target: store.Target{All: true}, CreatedBy: "ward up"})
	if err != nil {
		return err
	}
	if err := srv.DispatchTask(ctx, task.ID); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s task %d sent; waiting for results...\n", typ, task.ID)
	return waitRuns(ctx, srv, task.ID, timeout)
}

func kindCounts(m map[string]int) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(out, ", ")
}

func waitRuns(ctx context.Context, srv *server.Server, taskID int64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		runs, err := srv.Store.Runs(ctx, store.RunFilter{TaskID: taskID})
		if err != nil {
			return err
		}
		done := len(runs) > 0
		for _, r := range runs {
			if r.Status == store.RunFailed || r.Status == store.RunTimeout {
				return fmt.Errorf("task %d failed on host %d: %s", taskID, r.HostID, r.Error)
			}
			done = done && r.Status == store.RunDone
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("task %d did not finish within %s", taskID, timeout)
}

func hostIDs(hosts []store.Host) string {
	if len(hosts) == 0 {
		return "ID"
	}
	return strconv.FormatInt(hosts[0].ID, 10)
}

// vulnAdvisoryCount counts the advisories in the server's database.
func vulnAdvisoryCount(ctx context.Context, serverDir string) (int, error) {
	d, err := db.OpenExisting(vulnServerDB(serverDir))
	if err != nil {
		return 0, err
	}
	defer d.Close()
	in, err := d.Info(ctx)
	if err != nil {
		return 0, err
	}
	return in.Advisories, nil
}
