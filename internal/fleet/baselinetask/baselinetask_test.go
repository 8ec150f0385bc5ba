package baselinetask

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/model"
)

func TestParseParams(t *testing.T) {
	known := []string{"debian12-l1", "mlps-l3-linux"}
	for _, tt := range []struct {
		in       string
		policies []string
		level    string
		err      string
	}{
		{"", []string{"auto"}, "", ""},
		{`null`, []string{"auto"}, "", ""},
		{`{"policies": "auto", "level": "2,mlps3"}`, []string{"auto"}, "2,mlps3", ""},
		{`{"policies": ["debian12-l1", "mlps-l3-linux"]}`, []string{"debian12-l1", "mlps-l3-linux"}, "", ""},
		{`{"policies": ["auto", "debian12-l1"]}`, nil, "", `"auto" cannot be combined`},
		{`{"policies": ["nope"]}`, nil, "", `no policy "nope"`},
		{`{"policies": ["/etc/passwd"]}`, nil, "", "want a policy id"},
		{`{"policies": ["../x.yaml"]}`, nil, "", "want a policy id"},
		{`{"policies": "auto", "level": "3"}`, nil, "", "--level"},
		{`{"policies": "auto", "overrides": {"password_max_days": "180"}}`, []string{"auto"}, "", ""},
		{`{"policies": "auto", "overrides": {"password_max_days": "1\n2"}}`, nil, "", "one line"},
		{`{"policies": "auto", "overrides": {"../x": "1"}}`, nil, "", `parameter "../x"`},
		{`{"policies": "auto", "override": {}}`, nil, "", "unknown field"},
		{`{"policies": 7}`, nil, "", "policies must be"},
	} {
		p, err := ParseParams(json.RawMessage(tt.in), known)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(p.Policies, tt.policies) || p.Level != tt.level {
			t.Errorf("%s: %+v %v", tt.in, p, err)
		}
	}
}

func report(policies, checks int) *baseline.Report {
	rep := &baseline.Report{}
	for i := range policies {
		p := baseline.PolicyResult{Policy: "p" + string(rune('a'+i))}
		for j := range checks {
			st := []baseline.Status{baseline.Pass, baseline.Fail, baseline.NotApplicable, baseline.Error}[j%4]
			p.Checks = append(p.Checks, baseline.CheckResult{Policy: p.Policy, Check: strings.Repeat("c", 1+j%5) + string(rune('0'+j%10)),
				Title: "title", Severity: model.SevHigh, Status: st, Reason: "why", Evidence: []string{strings.Repeat("e", 200)},
				Remediation: "fix it", References: []model.Reference{{Type: "CIS", ID: "1.1"}}, Tags: []string{"ssh"}})
		}
		rep.Policies = append(rep.Policies, p)
	}
	return rep
}

func TestCompact(t *testing.T) {
	rep := report(1, 8)
	c := Compact(rep)
	for _, ck := range c.Policies[0].Checks {
		keep := ck.Status == baseline.Fail || ck.Status == baseline.Error
		if (ck.Evidence != nil) != keep || (ck.Remediation != "") != keep || ck.Tags != nil || ck.Reason != "why" {
			t.Errorf("%s (%s): %+v", ck.Check, ck.Status, ck)
		}
	}
	if rep.Policies[0].Checks[0].Evidence == nil {
		t.Error("Compact changed its input")
	}
}

func TestMessagesSplit(t *testing.T) {
	rep := report(3, 40)
	whole, err := Messages(rep, 1<<20)
	if err != nil || len(whole) != 1 {
		t.Fatalf("whole: %d %v", len(whole), err)
	}
	// Too big as a whole: one payload per policy.
	split, err := Messages(rep, len(whole[0])/2)
	if err != nil || len(split) != 3 {
		t.Fatalf("split: %d %v", len(split), err)
	}
	for i, m := range split {
		var r baseline.Report
		if err := json.Unmarshal(m, &r); err != nil || len(r.Policies) != 1 || len(r.Policies[0].Checks) != 40 {
			t.Fatalf("payload %d: %v", i, err)
		}
	}
	// A policy too big even alone loses its evidence, then gives up.
	one := report(1, 40)
	full, _ := Messages(one, 1<<20)
	noEv, err := Messages(one, len(full[0])-1)
	if err != nil || len(noEv) != 1 || strings.Contains(string(noEv[0]), "eeee") {
		t.Fatalf("without evidence: %v", err)
	}
	if _, err := Messages(one, 100); err == nil || !strings.Contains(err.Error(), "do not fit") {
		t.Fatalf("too big: %v", err)
	}
}

func TestCheckOverrides(t *testing.T) {
	lib, _ := baseline.Library(nil)
	for _, tt := range []struct {
		in, err string
	}{
		{`{"policies": ["debian12-l1"], "overrides": {"password_max_days": "180"}}`, ""},
		{`{"policies": "auto", "overrides": {"password_max_days": "180"}}`, ""},
		{`{"policies": ["debian12-l1"], "overrides": {"password_max_dayz": "180"}}`, "unknown parameter password_max_dayz"},
		{`{"policies": ["redis"], "overrides": {"password_max_days": "180"}}`, "unknown parameter password_max_days (parameters of redis: none)"},
		{`{"policies": "auto", "overrides": {"nope": "1"}}`, "unknown parameter nope"},
	} {
		p, err := ParseParams(json.RawMessage(tt.in), lib.IDs())
		if err == nil {
			err = CheckOverrides(p, lib)
		}
		if (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want %q", tt.in, err, tt.err)
		}
	}
}
