package baseline_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/baseline/probe"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func host(id, version string, pkgs ...string) *model.Inventory {
	inv := &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: id, Version: version}}}
	for _, p := range pkgs {
		inv.Packages = append(inv.Packages, model.Package{Type: model.PkgDeb, Name: p})
	}
	return inv
}

func TestAutoSelect(t *testing.T) {
	for _, c := range []struct {
		inv   *model.Inventory
		level string
		want  []string
	}{
		{host("debian", "12"), "", []string{"debian12-l1"}},
		{host("debian", "12"), "2", []string{"debian12-l2"}},
		{host("debian", "12"), "2,mlps3", []string{"debian12-l2", "mlps-l3"}},
		{host("debian", "12"), "mlps2", []string{"mlps-l2"}},
		{host("debian", "11"), "1", nil},
		{host("rocky", "9.4"), "mlps3", []string{"mlps-l3"}},
	} {
		sel, _, err := baseline.Select(baseline.Options{Level: c.level}, c.inv)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range sel {
			got = append(got, r.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s %s level %q: %v, want %v", c.inv.Host.OS.ID, c.inv.Host.OS.Version, c.level, got, c.want)
		}
	}
	if _, _, err := baseline.ParseLevel("3"); err == nil {
		t.Error("level 3 accepted")
	}
}

// A custom baseline includes a shipped one, disables a check and relaxes
// a parameter; a malformed policy file next to it does not stop it.
func TestCustomPolicy(t *testing.T) {
	dir := t.TempDir()
	custom := filepath.Join(dir, "company.yaml")
	os.WriteFile(custom, []byte(`id: company
title: {en: Company baseline, zh: 公司基线}
include: [debian12-l1]
disable: [sshd-banner]
parameters:
  password_max_days: "100000"
`), 0o644)
	broken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(broken, []byte("id: broken\ntitle: {en: x, zh: y}\nchecks:\n  - id: a\n    title: {en: a}\n"), 0o644)
	sel, warns, err := baseline.Select(baseline.Options{Policies: []string{custom, broken}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sel) != 1 || sel[0].ID != "company" || len(warns) != 1 || !strings.HasPrefix(warns[0], broken+":4: check a: needs title.en and title.zh") {
		t.Fatalf("selected %d, warnings %q", len(sel), warns)
	}
	for _, c := range sel[0].Checks {
		if c.ID == "sshd-banner" {
			t.Error("disabled check kept")
		}
	}
	fsys := copyRoot(t, "debian-bad")
	tg := probe.NewTarget(t.Context(), fsys, false, "", host("debian", "12"))
	for _, c := range sel[0].Checks {
		if c.ID == "login-defs-pass-max-days" {
			// PASS_MAX_DAYS 99999 passes the relaxed limit.
			if r := baseline.EvaluateCheck(tg, sel[0], c); r.Status != baseline.Pass || !strings.Contains(r.Title, "100000") {
				t.Errorf("with override: %s %s %q", r.Status, r.Reason, r.Title)
			}
		}
	}
	if _, _, err := baseline.Select(baseline.Options{Policies: []string{broken}}, nil); err == nil {
		t.Error("only a broken policy: no error")
	}
	if _, _, err := baseline.Select(baseline.Options{Policies: []string{"no-such-policy"}}, nil); err == nil {
		t.Error("unknown id accepted")
	}
}

func TestErrorsBecomeLowFindings(t *testing.T) {
	rep := &baseline.Report{Policies: []baseline.PolicyResult{{Policy: "p", Checks: []baseline.CheckResult{
		{Policy: "p", Check: "a", Title: "A", Severity: model.SevHigh, Status: baseline.Error, Reason: "cannot read /etc/x"},
		{Policy: "p", Check: "b", Title: "B", Severity: model.SevHigh, Status: baseline.Fail, Remediation: "do x", References: []model.Reference{{Type: "MLPS", ID: "L3-CES1-01"}}},
		{Policy: "p", Check: "c", Status: baseline.NotApplicable}, {Policy: "p", Check: "d", Status: baseline.Manual}, {Policy: "p", Check: "e", Status: baseline.Pass},
	}}}}
	fs := baseline.Findings(rep)
	if len(fs) != 2 || fs[0].Severity != model.SevLow || !strings.HasPrefix(fs[0].Title, "could not evaluate") || fs[1].Rule != "p/b" || fs[1].Severity != model.SevHigh || fs[1].References[0].ID != "L3-CES1-01" {
		t.Fatalf("%+v", fs)
	}
	if fs[0].ID == fs[1].ID {
		t.Error("finding ids collide")
	}
	if s := baseline.Score(map[baseline.Status]int{baseline.Pass: 3, baseline.Fail: 1, baseline.Error: 0, baseline.NotApplicable: 9, baseline.Manual: 5}); s != 75 {
		t.Errorf("score %v", s)
	}
}

// The OpenSCAP pitfall, end to end with the shipped check: PermitRootLogin
// yes with sshd installed fails; sshd not installed is not-applicable
// (with the reason); an unreadable sshd_config is an error — never pass.
func TestOpenSCAPPitfallRegression(t *testing.T) {
	sel, _, err := baseline.Select(baseline.Options{Policies: []string{"debian12-l1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var check = -1
	for i, c := range sel[0].Checks {
		if c.ID == "sshd-permit-root-login" {
			check = i
		}
	}
	if check < 0 {
		t.Fatal("no sshd-permit-root-login check")
	}
	run := func(files map[string]string, pkgs ...string) baseline.CheckResult {
		dir := t.TempDir()
		testutil.WriteFiles(t, dir, files)
		tg := probe.NewTarget(t.Context(), testutil.OpenRoot(t, dir), false, "", host("debian", "12", append(pkgs, "base-files")...))
		return baseline.EvaluateCheck(tg, sel[0], sel[0].Checks[check])
	}
	yes := map[string]string{"etc/ssh/sshd_config": "PermitRootLogin yes\n"}
	if r := run(yes, "openssh-server"); r.Status != baseline.Fail {
		t.Errorf("PermitRootLogin yes, sshd installed: %s %s", r.Status, r.Reason)
	}
	if r := run(yes); r.Status != baseline.NotApplicable || r.Reason != "openssh-server not installed" {
		t.Errorf("sshd absent: %s %q", r.Status, r.Reason)
	}
	if r := run(map[string]string{"etc/ssh/sshd_config/x": "a directory, not a file"}, "openssh-server"); r.Status != baseline.Error || !strings.Contains(r.Reason, "cannot read") {
		t.Errorf("unreadable sshd_config: %s %q", r.Status, r.Reason)
	}
	// No package database at all: the gate cannot tell, so error, not N/A.
	tg := probe.NewTarget(t.Context(), testutil.TempRoot(t, yes), false, "", &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: "debian", Version: "12"}}})
	if r := baseline.EvaluateCheck(tg, sel[0], sel[0].Checks[check]); r.Status != baseline.Error {
		t.Errorf("no package database: %s %q", r.Status, r.Reason)
	}
}
