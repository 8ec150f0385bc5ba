package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ward-sec/ward/internal/model"
)

// Package.Files is never serialised, so never stored or sent.
var ignoreFiles = cmpopts.IgnoreFields(model.Package{}, "Files")

func TestInventoryRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h := host(t, s, "a", nil)
		inv := genInventory(1, 3, 800)
		ok, err := s.IngestInventory(ctx, "m1", h, inv)
		if err != nil || !ok {
			t.Fatalf("ingest: %v %v", ok, err)
		}
		got, err := s.HostInventory(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(Canonical(inv), got, ignoreFiles); d != "" {
			t.Fatalf("reassembled inventory differs (-want +got):\n%s", d)
		}
		hh, err := s.Host(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if hh.Hostname != inv.Host.Hostname || hh.Kernel != inv.Host.Kernel || hh.Arch != "x86_64" ||
			!hh.InventoryAt.Equal(inv.ScannedAt.Truncate(time.Microsecond)) {
			t.Fatalf("host row not updated from the inventory: %+v", hh)
		}
		if _, err := s.HostInventory(ctx, host(t, s, "empty", nil)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("inventory of a host without one: %v", err)
		}
	})
}

func TestIngestIsIdempotent(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h := host(t, s, "a", nil)
		inv := genInventory(1, 1, 300)
		for i, want := range []bool{true, false} {
			ok, err := s.IngestInventory(ctx, "inv-1", h, inv)
			if err != nil || ok != want {
				t.Fatalf("delivery %d: applied=%v err=%v, want %v", i, ok, err, want)
			}
		}
		// The same inventory under a new id changes nothing either.
		rows := count(t, s, "host_software")
		if ok, err := s.IngestInventory(ctx, "inv-2", h, inv); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if got := count(t, s, "host_software"); got != rows {
			t.Fatalf("re-ingest changed host_software: %d rows, was %d", got, rows)
		}

		fs := findingsFor(1, 10)
		for i, want := range []bool{true, false} {
			ok, err := s.IngestFindings(ctx, "f-1", h, "posture", fs)
			if err != nil || ok != want {
				t.Fatalf("findings delivery %d: applied=%v err=%v", i, ok, err)
			}
		}
		if n := count(t, s, "findings"); n != 10 {
			t.Fatalf("%d findings stored, want 10", n)
		}
		if n := count(t, s, "ingested_messages"); n != 3 {
			t.Fatalf("%d ingested messages recorded, want 3", n)
		}
		if n, err := s.PruneIngested(ctx, time.Now().Add(time.Hour)); err != nil || n != 3 {
			t.Fatalf("prune ingested: %d %v", n, err)
		}
	})
}

// A batch whose transaction fails leaves nothing behind, and replaying it
// applies every message once.
func TestFailedBatchLeavesNothingAndReplays(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h1, h2 := host(t, s, "a", nil), host(t, s, "b", nil)
		batch := []Message{
			{ID: "1", HostID: h1, Inventory: genInventory(1, 1, 200)},
			{ID: "2", HostID: h1, Scope: "posture", Findings: findingsFor(1, 30)},
			{ID: "3", HostID: h2, Scope: "posture", Findings: findingsFor(2, 30)},
			{ID: "4", HostID: h2, Inventory: genInventory(1, 2, 200)},
		}
		s.hook = func(stage string) error { return errors.New("killed at " + stage) }
		if _, err := s.IngestBatch(ctx, batch); err == nil {
			t.Fatal("batch with a failing commit succeeded")
		}
		for _, table := range []string{"ingested_messages", "findings", "software", "host_software", "host_inventory", "host_ports"} {
			if n := count(t, s, table); n != 0 {
				t.Fatalf("failed batch left %d rows in %s", n, table)
			}
		}
		s.hook = nil
		res, err := s.IngestBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Outcome != Applied {
				t.Fatalf("replay message %d: %v %v", i, r.Outcome, r.Err)
			}
		}
		res, err = s.IngestBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Outcome != Duplicate {
				t.Fatalf("second replay message %d: %v", i, r.Outcome)
			}
		}
		if n := count(t, s, "findings"); n != 60 {
			t.Fatalf("%d findings, want 60", n)
		}
	})
}

func TestBatchRejectsPerMessage(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h := host(t, s, "a", nil)
		res, err := s.IngestBatch(ctx, []Message{
			{ID: "ok", HostID: h, Scope: "posture", Findings: findingsFor(1, 2)},
			{ID: "nohost", HostID: 99999, Scope: "posture"},
			{ID: "", HostID: h, Scope: "posture"},
			{ID: "two", HostID: h, Scope: "posture", Inventory: &model.Inventory{}},
			{ID: "ok", HostID: h, Scope: "posture"},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []Outcome{Applied, Rejected, Rejected, Rejected, Duplicate}
		for i, r := range res {
			if r.Outcome != want[i] {
				t.Errorf("message %d: %v (%v), want %v", i, r.Outcome, r.Err, want[i])
			}
		}
		if !errors.Is(res[1].Err, ErrNotFound) {
			t.Errorf("unknown host: %v", res[1].Err)
		}
		if n := count(t, s, "ingested_messages"); n != 1 {
			t.Fatalf("%d messages recorded, want 1", n)
		}
	})
}

