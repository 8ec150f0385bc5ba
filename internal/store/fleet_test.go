package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// fleet ingests n generated hosts and returns their ids by index.
func fleet(t *testing.T, s *Store, n int) []int64 {
	t.Helper()
	var ids []int64
	var msgs []Message
	for i := range n {
		id := host(t, s, fmt.Sprintf("web-%04d", i), map[string]string{"env": []string{"prod", "staging"}[i%2]})
		ids = append(ids, id)
		msgs = append(msgs, Message{ID: fmt.Sprintf("inv-%d", i), HostID: id, Inventory: genInventory(5, i, 200)})
	}
	if _, err := s.IngestBatch(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestFleetQueries(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		ids := fleet(t, s, 12)

		// Who has log4j-core 2.14.1? Hosts 0, 3, 6, 9.
		hits, err := s.HostsWithSoftware(ctx, SoftwareQuery{Name: "log4j-core", Version: "2.14.1"})
		if err != nil {
			t.Fatal(err)
		}
		if got := hostIdx(ids, hits, func(h SoftwareHit) int64 { return h.HostID }); got != "0 3 6 9" {
			t.Fatalf("log4j-core 2.14.1 on hosts %s", got)
		}
		if p := hits[0].Package; p.Group != "org.apache.logging.log4j" || !strings.Contains(p.Location, "app.jar!") {
			t.Fatalf("hit package: %+v", p)
		}
		// A version predicate: anything before 2.17.
		hits, err = s.HostsWithSoftware(ctx, SoftwareQuery{Name: "log4j-core", Type: model.PkgMaven,
			VersionMatch: func(v string) bool { return v < "2.17" }})
		if err != nil || len(hits) != 4 {
			t.Fatalf("log4j-core < 2.17: %d %v", len(hits), err)
		}
		all, _ := s.HostsWithSoftware(ctx, SoftwareQuery{Name: "log4j-core"})
		if len(all) != 12 {
			t.Fatalf("log4j-core anywhere: %d", len(all))
		}
		src, _ := s.HostsWithSoftware(ctx, SoftwareQuery{SourceName: "openssl"})
		if len(src) < 10 {
			t.Fatalf("source openssl: %d", len(src))
		}
		if _, err := s.HostsWithSoftware(ctx, SoftwareQuery{}); err == nil {
			t.Fatal("empty software query accepted")
		}

		// Which hosts listen on 0.0.0.0:6379? Hosts 0 and 8 (4 binds loopback).
		ports, err := s.HostsListening(ctx, PortQuery{Port: 6379, Proto: "tcp", WildcardOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := hostIdx(ids, ports, func(h PortHit) int64 { return h.HostID }); got != "0 8" {
			t.Fatalf("wildcard 6379 on hosts %s", got)
		}
		if ports[0].Process != "redis-server" || ports[0].Addr != "0.0.0.0" {
			t.Fatalf("port hit: %+v", ports[0])
		}
		if p, _ := s.HostsListening(ctx, PortQuery{Port: 6379}); len(p) != 3 {
			t.Fatalf("any 6379: %d", len(p))
		}
		if p, _ := s.HostsListening(ctx, PortQuery{Port: 22, WildcardOnly: true}); len(p) != 24 { // v4 and v6
			t.Fatalf("ssh wildcard: %d", len(p))
		}

		apps, err := s.HostsWithApplication(ctx, AppQuery{Name: "redis", RunningOnly: true})
		if err != nil || hostIdx(ids, apps, func(h AppHit) int64 { return h.HostID }) != "0 4 8" || apps[0].Version != "7.0.15" {
			t.Fatalf("redis: %+v %v", apps, err)
		}

		zero := 0
		accts, err := s.Accounts(ctx, AccountQuery{UID: &zero})
		if err != nil || len(accts) != 13 { // root everywhere, toor on host 3
			t.Fatalf("uid 0 accounts: %d %v", len(accts), err)
		}
		canLogin := true
		accts, _ = s.Accounts(ctx, AccountQuery{UID: &zero, CanLogin: &canLogin, Password: model.PasswordEmpty})
		if len(accts) != 1 || accts[0].Name != "toor" || accts[0].HostID != ids[3] {
			t.Fatalf("uid 0 with empty password: %+v", accts)
		}
	})
}

func hostIdx[T any](ids []int64, hits []T, id func(T) int64) string {
	var out []string
	seen := map[int64]bool{}
	for _, h := range hits {
		if seen[id(h)] {
			continue
		}
		seen[id(h)] = true
		for i, x := range ids {
			if x == id(h) {
				out = append(out, fmt.Sprint(i))
			}
		}
	}
	return strings.Join(out, " ")
}

func TestHostsFilter(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := newClock()
		s := b.open(t, WithClock(clk.Now), WithOnlineWindow(5*time.Minute))
		a := host(t, s, "web-a", map[string]string{"env": "prod", "team": "web"})
		host(t, s, "web-b", map[string]string{"env": "staging"})
		clk.Add(10 * time.Minute)
		c := host(t, s, "db-c", map[string]string{"env": "prod"})
		_, err := s.UpsertHost(ctx, HostInfo{IdentityKey: "id-db-c", OSID: "rocky", OSVersion: "9.3"})
		if err != nil {
			t.Fatal(err)
		}

		check := func(f HostFilter, want ...int64) {
			t.Helper()
			hs, err := s.Hosts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, h := range hs {
				got = append(got, h.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("hosts %+v: %v, want %v", f, got, want)
			}
		}
		on, off := true, false
		check(HostFilter{Labels: map[string]string{"env": "prod"}}, a, c)
		check(HostFilter{Labels: map[string]string{"env": "prod", "team": "web"}}, a)
		check(HostFilter{OSID: "rocky"}, c)
		check(HostFilter{Online: &on}, c)
		check(HostFilter{Online: &off, HostnamePrefix: "web-"}, a, a+1)
		check(HostFilter{Limit: 1, Offset: 1}, a+1)

		h, _ := s.Host(ctx, c)
		if h.Hostname != "db-c" || h.OSID != "rocky" || !h.Online {
			t.Fatalf("upsert kept the hostname and changed the OS: %+v", h)
		}
		if err := s.SetHostLabels(ctx, c, map[string]string{"env": "dr"}); err != nil {
			t.Fatal(err)
		}
		check(HostFilter{Labels: map[string]string{"env": "prod"}}, a)
		if err := s.DeleteHost(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Host(ctx, a); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted host: %v", err)
		}
	})
}

func TestTasks(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := newClock()
		s := b.open(t, WithClock(clk.Now))
		a := host(t, s, "a", map[string]string{"env": "prod"})
		bh := host(t, s, "b", map[string]string{"env": "prod"})
		host(t, s, "c", map[string]string{"env": "dev"})

		task, err := s.CreateTask(ctx, NewTask{Type: "scan", Target: Target{Labels: map[string]string{"env": "prod"}},
			Params: json.RawMessage(`{"collectors":["os"]}`), Schedule: "0 3 * * *", CreatedBy: "olga"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateTask(ctx, NewTask{Type: "scan", CreatedBy: "olga"}); err == nil {
			t.Fatal("task without target accepted")
		}
		got, err := s.Task(ctx, task.ID)
		if err != nil || got.Schedule != "0 3 * * *" || got.Target.Labels["env"] != "prod" || string(got.Params) == "" {
			t.Fatalf("task: %+v %v", got, err)
		}
		runs, err := s.QueueRuns(ctx, task.ID)
		if err != nil || len(runs) != 2 || runs[0].HostID != a || runs[1].HostID != bh {
			t.Fatalf("queued: %+v %v", runs, err)
		}
		r := runs[0].ID
		for _, step := range []struct {
			to   RunStatus
			fail bool
		}{{RunDone, true}, {RunRunning, false}, {RunRunning, true}, {RunDone, false}, {RunFailed, true}, {RunQueued, true}} {
			err := s.SetRunStatus(ctx, r, step.to, "")
			if step.fail != errors.Is(err, ErrBadTransition) {
				t.Fatalf("→ %s: %v", step.to, err)
			}
		}
		if err := s.SetRunStatus(ctx, 99999, RunRunning, ""); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown run: %v", err)
		}
		clk.Add(time.Hour)
		if n, err := s.TimeoutRuns(ctx, clk.Now().Add(-30*time.Minute)); err != nil || n != 1 {
			t.Fatalf("timeouts: %d %v", n, err)
		}
		done, _ := s.Runs(ctx, RunFilter{TaskID: task.ID, Status: RunDone})
		timedOut, _ := s.Runs(ctx, RunFilter{HostID: bh})
		if len(done) != 1 || len(timedOut) != 1 || timedOut[0].Status != RunTimeout || timedOut[0].FinishedAt.IsZero() {
			t.Fatalf("runs: %+v %+v", done, timedOut)
		}
		sched := true
		if ts, _ := s.Tasks(ctx, TaskFilter{Scheduled: &sched}); len(ts) != 1 {
			t.Fatalf("scheduled tasks: %d", len(ts))
		}
		all, err := s.TargetHosts(ctx, Target{All: true})
		if err != nil || len(all) != 3 {
			t.Fatalf("all hosts: %v %v", all, err)
		}
		some, _ := s.TargetHosts(ctx, Target{HostIDs: []int64{a, 424242}, Labels: map[string]string{"env": "dev"}})
		if len(some) != 2 {
			t.Fatalf("listed + labelled: %v", some)
		}
		if err := s.DeleteTask(ctx, task.ID); err != nil {
			t.Fatal(err)
		}
		if rs, _ := s.Runs(ctx, RunFilter{TaskID: task.ID}); len(rs) != 0 {
			t.Fatal("runs outlived their task")
		}
	})
}
