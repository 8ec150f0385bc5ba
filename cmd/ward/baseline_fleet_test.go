package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/agent/natslink"
	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/server"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/transport"
)

// TestBaselineFleetEndToEnd: a real server, an agent enrolled over TLS
// that scans the Debian fixture root, a baseline task created with `ward
// compliance run` on a label, run over NATS; the check-item and host
// views then say what a local scan of the same root says.
func TestBaselineFleetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server and an agent")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.Start(ctx, server.Config{DataDir: filepath.Join(dir, "server"), Listen: "127.0.0.1:0",
		NATSListen: "127.0.0.1:0", Logger: log, APIHandler: apiHandler})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	admin, err := srv.BootstrapAdmin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	text, hash, err := enroll.NewToken(srv.CAFingerprint())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Store.CreateEnrollmentTokenHash(ctx, hash, store.NewEnrollmentToken{MaxUses: 1, TTL: time.Minute, CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	root := debianRoot()
	agentDir := filepath.Join(dir, "agent")
	res, err := enrollHost(ctx, srv.URL(), text, agentDir, root, map[string]string{"baseline": "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	hostID, _ := strconv.ParseInt(res.HostID, 10, 64)
	agentDone := startTestAgent(t, ctx, agentDir, root, log)
	defer func() { cancel(); <-agentDone }()

	conn := []string{"--server", srv.URL(), "--token", admin, "--ca-fingerprint", srv.CAFingerprint()}
	ward := func(args ...string) string {
		t.Helper()
		code, out, errOut := runWard(t, append(args, conn...)...)
		if code != 0 {
			t.Fatalf("ward %v: exit %d\n%s%s", args, code, out, errOut)
		}
		return out
	}
	out := ward("compliance", "run", "--label", "baseline=e2e", "--policies", "debian12-l1")
	m := regexp.MustCompile(`baseline task (\d+) created, queued on 1 hosts`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("compliance run: %s", out)
	}
	taskID, _ := strconv.ParseInt(m[1], 10, 64)
	if err := waitRuns(ctx, srv, taskID, 2*time.Minute); err != nil {
		t.Fatal(err)
	}

	// What a local scan of the same root finds.
	det := &baseline.Detector{Opts: baseline.Options{Policies: []string{"debian12-l1"}}}
	local, err := scan.Run(ctx, scan.Options{Root: root, Collectors: all.Collectors(), Detectors: []scan.Detector{det}})
	if err != nil {
		t.Fatal(err)
	}
	want := local.Detections[0].Details.(*baseline.Report).Policies[0]
	if want.Counts[baseline.Pass] == 0 || want.Counts[baseline.Fail] == 0 {
		t.Fatalf("fixture gives no pass or no fail: %v", want.Counts)
	}

	// Check-item view: each check has exactly the local status on the one host.
	var items wire.List[wire.BaselineItem]
	if err := json.Unmarshal([]byte(ward("compliance", "items", "--policy", "debian12-l1", "--json")), &items); err != nil {
		t.Fatal(err)
	}
	if len(items.Items) != len(want.Checks) {
		t.Fatalf("%d items, local scan has %d checks", len(items.Items), len(want.Checks))
	}
	byID := map[string]wire.BaselineItem{}
	for _, it := range items.Items {
		byID[it.Check] = it
	}
	for _, c := range want.Checks {
		it, ok := byID[c.Check]
		h := it.Hosts
		n := map[baseline.Status]int{baseline.Pass: h.Pass, baseline.Fail: h.Fail, baseline.NotApplicable: h.NotApplicable,
			baseline.Error: h.Error, baseline.Manual: h.Manual}
		if !ok || n[c.Status] != 1 || h.Pass+h.Fail+h.NotApplicable+h.Error+h.Manual != 1 || it.Title != c.Title || it.Severity != c.Severity {
			t.Errorf("item %s: %+v, local %s %q", c.Check, it, c.Status, c.Title)
		}
	}

	// Host view: score and counts; failed and errored checks with remediation.
	var detail wire.BaselineHostDetail
	if err := json.Unmarshal([]byte(ward("compliance", "host", strconv.FormatInt(hostID, 10), "--json")), &detail); err != nil {
		t.Fatal(err)
	}
	if len(detail.Policies) != 1 {
		t.Fatalf("host view: %+v", detail)
	}
	p := detail.Policies[0]
	wc := wire.BaselineCounts{Pass: want.Counts[baseline.Pass], Fail: want.Counts[baseline.Fail], NotApplicable: want.Counts[baseline.NotApplicable],
		Error: want.Counts[baseline.Error], Manual: want.Counts[baseline.Manual]}
	if p.Checks != wc || p.Score < want.Score-0.01 || p.Score > want.Score+0.01 || len(p.Results) != wc.Fail+wc.Error {
		t.Fatalf("host view %+v (%d results), local %+v score %.2f", p.Checks, len(p.Results), wc, want.Score)
	}
	for _, r := range p.Results {
		if r.Status == "fail" && r.Remediation == "" {
			t.Errorf("failed check %s has no remediation", r.Check)
		}
	}
	if out := ward("compliance", "hosts", "--policy", "debian12-l1"); !regexp.MustCompile(`debian12-l1\s+` + regexp.QuoteMeta(fmtPct(p.Score))).MatchString(out) {
		t.Errorf("compliance hosts:\n%s", out)
	}

	// The failed and errored checks are the host's open findings of scope baseline.
	fs, err := srv.Store.Findings(ctx, store.FindingFilter{HostID: hostID, Scope: "baseline", Status: store.FindingOpen})
	if err != nil || len(fs) != wc.Fail+wc.Error {
		t.Fatalf("%d baseline findings (%v), want %d", len(fs), err, wc.Fail+wc.Error)
	}
	hist, err := srv.Store.BaselineHistory(ctx, hostID, "debian12-l1", 0)
	if err != nil || len(hist) != 1 {
		t.Fatalf("history: %+v %v", hist, err)
	}

	// A schedule is a task with a cron expression; params are checked
	// strictly when the task is created.
	if out := ward("compliance", "run", "--all", "--policies", "auto", "--level", "2,mlps3", "--cron", "0 2 * * *"); !strings.Contains(out, `scheduled "0 2 * * *"`) {
		t.Errorf("scheduled run: %s", out)
	}
	for _, bad := range [][]string{{"--policies", "/etc/passwd"}, {"--policies", "no-such-policy"}, {"--level", "7"}, {"--policies", "auto,debian12-l1"}} {
		code, out, errOut := runWard(t, append(append([]string{"compliance", "run", "--all"}, bad...), conn...)...)
		if code == 0 || !strings.Contains(errOut, "baseline params") {
			t.Errorf("compliance run %v: exit %d\n%s%s", bad, code, out, errOut)
		}
	}
}

func fmtPct(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }

// startTestAgent runs the enrolled agent in dir, scanning root.
func startTestAgent(t *testing.T, ctx context.Context, dir, root string, log *slog.Logger) <-chan error {
	t.Helper()
	info := readServerInfo(t, dir)
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
		Dir: dir, AgentID: creds.AgentID, Publisher: link, Tasks: link, Logger: log,
		Differ: agent.DifferFunc(func(base, next *model.Inventory) (json.RawMessage, error) {
			return json.Marshal(store.Diff(base, next))
		}),
		Scan: scan.Options{Root: root}, Runners: agentRunners(),
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		err := a.Run(ctx)
		a.Close()
		nc.Close()
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		done <- err
	}()
	return done
}

func readServerInfo(t *testing.T, dir string) serverInfo {
	t.Helper()
	var info serverInfo
	data, err := os.ReadFile(filepath.Join(dir, serverInfoFile))
	if err == nil {
		err = json.Unmarshal(data, &info)
	}
	if err != nil {
		t.Fatal(err)
	}
	return info
}