func TestSoftwareRowsAreShared(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		pkg := model.Package{Type: model.PkgDeb, Name: "openssl", Version: "3.0.15-1~deb12u1", Arch: "amd64", SourceName: "openssl", Location: "/var/lib/dpkg/status"}
		for i, name := range []string{"a", "b"} {
			h := host(t, s, name, nil)
			p := pkg
			if i == 1 {
				p.State = "half-configured" // host-specific: still the same software
			}
			inv := &model.Inventory{ScannedAt: time.Now(), Packages: []model.Package{p}}
			if _, err := s.IngestInventory(ctx, "m"+name, h, inv); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, s, "software"); n != 1 {
			t.Fatalf("%d software rows for one package on two hosts, want 1", n)
		}
		if n := count(t, s, "host_software"); n != 2 {
			t.Fatalf("%d host_software rows, want 2", n)
		}
		// Dropping it from both hosts leaves the row for PruneSoftware.
		hosts, _ := s.Hosts(ctx, HostFilter{})
		for _, h := range hosts {
			if _, err := s.IngestInventory(ctx, "empty"+h.Hostname, h.ID, &model.Inventory{ScannedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.PruneSoftware(ctx); err != nil || n != 1 {
			t.Fatalf("prune software: %d %v", n, err)
		}
	})
}

func TestInventoryDeltaIngest(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h := host(t, s, "a", nil)
		v1 := genInventory(7, 4, 500)
		if _, err := s.IngestInventory(ctx, "full-1", h, v1); err != nil {
			t.Fatal(err)
		}
		v2 := mutate(v1, 1)
		d := Diff(v1, v2)
		if len(d.AddedPackages) == 0 || len(d.RemovedPackages) == 0 || len(d.Replace) < 2 {
			t.Fatalf("mutation too small for the test: %d added, %d removed, replace %v", len(d.AddedPackages), len(d.RemovedPackages), d.Replace)
		}
		wire := roundTripJSON(t, d)
		if ok, err := s.IngestInventoryDelta(ctx, "delta-2", h, &wire); err != nil || !ok {
			t.Fatalf("delta: %v %v", ok, err)
		}
		got, err := s.HostInventory(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(Canonical(v2), got, ignoreFiles, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("after delta (-want +got):\n%s", diff)
		}
		// Ports follow the replaced sockets.
		hits, err := s.HostsListening(ctx, PortQuery{Port: 8443})
		if err != nil || len(hits) != 1 {
			t.Fatalf("port from delta: %v %v", hits, err)
		}

		// A delta on another base is refused and not recorded.
		v3 := mutate(v2, 2)
		stale := Diff(v1, v3)
		if _, err := s.IngestInventoryDelta(ctx, "delta-3", h, &stale); !errors.Is(err, ErrDeltaMismatch) {
			t.Fatalf("delta on the wrong base: %v", err)
		}
		good := Diff(v2, v3)
		if ok, err := s.IngestInventoryDelta(ctx, "delta-3", h, &good); err != nil || !ok {
			t.Fatalf("redelivered delta-3 on the right base: %v %v", ok, err)
		}
		// Removing a package that is not there is a mismatch too.
		bad := Diff(v3, v3)
		bad.BaseScannedAt = v3.ScannedAt
		bad.RemovedPackages = []PackageRef{{Software: "nope", Location: "/x"}}
		if _, err := s.IngestInventoryDelta(ctx, "delta-4", h, &bad); !errors.Is(err, ErrDeltaMismatch) {
			t.Fatalf("delta removing a missing package: %v", err)
		}
		// An older full inventory is stale: recorded, not applied.
		if ok, err := s.IngestInventory(ctx, "old-full", h, v1); err != nil || ok {
			t.Fatalf("stale full inventory: applied=%v err=%v", ok, err)
		}
		got, _ = s.HostInventory(ctx, h)
		if diff := cmp.Diff(Canonical(v3), got, ignoreFiles, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("after stale inventory (-want +got):\n%s", diff)
		}
	})
}

