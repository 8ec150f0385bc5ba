package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/store"
)

func TestComplianceCommands(t *testing.T) {
	f := newFixture(t)
	report := func(ssh string) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"policies": []any{map[string]any{
			"policy": "debian12-l1", "title": "Debian 12 L1",
			"checks": []any{
				map[string]any{"check": "sshd-permit-root-login", "title": "SSH root login is disabled", "severity": "high", "status": ssh,
					"reason": "PermitRootLogin yes", "evidence": []string{"/etc/ssh/sshd_config:32"}, "remediation": "set PermitRootLogin no"},
				map[string]any{"check": "tmp-separate", "title": "/tmp is separate", "severity": "medium", "status": "not-applicable", "reason": "container"},
			},
		}}})
		return b
	}
	if _, err := f.st.IngestBatch(context.Background(), []store.Message{
		{ID: "b1", HostID: f.hosts["web-1"], DataKind: store.BaselineKind, Data: report("fail")},
		{ID: "b2", HostID: f.hosts["web-2"], DataKind: store.BaselineKind, Data: report("pass")},
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{
		{"policies", []string{"compliance", "policies"}, []string{"debian12-l1", "50.0%", "Debian 12 L1"}, nil},
		{"items", []string{"compliance", "items", "--policy", "debian12-l1"}, []string{"sshd-permit-root-login", "high", "SSH root login", "tmp-separate"}, nil},
		{"failing items", []string{"compliance", "items", "--status", "fail"}, []string{"sshd-permit-root-login"}, []string{"tmp-separate"}},
		{"item hosts", []string{"compliance", "item", "debian12-l1", "sshd-permit-root-login"}, []string{"web-1", "fail", "PermitRootLogin yes"}, []string{"web-2"}},
		{"hosts", []string{"compliance", "hosts", "--below", "50"}, []string{"web-1", "0.0%"}, []string{"web-2"}},
		{"host", []string{"compliance", "host", "web-1"}, []string{"score 0.0%", "[FAIL] high sshd-permit-root-login", "fix: set PermitRootLogin no", "evidence: /etc/ssh/sshd_config:32"}, []string{"tmp-separate"}},
		{"host without results", []string{"compliance", "host", "db-1"}, []string{"no baseline results"}, nil},
		{"history", []string{"compliance", "history", "web-2"}, []string{"debian12-l1", "100.0%"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := f.run(t, store.RoleViewer, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("stdout has %q:\n%s", w, out)
				}
			}
		})
	}
	if code, _, errOut := f.run(t, store.RoleOperator, "compliance", "run"); code != 2 || !strings.Contains(errOut, "--hosts") {
		t.Errorf("run without targets: exit %d, %s", code, errOut)
	}
	if code, _, errOut := f.run(t, store.RoleViewer, "compliance", "items", "--status", "bogus"); code == 0 || !strings.Contains(errOut, "status") {
		t.Errorf("bad status: exit %d, %s", code, errOut)
	}
}
