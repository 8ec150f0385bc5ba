package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-sec/ward/internal/model"
)

func findingStates(t *testing.T, s *Store, hostID int64) map[string]FindingRecord {
	t.Helper()
	rs, err := s.Findings(context.Background(), FindingFilter{HostID: hostID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]FindingRecord{}
	for _, r := range rs {
		out[r.Finding.Rule] = r
	}
	return out
}

func finding(rule, asset string, sev model.Severity) model.Finding {
	a := model.AssetRef{Type: "user", ID: asset}
	return model.Finding{ID: model.FindingID(rule, a), Kind: model.KindAccount, Rule: rule, Severity: sev, Title: rule + " on " + asset, Asset: a,
		Evidence: []string{"uid=0"}, Remediation: "remove it", References: []model.Reference{{Type: "CIS", ID: "6.2.9"}}}
}

func TestFindingsLifecycle(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := newClock()
		s := b.open(t, WithClock(clk.Now))
		h := host(t, s, "a", nil)
		other := host(t, s, "b", nil)
		a, bb, c := finding("r/a", "x", model.SevHigh), finding("r/b", "y", model.SevLow), finding("r/c", "z", model.SevCritical)
		v := finding("vuln/cve", "openssl", model.SevCritical)
		v.Kind = model.KindVulnerability
		t0 := clk.Now().Truncate(time.Microsecond)

		mustIngest := func(id string, host int64, scope string, fs ...model.Finding) {
			t.Helper()
			if ok, err := s.IngestFindings(ctx, id, host, scope, fs); err != nil || !ok {
				t.Fatalf("ingest %s: %v %v", id, ok, err)
			}
		}
		mustIngest("1", h, "posture", a, bb, c)
		mustIngest("2", h, "vuln", v)
		mustIngest("3", other, "posture", a)
		st := findingStates(t, s, h)
		if len(st) != 4 || st["r/a"].Status != FindingOpen || !st["r/a"].FirstSeen.Equal(t0) {
			t.Fatalf("after first results: %+v", st)
		}
		if diff := cmp.Diff(a, st["r/a"].Finding); diff != "" {
			t.Fatalf("stored finding differs (-want +got):\n%s", diff)
		}

		// An hour later the posture scan no longer reports b; c is suppressed.
		if err := s.SuppressFinding(ctx, h, c.ID, true); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Hour)
		t1 := clk.Now().Truncate(time.Microsecond)
		a.Title = "retitled"
		mustIngest("4", h, "posture", a)
		st = findingStates(t, s, h)
		if r := st["r/a"]; r.Status != FindingOpen || !r.FirstSeen.Equal(t0) || !r.LastSeen.Equal(t1) || r.Finding.Title != "retitled" {
			t.Fatalf("seen again: %+v", r)
		}
		if r := st["r/b"]; r.Status != FindingResolved || !r.ResolvedAt.Equal(t1) || !r.LastSeen.Equal(t0) {
			t.Fatalf("absent from its scope: %+v", r)
		}
		if r := st["r/c"]; r.Status != FindingSuppressed {
			t.Fatalf("suppressed and absent: %+v", r)
		}
		if r := st["vuln/cve"]; r.Status != FindingOpen || !r.LastSeen.Equal(t0) {
			t.Fatalf("other scope touched: %+v", r)
		}
		if r := findingStates(t, s, other)["r/a"]; r.Status != FindingOpen || !r.LastSeen.Equal(t0) {
			t.Fatalf("other host touched: %+v", r)
		}

		// b comes back: reopened, first seen kept. c seen again: still suppressed.
		clk.Add(time.Hour)
		mustIngest("5", h, "posture", a, bb, c)
		st = findingStates(t, s, h)
		if r := st["r/b"]; r.Status != FindingOpen || !r.ResolvedAt.IsZero() || !r.FirstSeen.Equal(t0) {
			t.Fatalf("reappeared: %+v", r)
		}
		if st["r/c"].Status != FindingSuppressed {
			t.Fatalf("suppressed finding seen again: %+v", st["r/c"])
		}
		// An empty result resolves the whole scope.
		mustIngest("6", h, "vuln")
		if r := findingStates(t, s, h)["vuln/cve"]; r.Status != FindingResolved {
			t.Fatalf("empty result: %+v", r)
		}

		// Filters.
		rs, err := s.Findings(ctx, FindingFilter{MinSeverity: model.SevHigh, Status: FindingOpen})
		if err != nil || len(rs) != 2 { // a on both hosts
			t.Fatalf("open ≥ high: %d %v", len(rs), err)
		}
		rs, _ = s.Findings(ctx, FindingFilter{Kind: model.KindVulnerability})
		if len(rs) != 1 {
			t.Fatalf("by kind: %d", len(rs))
		}
		page1, _ := s.Findings(ctx, FindingFilter{Limit: 2})
		page2, _ := s.Findings(ctx, FindingFilter{Limit: 10, AfterHostID: page1[1].HostID, AfterFindingID: page1[1].Finding.ID})
		if len(page1)+len(page2) != 5 {
			t.Fatalf("paging: %d + %d", len(page1), len(page2))
		}
		counts, err := s.CountOpenFindings(ctx, 0)
		if err != nil || counts[model.SevHigh] != 2 || counts[model.SevLow] != 1 {
			t.Fatalf("counts: %v %v", counts, err)
		}
	})
}