// Bytes PostgreSQL text cannot hold (NUL, invalid UTF-8) are stored as
// U+FFFD on both backends, consistently, so re-ingests and deltas match.
func TestOddBytes(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h := host(t, s, "a", nil)
		odd := model.Package{Type: model.PkgMaven, Name: "x\x00y", Version: "1\xff", Location: "/opt/caf\xe9/x.jar\x00", State: "ok\xfe"}
		v1 := &model.Inventory{ScannedAt: time.Now(), Packages: []model.Package{odd}, Users: []model.User{{Name: "\xff\x00root", Shell: "/bin/sh"}}}
		if _, err := s.IngestInventory(ctx, "1", h, v1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IngestInventory(ctx, "2", h, v1); err != nil {
			t.Fatal(err)
		}
		v2 := *v1
		v2.ScannedAt = v1.ScannedAt.Add(time.Minute)
		v2.Packages = nil
		d := roundTripJSON(t, Diff(v1, &v2))
		if ok, err := s.IngestInventoryDelta(ctx, "3", h, &d); err != nil || !ok {
			t.Fatalf("delta removing the odd package: %v %v", ok, err)
		}
		if n := count(t, s, "host_software"); n != 0 {
			t.Fatalf("%d host_software rows left", n)
		}
		f := finding("r\x00", "\xffasset", model.SevLow)
		f.Title = "t\x00\xff"
		if _, err := s.IngestFindings(ctx, "4", h, "posture", []model.Finding{f}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IngestFindings(ctx, "5\x00", h, "posture", []model.Finding{f}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "findings"); n != 1 {
			t.Fatalf("%d findings", n)
		}
	})
}

// Ingest workers on two replicas (two stores on one database) and readers
// at the same time: no SQLITE_BUSY, no deadlock, every message once.
func TestConcurrentIngest(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		dsn := b.fresh(t)
		s1 := openDSN(t, dsn)
		s2 := s1
		if b.name == "postgres" {
			s2 = openDSN(t, dsn)
		}
		var ids []int64
		for i := range 8 {
			ids = append(ids, host(t, s1, fmt.Sprint("h", i), nil))
		}
		const workers, rounds = 4, 6
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds+8)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := s1
				if w%2 == 1 {
					s = s2
				}
				for r := range rounds {
					var msgs []Message
					for k, h := range ids {
						// Every worker touches every host, in its own order;
						// messages of round r repeat across workers.
						k := (k + w) % len(ids)
						h = ids[k]
						msgs = append(msgs, Message{ID: fmt.Sprintf("f-%d-%d", r, k), HostID: h, Scope: "posture", Findings: findingsFor(k, 20+r)})
						if k%3 == 0 {
							inv := genInventory(2, k, 100)
							inv.ScannedAt = inv.ScannedAt.Add(time.Duration(r) * time.Minute)
							msgs = append(msgs, Message{ID: fmt.Sprintf("i-%d-%d", r, k), HostID: h, Inventory: inv})
						}
					}
					if _, err := s.IngestBatch(ctx, msgs); err != nil {
						errs <- err
					}
				}
			}()
		}
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					if _, err := s2.Findings(ctx, FindingFilter{Status: FindingOpen}); err != nil {
						errs <- err
					}
					if _, err := s1.HostsWithSoftware(ctx, SoftwareQuery{Name: "log4j-core"}); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		// Each distinct message once: rounds × hosts findings messages, and
		// rounds × 3 inventory messages.
		if n := count(t, s1, "ingested_messages"); n != rounds*len(ids)+rounds*3 {
			t.Fatalf("%d messages recorded, want %d", n, rounds*len(ids)+rounds*3)
		}
	})
}

// A message the database refuses is rejected alone; the rest of its batch
// is applied. Values too long to index are rejected before the database.
func TestPoisonMessageIsIsolated(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h1, h2 := host(t, s, "a", nil), host(t, s, "b", nil)
		long := finding("r/long", "x", model.SevLow)
		long.ID = strings.Repeat("f", 5000)
		bigPkg := &model.Inventory{ScannedAt: time.Now(), Packages: []model.Package{{Name: "p", Location: strings.Repeat("/x", 2000)}}}
		s.hook = func(stage string) error {
			if stage == "message:poison" {
				return &pgconn.PgError{Code: "22P02", Message: "simulated refused value"}
			}
			return nil
		}
		res, err := s.IngestBatch(ctx, []Message{
			{ID: "ok-1", HostID: h1, Scope: "posture", Findings: findingsFor(1, 5)},
			{ID: "poison", HostID: h2, Scope: "posture", Findings: findingsFor(2, 5)},
			{ID: "long", HostID: h2, Scope: "vuln", Findings: []model.Finding{long}},
			{ID: "bigpkg", HostID: h2, Inventory: bigPkg},
			{ID: "ok-2", HostID: h2, Scope: "other", Findings: findingsFor(3, 5)},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []Outcome{Applied, Rejected, Rejected, Rejected, Applied}
		for i, r := range res {
			if r.Outcome != want[i] {
				t.Errorf("message %d: %v (%v), want %v", i, r.Outcome, r.Err, want[i])
			}
		}
		if n := count(t, s, "findings"); n != 10 {
			t.Fatalf("%d findings, want 10", n)
		}
		// Anything else failing the batch is an error for the whole batch.
		s.hook = func(stage string) error { return errors.New("connection reset") }
		if _, err := s.IngestBatch(ctx, []Message{{ID: "x", HostID: h1, Scope: "s"}, {ID: "y", HostID: h2, Scope: "s"}}); err == nil {
			t.Fatal("batch with a failing connection succeeded")
		}
	})
}
