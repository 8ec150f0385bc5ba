package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

// `ward scan --vuln --check FILE` evaluates 0-day checks beside the
// advisory matching, even when the advisory database is missing.
func TestScanVulnWithCheck(t *testing.T) {
	check := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(check, []byte("id: toor\ntitle: toor account present\nseverity: critical\nprobes:\n  - content: {path: /etc/passwd, regex: '^toor:'}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runWard(t, "scan", "--root", debianRoot(), "--collectors", "host", "--vuln", "--vulndb", filepath.Join(t.TempDir(), "none.db"),
		"--check", check, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res model.ScanResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Findings {
		found = found || (f.Rule == "vuln-check/toor" && f.Severity == model.SevCritical)
	}
	if !found || len(res.Detections) != 1 || !strings.Contains(strings.Join(res.Detections[0].Summary, "\n"), "toor: EXPOSED") {
		t.Errorf("findings %+v\ndetections %+v", res.Findings, res.Detections)
	}
	if code, _, errOut := runWard(t, "scan", "--root", debianRoot(), "--vuln", "--check", filepath.Join(t.TempDir(), "missing.yaml")); code == 0 || !strings.Contains(errOut, "missing.yaml") {
		t.Errorf("missing check file: exit %d, %s", code, errOut)
	}
}