// Two results of one host and scope in one batch apply in order.
func TestFindingsBatchKeepsOrder(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h := host(t, s, "a", nil)
		a, bb := finding("r/a", "x", model.SevHigh), finding("r/b", "y", model.SevLow)
		res, err := s.IngestBatch(ctx, []Message{
			{ID: "1", HostID: h, Scope: "posture", Findings: []model.Finding{a, bb}},
			{ID: "2", HostID: h, Scope: "posture", Findings: []model.Finding{a}},
			{ID: "3", HostID: h, Scope: "other", Findings: []model.Finding{bb}}, // moves b to another scope
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Outcome != Applied {
				t.Fatalf("message %d: %v %v", i, r.Outcome, r.Err)
			}
		}
		st := findingStates(t, s, h)
		if st["r/a"].Status != FindingOpen || st["r/b"].Status != FindingOpen || st["r/b"].Scope != "other" {
			t.Fatalf("after ordered batch: %+v", st)
		}
		// A finding listed twice in one result is stored once.
		if _, err := s.IngestFindings(ctx, "4", h, "posture", []model.Finding{a, a}); err != nil {
			t.Fatal(err)
		}
		// An id left empty is derived from rule and asset.
		noID := finding("r/noid", "w", model.SevInfo)
		noID.ID = ""
		if _, err := s.IngestFindings(ctx, "5", h, "extra", []model.Finding{noID}); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Finding(ctx, h, model.FindingID("r/noid", noID.Asset)); err != nil || r.Scope != "extra" {
			t.Fatalf("derived id: %+v %v", r, err)
		}
	})
}

// Many hosts in one batch, as the ingest workers send them.
func TestFindingsLargeBatch(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		var msgs []Message
		for i := range 60 {
			h := host(t, s, fmt.Sprintf("h%d", i), nil)
			msgs = append(msgs, Message{ID: fmt.Sprintf("m%d", i), HostID: h, Scope: "posture", Findings: findingsFor(i, 50)})
		}
		if _, err := s.IngestBatch(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "findings"); n != 3000 {
			t.Fatalf("%d findings, want 3000", n)
		}
		// Next round: each host reports 10 fewer; 600 resolve.
		for i := range msgs {
			msgs[i].ID += "-2"
			msgs[i].Findings = msgs[i].Findings[:40]
		}
		if _, err := s.IngestBatch(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		rs, err := s.Findings(ctx, FindingFilter{Status: FindingResolved, Limit: 10000})
		if err != nil || len(rs) != 600 {
			t.Fatalf("%d resolved, want 600 (%v)", len(rs), err)
		}
	})
}
