package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func debianRoot() string { return filepath.Join(testutil.RepoRoot(), "testdata", "roots", "debian") }

func runWard(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestScanTableOnFixtureRoot(t *testing.T) {
	code, out, errOut := runWard(t, "scan", "--root", debianRoot(), "--show", "users")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Ward inventory of", "ASSETS", "packages", "FINDINGS", "Non-root account with UID 0: toor", "USERS ("} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks %q", want)
		}
	}
}

func TestScanJSONToFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "inv.json")
	code, _, errOut := runWard(t, "scan", "--root", debianRoot(), "--format", "json", "--output", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res model.ScanResult
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if res.Inventory.SchemaVersion != model.SchemaVersion || res.Inventory.Host.OS.ID != "debian" || len(res.Inventory.Packages) == 0 {
		t.Fatalf("unexpected result: schema %d os %q packages %d", res.Inventory.SchemaVersion, res.Inventory.Host.OS.ID, len(res.Inventory.Packages))
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600 (inventories are sensitive)", fi.Mode().Perm())
	}
}

func TestScanCycloneDX(t *testing.T) {
	code, out, errOut := runWard(t, "scan", "--root", debianRoot(), "--format", "cyclonedx")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(strings.NewReader(out), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range *bom.Components {
		if strings.HasPrefix(c.PackageURL, "pkg:deb/debian/") && strings.Contains(c.PackageURL, "distro=debian-12") {
			found = true
		}
	}
	if !found {
		t.Error("SBOM has no Debian 12 package purls")
	}
}

func TestScanFailOn(t *testing.T) {
	code, _, _ := runWard(t, "scan", "--root", debianRoot(), "--fail-on", "critical", "--format", "json")
	if code != 3 {
		t.Fatalf("exit %d, want 3 (the fixture has an account without a password)", code)
	}
}

func TestScanBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"scan", "--format", "xml"}, 2, `unknown format "xml"`},
		{[]string{"scan", "--show", "nope"}, 2, `unknown class "nope"`},
		{[]string{"scan", "--collectors", "nope", "--root", "."}, 1, `unknown collector "nope"`},
		{[]string{"scan", "--root", "/nonexistent/ward"}, 1, "/nonexistent/ward"},
		{[]string{"scan", "--fail-on", "severe"}, 2, `unknown severity "severe"`},
		{[]string{"scan", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	} {
		code, _, errOut := runWard(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d stderr %q; want exit %d containing %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
}

func TestListCollectors(t *testing.T) {
	code, out, _ := runWard(t, "scan", "--list-collectors")
	if code != 0 || !strings.Contains(out, "os/dpkg") || !strings.Contains(out, "live/processes (live host only)") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

// TestUpOnce is the one-command start end to end, in process: server,
// this host enrolled over pinned TLS, an inventory task over NATS, the
// results stored, and the CLI pointed at it.
func TestUpOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("scans this host")
	}
	data := t.TempDir()
	code, out, errOut := runWard(t, "up", "--once", "--inventory-only", "--data", data, "--listen", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, out, errOut)
	}
	for _, want := range []string{"enrolled this host as agent agt_", "Ward is up: 1 host(s) enrolled, inventory stored", "WARD_SERVER=https://127.0.0.1:", "ward hosts"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if fi, err := os.Stat(filepath.Join(data, "server", "admin.token")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin token file: %v %v", fi, err)
	}
}

// A capability's own scan flag without its switch is a usage error, not
// silently ignored.
func TestCapabilityFlagNeedsSwitch(t *testing.T) {
	for _, tc := range []struct{ flag, value, sw string }{
		{"--check", "x.yaml", "--vuln"},
		{"--malware-mode", "full", "--malware"},
		{"--policy", "debian12-l1", "--baseline"},
		{"--wordlist", "words.txt", "--weakpass"},
	} {
		code, _, errOut := runWard(t, "scan", "--root", t.TempDir(), tc.flag, tc.value)
		if code != 2 || !strings.Contains(errOut, tc.flag+" applies only with "+tc.sw) {
			t.Errorf("%s without %s: exit %d, %s", tc.flag, tc.sw, code, errOut)
		}
	}
}
