package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func vulnAdvisories() string {
	return filepath.Join(testutil.RepoRoot(), "internal", "vuln", "testdata", "advisories")
}

// TestVulnDBAndScan drives the commands end to end: import, info, then a
// vuln scan of the shared Debian fixture root in every report format.
func TestVulnDBAndScan(t *testing.T) {
	db := filepath.Join(t.TempDir(), "advisories.db")
	code, out, errs := runWard(t, "vulndb", "import", "--vulndb", db, vulnAdvisories())
	if code != 0 || !strings.Contains(out, "132 added") {
		t.Fatalf("import: code %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runWard(t, "vulndb", "info", "--vulndb", db)
	if code != 0 || !strings.Contains(out, "advisories: 132") || !strings.Contains(out, "Debian:12") || strings.Contains(out, "STALE") {
		t.Errorf("info: code %d\n%s", code, out)
	}
	code, out, errs = runWard(t, "scan", "--root", debianRoot(), "--collectors", "host,os,lang", "--vuln", "--vulndb", db, "--format", "json", "--no-progress")
	if code != 0 {
		t.Fatalf("scan: code %d\n%s", code, errs)
	}
	var res model.ScanResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range res.Findings {
		if f.Kind == model.KindVulnerability {
			n++
			if f.Remediation == "" || len(f.References) == 0 {
				t.Errorf("finding without remediation or ids: %+v", f)
			}
		}
	}
	if n == 0 || len(res.Detections) != 1 || res.Detections[0].Status != "ok" {
		t.Errorf("%d vulnerability findings, detections %+v", n, res.Detections)
	}
	for _, format := range []string{"table", "sarif", "cyclonedx"} {
		code, out, errs = runWard(t, "scan", "--root", debianRoot(), "--collectors", "host,os,lang", "--vuln", "--vulndb", db, "--format", format, "--no-progress")
		if code != 0 || out == "" {
			t.Errorf("%s: code %d %s", format, code, errs)
		}
	}
}

func TestVulnDBBadInput(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runWard(t, "vulndb", "info", "--vulndb", filepath.Join(dir, "none.db"))
	if code == 0 || !strings.Contains(errs, "ward vulndb import") {
		t.Errorf("info on a missing db: code %d %s", code, errs)
	}
	code, _, errs = runWard(t, "scan", "--root", debianRoot(), "--collectors", "os", "--vuln", "--vulndb", filepath.Join(dir, "none.db"), "--format", "json", "--no-progress")
	if code != 0 {
		t.Errorf("a failed detector must not fail the scan: code %d %s", code, errs)
	}
	code, _, errs = runWard(t, "vulndb", "import", "--vulndb", filepath.Join(dir, "v.db"), filepath.Join(dir, "missing"))
	if code == 0 || !strings.Contains(errs, "missing") {
		t.Errorf("import of a missing path: code %d %s", code, errs)
	}
	if code, _, _ = runWard(t, "vulndb", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: code %d", code)
	}
}

// TestVulnDBUpdateLocalServer runs `ward vulndb update` against a local
// server laid out like the osv.dev bucket (no network beyond loopback).
func TestVulnDBUpdateLocalServer(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files, _ := filepath.Glob(filepath.Join(vulnAdvisories(), "osv", "go", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(filepath.Base(f))
		w.Write(b)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/Go/all.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(buf.Bytes())
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "advisories.db")
	code, out, errs := runWard(t, "vulndb", "update", "--vulndb", db, "--url", srv.URL, "--ecosystems", "Go", "--tracker-url", "-")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d added", len(files))) || !strings.Contains(errs, "downloading "+srv.URL+"/Go/all.zip") {
		t.Fatalf("update: code %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runWard(t, "vulndb", "info", "--vulndb", db, "--json")
	if code != 0 || !strings.Contains(out, srv.URL+"/Go/all.zip") {
		t.Errorf("info: %s", out)
	}
	// A feed that is not there fails the update and names it.
	code, _, errs = runWard(t, "vulndb", "update", "--vulndb", db, "--url", srv.URL, "--ecosystems", "npm", "--tracker-url", "-")
	if code == 0 || !strings.Contains(errs, "/npm/all.zip") {
		t.Errorf("missing feed: code %d %s", code, errs)
	}
}
