package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-sec/ward/internal/model"
)

// bcheck is a check result as an agent reports it.
type bcheck struct {
	Check       string            `json:"check"`
	Title       string            `json:"title,omitempty"`
	Severity    model.Severity    `json:"severity"`
	Status      string            `json:"status"`
	Reason      string            `json:"reason,omitempty"`
	Evidence    []string          `json:"evidence,omitempty"`
	Remediation string            `json:"remediation,omitempty"`
	References  []model.Reference `json:"references,omitempty"`
}

type bpolicy struct {
	Policy string   `json:"policy"`
	Title  string   `json:"title"`
	Checks []bcheck `json:"checks"`
}

func baselineData(t testing.TB, ps ...bpolicy) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]any{"policies": ps})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func baselineMsg(t testing.TB, id string, host int64, ps ...bpolicy) Message {
	return Message{ID: id, HostID: host, DataKind: BaselineKind, Data: baselineData(t, ps...)}
}

func ingestAll(t *testing.T, s *Store, msgs ...Message) []MessageResult {
	t.Helper()
	res, err := s.IngestBatch(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var sshRoot = bcheck{Check: "5.2.10", Title: "SSH root login is disabled", Severity: model.SevHigh, Status: "fail",
	Reason: "PermitRootLogin yes", Evidence: []string{"/etc/ssh/sshd_config:32: PermitRootLogin yes"},
	Remediation: "sed -i 's/^PermitRootLogin.*/PermitRootLogin no/' /etc/ssh/sshd_config", References: []model.Reference{{Type: "CIS", ID: "5.2.10"}}}

func TestBaselineViews(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := newClock()
		s := b.open(t, WithClock(clk.Now))
		ha, hb, hc := host(t, s, "a", nil), host(t, s, "b", nil), host(t, s, "c", nil)
		pass := func(c bcheck) bcheck {
			c.Status, c.Reason, c.Evidence, c.Remediation, c.References = "pass", "", []string{"should not be kept"}, "", nil
			return c
		}
		tmp := bcheck{Check: "1.1.2", Title: "/tmp is a separate mount", Severity: model.SevMedium, Status: "pass"}
		tmpNA := bcheck{Check: "1.1.2", Title: "/tmp is a separate mount", Severity: model.SevMedium, Status: "not-applicable", Reason: "container"}
		aide := bcheck{Check: "1.10", Title: "AIDE is installed", Severity: model.SevLow, Status: "error", Reason: "dpkg status unreadable"}
		pol := func(cs ...bcheck) bpolicy { return bpolicy{Policy: "debian12-l1", Title: "Debian 12 L1", Checks: cs} }

		// Host a fails the ssh check (with remediation); b passes it and
		// sends no remediation in a later batch: the catalog keeps it.
		res := ingestAll(t, s, baselineMsg(t, "m1", ha, pol(sshRoot, tmp, aide)), baselineMsg(t, "m2", hc, pol(sshRoot, tmpNA)))
		for i, r := range res {
			if r.Outcome != Applied {
				t.Fatalf("message %d: %v %v", i, r.Outcome, r.Err)
			}
		}
		clk.Add(time.Minute)
		ingestAll(t, s, baselineMsg(t, "m3", hb, pol(pass(sshRoot), tmp, pass(aide))))

		items, err := s.BaselineItems(ctx, BaselineItemFilter{Policy: "debian12-l1"})
		if err != nil {
			t.Fatal(err)
		}
		want := []BaselineItem{
			{Policy: "debian12-l1", Check: "1.1.2", Title: "/tmp is a separate mount", Severity: model.SevMedium, Hosts: BaselineCounts{Pass: 2, NotApplicable: 1}},
			{Policy: "debian12-l1", Check: "1.10", Title: "AIDE is installed", Severity: model.SevLow, Hosts: BaselineCounts{Pass: 1, Error: 1}},
			{Policy: "debian12-l1", Check: "5.2.10", Title: sshRoot.Title, Severity: model.SevHigh, Remediation: sshRoot.Remediation,
				References: sshRoot.References, Hosts: BaselineCounts{Pass: 1, Fail: 2}},
		}
		if d := cmp.Diff(want, items); d != "" {
			t.Fatalf("items (-want +got):\n%s", d)
		}

		// One item's failing hosts, with evidence and remediation.
		fails, err := s.BaselineResults(ctx, BaselineResultFilter{Policy: "debian12-l1", Check: "5.2.10", Statuses: []string{"fail"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(fails) != 2 || fails[0].HostID != ha || fails[1].HostID != hc || fails[0].Hostname != "a" ||
			fails[0].Reason != "PermitRootLogin yes" || len(fails[0].Evidence) != 1 || fails[0].Remediation == "" {
			t.Fatalf("failing hosts of 5.2.10: %+v", fails)
		}
		// Paging.
		page2, err := s.BaselineResults(ctx, BaselineResultFilter{Policy: "debian12-l1", Check: "5.2.10", Statuses: []string{"fail"},
			AfterHostID: ha, AfterPolicy: "debian12-l1", AfterCheck: "5.2.10"})
		if err != nil || len(page2) != 1 || page2[0].HostID != hc {
			t.Fatalf("page 2: %+v %v", page2, err)
		}
		// Evidence of passing checks is not kept.
		bres, err := s.BaselineResults(ctx, BaselineResultFilter{HostID: hb})
		if err != nil || len(bres) != 3 {
			t.Fatalf("host b results: %+v %v", bres, err)
		}
		for _, r := range bres {
			if r.Evidence != nil {
				t.Errorf("host b %s kept evidence %q", r.Check, r.Evidence)
			}
		}

		// Host view: scores exclude N/A and manual.
		hosts, err := s.BaselineHosts(ctx, BaselineHostFilter{Policy: "debian12-l1"})
		if err != nil {
			t.Fatal(err)
		}
		scores := map[int64]float64{}
		for _, h := range hosts {
			scores[h.HostID] = h.Score
		}
		if d := cmp.Diff(map[int64]float64{ha: 100.0 / 3, hb: 100, hc: 0}, scores); d != "" {
			t.Fatalf("scores (-want +got):\n%s", d)
		}
		low, err := s.BaselineHosts(ctx, BaselineHostFilter{MaxScore: 50})
		if err != nil || len(low) != 2 {
			t.Fatalf("hosts below 50: %+v %v", low, err)
		}

		// A new run of host a replaces its rows: the AIDE check is gone,
		// ssh now passes; history keeps both runs.
		clk.Add(time.Hour)
		ingestAll(t, s, baselineMsg(t, "m4", ha, pol(pass(sshRoot), tmp)))
		ares, err := s.BaselineResults(ctx, BaselineResultFilter{HostID: ha})
		if err != nil || len(ares) != 2 || ares[0].Check != "1.1.2" || ares[1].Status != "pass" {
			t.Fatalf("host a after rerun: %+v %v", ares, err)
		}
		hist, err := s.BaselineHistory(ctx, ha, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 2 || hist[0].Score != 100 || hist[1].Checks != (BaselineCounts{Pass: 1, Fail: 1, Error: 1}) || !hist[0].ScannedAt.After(hist[1].ScannedAt) {
			t.Fatalf("history: %+v", hist)
		}
		pols, err := s.BaselinePolicies(ctx)
		if err != nil || len(pols) != 1 || pols[0].Hosts != 3 || pols[0].Title != "Debian 12 L1" {
			t.Fatalf("policies: %+v %v", pols, err)
		}
		// Deleting a host takes its results with it.
		if err := s.DeleteHost(ctx, hc); err != nil {
			t.Fatal(err)
		}
		if all, err := s.BaselineResults(ctx, BaselineResultFilter{}); err != nil || len(all) != 5 {
			t.Fatalf("%d results after deleting host c (%v), want 5", len(all), err)
		}
		if n := count(t, s, "baseline_results"); n != 0 {
			t.Fatalf("%d rows of checks that do not pass, want 0 (all 5 pass)", n)
		}
		// The item view follows replaced results and deleted hosts.
		items, err = s.BaselineItems(ctx, BaselineItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]BaselineCounts{}
		for _, it := range items {
			got[it.Check] = it.Hosts
		}
		if d := cmp.Diff(map[string]BaselineCounts{"1.1.2": {Pass: 2}, "1.10": {Pass: 1}, "5.2.10": {Pass: 2}}, got); d != "" {
			t.Fatalf("items after rerun and delete (-want +got):\n%s", d)
		}
	})
}

func TestBaselineIngestEdges(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		h := host(t, s, "a", nil)
		pol := func(cs ...bcheck) bpolicy { return bpolicy{Policy: "p", Checks: cs} }
		ok := bcheck{Check: "c1", Status: "pass"}
		bad := []Message{
			{ID: "bad-json", HostID: h, DataKind: BaselineKind, Data: json.RawMessage(`{"policies": 3}`)},
			baselineMsg(t, "bad-status", h, pol(bcheck{Check: "c1", Status: "passed"})),
			baselineMsg(t, "no-policy", h, bpolicy{Checks: []bcheck{ok}}),
			baselineMsg(t, "no-check", h, pol(bcheck{Status: "pass"})),
			baselineMsg(t, "twice", h, pol(ok), pol(ok)),
		}
		// Two results of one host in one batch: the later one is the
		// latest, both are history.
		good := []Message{
			baselineMsg(t, "first", h, pol(ok, bcheck{Check: "c2", Status: "fail"})),
			baselineMsg(t, "second", h, pol(bcheck{Check: "c1", Status: "fail"})),
			baselineMsg(t, "first", h, pol(ok)), // duplicate id
		}
		// Decoded ahead (as the server's decoders do) or not: the same.
		for i := range bad {
			PrepareData(&bad[i])
			if bad[i].Prepared != nil {
				t.Errorf("%s: prepared", bad[i].ID)
			}
		}
		PrepareData(&good[0])
		if _, ok := good[0].Prepared.(*parsedBaseline); !ok {
			t.Fatalf("not prepared: %T", good[0].Prepared)
		}
		res := ingestAll(t, s, append(bad, good...)...)
		for i := range bad {
			if res[i].Outcome != Rejected {
				t.Errorf("%s: %v, want rejected", bad[i].ID, res[i].Outcome)
			}
		}
		if res[len(bad)].Outcome != Applied || res[len(bad)+1].Outcome != Applied || res[len(bad)+2].Outcome != Duplicate {
			t.Fatalf("outcomes %+v", res[len(bad):])
		}
		rs, err := s.BaselineResults(ctx, BaselineResultFilter{HostID: h})
		if err != nil || len(rs) != 1 || rs[0].Status != "fail" {
			t.Fatalf("latest: %+v %v", rs, err)
		}
		if n := count(t, s, "baseline_history"); n != 2 {
			t.Fatalf("history rows %d, want 2", n)
		}
		// A rejected message is not recorded: a fixed redelivery applies.
		if res := ingestAll(t, s, baselineMsg(t, "bad-status", h, pol(ok))); res[0].Outcome != Applied {
			t.Fatalf("redelivered: %v %v", res[0].Outcome, res[0].Err)
		}
	})
}

func TestNaturalCompare(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"1.2", "1.10", -1}, {"1.10", "1.2", 1}, {"5.2.10", "5.2.10", 0}, {"L2-CES1-02", "L2-CES1-11", -1},
		{"a", "b", -1}, {"1.1", "1.1.1", -1}, {"01", "1", 0}, {"x9", "x10", -1},
	} {
		if got := naturalCompare(tt.a, tt.b); got != tt.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// Fleet baseline ingest: batches of hosts each reporting a ~300-check
// policy, as the server's ingest worker applies them.
//
//	go test ./internal/store/ -run '^$' -bench 'IngestBaseline' -benchtime 10x
func BenchmarkIngestBaselineSQLite(b *testing.B)   { benchIngestBaseline(b, backends()[0]) }
func BenchmarkIngestBaselinePostgres(b *testing.B) { benchIngestBaseline(b, backends()[1]) }

func benchIngestBaseline(b *testing.B, be backend) {
	const hostsPerBatch, checks = 125, 300
	ctx := context.Background()
	s := be.open(b)
	ids := make([]int64, 1000)
	for i := range ids {
		id, err := s.UpsertHost(ctx, HostInfo{IdentityKey: fmt.Sprint("h", i), Hostname: fmt.Sprintf("h%04d", i)})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id
	}
	statuses := []string{"pass", "pass", "pass", "fail", "pass", "not-applicable", "fail", "pass", "manual", "pass"}
	data := make([]json.RawMessage, 8)
	for v := range data {
		p := bpolicy{Policy: "debian12-l2", Title: "Debian 12 L2"}
		for c := range checks {
			st := statuses[(c+v)%len(statuses)]
			ck := bcheck{Check: fmt.Sprintf("%d.%d.%d", c/50+1, c/10%5+1, c%10+1), Title: fmt.Sprintf("check %d title of a realistic length here", c), Severity: model.SevMedium, Status: st}
			if st == "fail" {
				ck.Reason, ck.Evidence = "value 0 expected 1", []string{"/etc/sysctl.conf:12: net.ipv4.ip_forward = 1"}
				ck.Remediation = "sysctl -w net.ipv4.ip_forward=0 && echo 'net.ipv4.ip_forward = 0' > /etc/sysctl.d/60-ward.conf"
			}
			p.Checks = append(p.Checks, ck)
		}
		data[v] = baselineData(b, p)
	}
	round := 0
	b.ResetTimer()
	for b.Loop() {
		msgs := make([]Message, hostsPerBatch)
		for j := range msgs {
			k := (round*hostsPerBatch + j) % len(ids)
			msgs[j] = Message{ID: fmt.Sprintf("r%d-%d", round, j), HostID: ids[k], DataKind: BaselineKind, Data: data[(round+j)%len(data)]}
		}
		round++
		if _, err := s.IngestBatch(ctx, msgs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*hostsPerBatch)/b.Elapsed().Seconds(), "hosts/s")
	b.ReportMetric(float64(b.N*hostsPerBatch*checks)/b.Elapsed().Seconds(), "rows/s")
}

// Decoding one host's ~300-check report (done inside the ingest
// transaction).
func BenchmarkParseBaseline(b *testing.B) {
	p := bpolicy{Policy: "debian12-l2", Title: "Debian 12 L2"}
	for c := range 300 {
		ck := bcheck{Check: fmt.Sprintf("check-%d-%s", c, "sysctl-kernel-randomize-va-space"), Title: fmt.Sprintf("check %d title of a realistic length, about sixty chars", c),
			Severity: model.SevMedium, Status: "pass"}
		if c%4 == 0 {
			ck.Status, ck.Reason, ck.Evidence = "fail", "value 0 expected 1", []string{"/etc/sysctl.conf:12: net.ipv4.ip_forward = 1"}
			ck.Remediation = "sysctl -w net.ipv4.ip_forward=0 && echo 'net.ipv4.ip_forward = 0' > /etc/sysctl.d/60-ward.conf"
		}
		p.Checks = append(p.Checks, ck)
	}
	data := baselineData(b, p)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := parseBaseline(1, data); err != nil {
			b.Fatal(err)
		}
	}
}

// The item view filtered by host labels counts only those hosts, from
// their stored results and passed lists; with a label every host has, it
// matches the counts kept on ingest.
func TestBaselineItemsByLabel(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		ha := host(t, s, "a", map[string]string{"env": "prod", "fleet": "all"})
		hb := host(t, s, "b", map[string]string{"env": "prod", "dc": "x", "fleet": "all"})
		hc := host(t, s, "c", map[string]string{"env": "dev", "fleet": "all"})
		pass := func(c bcheck) bcheck {
			c.Status, c.Reason, c.Evidence, c.Remediation, c.References = "pass", "", nil, "", nil
			return c
		}
		tmp := bcheck{Check: "1.1.2", Title: "/tmp is a separate mount", Severity: model.SevMedium, Status: "pass"}
		tmpNA := bcheck{Check: "1.1.2", Title: "/tmp is a separate mount", Severity: model.SevMedium, Status: "not-applicable", Reason: "container"}
		aide := bcheck{Check: "1.10", Title: "AIDE is installed", Severity: model.SevLow, Status: "error", Reason: "dpkg status unreadable"}
		pol := func(cs ...bcheck) bpolicy { return bpolicy{Policy: "debian12-l1", Title: "Debian 12 L1", Checks: cs} }
		other := bpolicy{Policy: "nginx", Title: "nginx", Checks: []bcheck{{Check: "nginx-tokens", Title: "server_tokens off", Severity: model.SevLow, Status: "fail", Reason: "on"}}}
		ingestAll(t, s, baselineMsg(t, "m1", ha, pol(sshRoot, tmp, aide), other), baselineMsg(t, "m2", hb, pol(pass(sshRoot), tmp, pass(aide))),
			baselineMsg(t, "m3", hc, pol(sshRoot, tmpNA, aide)))

		counts := func(f BaselineItemFilter) map[string]BaselineCounts {
			t.Helper()
			items, err := s.BaselineItems(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]BaselineCounts{}
			for _, it := range items {
				if it.Title == "" {
					t.Errorf("%s/%s: no catalog title", it.Policy, it.Check)
				}
				out[it.Policy+"/"+it.Check] = it.Hosts
			}
			return out
		}
		for _, tt := range []struct {
			f    BaselineItemFilter
			want map[string]BaselineCounts
		}{
			{BaselineItemFilter{Policy: "debian12-l1", Labels: map[string]string{"env": "prod"}}, map[string]BaselineCounts{
				"debian12-l1/1.1.2":  {Pass: 2},
				"debian12-l1/1.10":   {Pass: 1, Error: 1},
				"debian12-l1/5.2.10": {Pass: 1, Fail: 1},
			}},
			{BaselineItemFilter{Labels: map[string]string{"env": "prod", "dc": "x"}}, map[string]BaselineCounts{
				"debian12-l1/1.1.2": {Pass: 1}, "debian12-l1/1.10": {Pass: 1}, "debian12-l1/5.2.10": {Pass: 1},
			}},
			{BaselineItemFilter{Labels: map[string]string{"env": "dev"}}, map[string]BaselineCounts{
				"debian12-l1/1.1.2": {NotApplicable: 1}, "debian12-l1/1.10": {Error: 1}, "debian12-l1/5.2.10": {Fail: 1},
			}},
			{BaselineItemFilter{Labels: map[string]string{"env": "prod"}}, map[string]BaselineCounts{
				"debian12-l1/1.1.2": {Pass: 2}, "debian12-l1/1.10": {Pass: 1, Error: 1}, "debian12-l1/5.2.10": {Pass: 1, Fail: 1},
				"nginx/nginx-tokens": {Fail: 1},
			}},
			{BaselineItemFilter{Labels: map[string]string{"env": "staging"}}, map[string]BaselineCounts{}},
		} {
			if d := cmp.Diff(tt.want, counts(tt.f)); d != "" {
				t.Errorf("%+v (-want +got):\n%s", tt.f, d)
			}
		}
		if d := cmp.Diff(counts(BaselineItemFilter{}), counts(BaselineItemFilter{Labels: map[string]string{"fleet": "all"}})); d != "" {
			t.Errorf("a label every host has differs from the ingest counts (-ingest +labelled):\n%s", d)
		}
	})
}

