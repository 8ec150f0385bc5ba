package cli

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/vuln/db"
	"github.com/ward-sec/ward/internal/vuln/fleet"
	"github.com/ward-sec/ward/internal/vuln/zeroday"
)

// vulnFixture is the CLI fixture served with an advisory database and the
// vuln-check task type.
func vulnFixture(t *testing.T) *fixture {
	f := newFixture(t)
	vdb, err := db.Open(filepath.Join(t.TempDir(), "advisories.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vdb.Close() })
	types := append(api.DefaultTaskTypes(), api.TaskType{Name: zeroday.TaskType, CheckParams: func(p json.RawMessage) error {
		_, err := zeroday.ParseParams(p)
		return err
	}})
	srv := httptest.NewUnstartedServer(api.New(f.st, api.Options{CAFingerprint: f.ca.fingerprint, Vuln: fleet.New(f.st, vdb, nil), TaskTypes: types}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{f.ca.serverCert(t, f.ca.cert)}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func writeFile(t *testing.T, name, data string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVulnCommands(t *testing.T) {
	f := vulnFixture(t)
	adv := writeFile(t, "GHSA-test.json", `{"id": "GHSA-test-0002-xxxx", "aliases": ["CVE-2099-0002"], "modified": "2026-12-01T00:00:00Z",
	  "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
	  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.17.1"}]}]}]}`)
	check := writeFile(t, "check.yaml", "id: demo\ntitle: demo check\nprobes:\n  - content: {path: /etc/motd, regex: 'vulnerable'}\n")
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "motd"), []byte("this box is vulnerable\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		as      store.Role
		args    []string
		want    []string
		notWant []string
	}{
		{"empty database", store.RoleViewer, []string{"vuln", "db"}, []string{"advisories: 0", "never"}, nil},
		{"import upload", store.RoleAdmin, []string{"vuln", "import", "--upload", adv}, []string{"1 added", "2 hosts hold the packages, 1 affected", "no agent rescans"}, nil},
		{"hosts by CVE", store.RoleViewer, []string{"vuln", "hosts", "CVE-2099-0002"},
			[]string{"also GHSA-test-0002-xxxx", "web-1", "org.apache.logging.log4j:log4j-core (/opt/app.jar)", "2.14.1", "2.17.1"}, []string{"web-2"}},
		{"hosts unknown bug", store.RoleViewer, []string{"vuln", "hosts", "CVE-1999-0001"}, []string{"does not know CVE-1999-0001", "0-day check"}, nil},
		{"check local", store.RoleViewer, []string{"vuln", "check", "--root", root, check}, []string{"demo: EXPOSED", "/etc/motd:1: this box is vulnerable"}, nil},
		{"push", store.RoleOperator, []string{"vuln", "push", check, "--all"}, []string{"task 1 (vuln-check) created, queued on 3 hosts"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var code int
			var out, errOut string
			if tc.args[1] == "check" {
				code, out, errOut = runEnv(t, nil, tc.args...)
			} else {
				code, out, errOut = f.run(t, tc.as, tc.args...)
			}
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
	// Usage and input errors.
	if code, _, errOut := f.run(t, store.RoleOperator, "vuln", "push", writeFile(t, "bad.yaml", "id: x\n"), "--all"); code != 1 || !strings.Contains(errOut, "title is required") {
		t.Errorf("bad check pushed: exit %d, %s", code, errOut)
	}
	if code, _, errOut := f.run(t, store.RoleViewer, "vuln", "import", adv); code != 1 || !strings.Contains(errOut, "403") {
		t.Errorf("viewer import: exit %d, %s", code, errOut)
	}
}