// The history keeps the newest N runs per host and policy, pruned as runs
// arrive (N = 3 here: no 10% slack below 10); other pairs are untouched,
// and N <= 0 keeps everything.
func TestBaselineHistoryRetention(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := newClock()
		s := b.open(t, WithClock(clk.Now), WithBaselineHistory(3))
		ha, hb := host(t, s, "a", nil), host(t, s, "b", nil)
		run := func(id string, h int64, policy string, fails int) Message {
			var cs []bcheck
			for i := range 4 {
				c := bcheck{Check: fmt.Sprintf("c%d", i), Title: "check", Severity: model.SevLow, Status: "pass"}
				if i < fails {
					c.Status, c.Reason = "fail", "no"
				}
				cs = append(cs, c)
			}
			return baselineMsg(t, id, h, bpolicy{Policy: policy, Title: policy, Checks: cs})
		}
		var times []time.Time
		for i := range 6 {
			clk.Add(time.Hour)
			times = append(times, clk.Now())
			msgs := []Message{run(fmt.Sprintf("a%d", i), ha, "p1", i%5)}
			if i < 2 {
				msgs = append(msgs, run(fmt.Sprintf("b%d", i), hb, "p1", 0), run(fmt.Sprintf("a2-%d", i), ha, "p2", 0))
			}
			ingestAll(t, s, msgs...)
		}
		hist, err := s.BaselineHistory(ctx, ha, "p1", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		var scores []float64
		for _, r := range hist {
			got = append(got, r.ScannedAt)
			scores = append(scores, r.Score)
		}
		want := []time.Time{times[5].Truncate(time.Microsecond), times[4].Truncate(time.Microsecond), times[3].Truncate(time.Microsecond)}
		if len(got) != 3 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) || !got[2].Equal(want[2]) {
			t.Errorf("host a p1 history %v, want the 3 newest %v", got, want)
		}
		if !slices.Equal(scores, []float64{100, 0, 25}) {
			t.Errorf("scores %v, want [100 0 25] (runs 5, 4, 3)", scores)
		}
		for _, c := range []struct {
			h      int64
			policy string
			n      int
		}{{hb, "p1", 2}, {ha, "p2", 2}} {
			if h, _ := s.BaselineHistory(ctx, c.h, c.policy, 0); len(h) != c.n {
				t.Errorf("host %d %s: %d runs, want %d", c.h, c.policy, len(h), c.n)
			}
		}

		all := b.open(t, WithClock(clk.Now), WithBaselineHistory(0))
		hc := host(t, all, "c", nil)
		for i := range 5 {
			clk.Add(time.Hour)
			ingestAll(t, all, run(fmt.Sprintf("c%d", i), hc, "p1", 0))
		}
		if h, _ := all.BaselineHistory(ctx, hc, "p1", 0); len(h) != 5 {
			t.Errorf("unlimited history: %d runs, want 5", len(h))
		}
	})
}
