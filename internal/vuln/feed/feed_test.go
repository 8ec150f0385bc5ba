package feed

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

func testdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "testdata", "advisories"}, parts...)...)
}

type collected struct {
	advs     map[string]*advisory.Advisory
	problems []Problem
	withdraw []string
}

func readAll(t *testing.T, path string) collected {
	t.Helper()
	c := collected{advs: map[string]*advisory.Advisory{}}
	err := Read(context.Background(), path, Sink{
		Advisory:  func(a *advisory.Advisory, _ string) error { c.advs[a.Key()] = a; return nil },
		Withdrawn: func(k, _ string) error { c.withdraw = append(c.withdraw, k); return nil },
		Problem:   func(p Problem) { c.problems = append(c.problems, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSharedAdvisoriesParse(t *testing.T) {
	c := readAll(t, testdata())
	if len(c.problems) > 0 {
		t.Errorf("problems: %v", c.problems)
	}
	log4shell := c.advs["osv/GHSA-jfh8-c2jp-5v3q"]
	if log4shell == nil {
		t.Fatal("GHSA-jfh8-c2jp-5v3q missing")
	}
	if log4shell.Severity != model.SevCritical || log4shell.Score != 10 || len(log4shell.Affected) != 3 ||
		log4shell.Affected[0].Name != "org.apache.logging.log4j:log4j-core" || log4shell.Affected[0].Ecosystem != "Maven" {
		t.Errorf("log4shell: %+v", log4shell)
	}
	if strings.Join(log4shell.Aliases, ",") != "CVE-2021-44228" {
		t.Errorf("aliases %v", log4shell.Aliases)
	}
	py := c.advs["osv/PYSEC-2020-96"]
	if py == nil || py.Affected[0].Name != "pyyaml" || len(py.Affected[0].Versions) != 7 {
		t.Errorf("PYSEC-2020-96 (YAML): %+v", py)
	}
	// The DLA whose affected list is empty is kept (its ids still merge).
	if a := c.advs["osv/DLA-3623-1"]; a == nil || len(a.Affected) != 0 {
		t.Errorf("DLA-3623-1: %+v", a)
	}
	xz := c.advs["debian-tracker/CVE-2024-3094"]
	var bw *advisory.Affected
	for i, af := range xz.Affected {
		if af.Ecosystem == "Debian:12" && af.Name == "xz-utils" {
			bw = &xz.Affected[i]
		}
	}
	if bw == nil || bw.Status != advisory.StatusNotAffected {
		t.Errorf("CVE-2024-3094 bookworm: %+v", bw)
	}
	dsa := c.advs["debian-tracker/DSA-5514-1"]
	if dsa == nil || strings.Join(dsa.Aliases, ",") != "CVE-2023-4911" || len(dsa.Affected) != 2 {
		t.Errorf("DSA-5514-1: %+v", dsa)
	}
	// The tracker dump excerpts: apparmor CVE-2014-1424 is "resolved" with
	// fixed_version 0 (not affected) in bookworm.
	ap := c.advs["debian-tracker/CVE-2014-1424/apparmor"]
	if ap == nil || ap.Affected[0].Status != advisory.StatusNotAffected {
		t.Errorf("CVE-2014-1424: %+v", ap)
	}
}

func TestBadInputNamed(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"good.json":         `{"id": "GHSA-good", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]}`,
		"truncated.json":    `{"id": "GHSA-trunc", "affected": [`,
		"noid.json":         `{"summary": "no id", "affected": []}`,
		"unknown-eco.json":  `{"id": "X-1", "affected": [{"package": {"ecosystem": "Haiku", "name": "p"}, "versions": ["1"]}]}`,
		"bad-version.json":  `{"id": "X-2", "affected": [{"package": {"ecosystem": "Debian:12", "name": "p"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "not a version!"}]}]}]}`,
		"withdrawn.json":    `{"id": "GHSA-gone", "withdrawn": "2024-02-01T00:00:00Z", "affected": []}`,
		"bad-tracker.json":  `{"Header": {"ID": "CVE-2024-0001"}, "Annotations": [{"Type": "package", "Release": "bookworm", "Package": "p", "Kind": "fixed", "Version": "1:"}]}`,
		"bad-date.yaml":     "id: PYSEC-X\nmodified: yesterday\naffected: []\n",
		"not-advisory.txt":  "ignored",
		"dump/tracker.json": `{"p": {"CVE-2024-1": {"releases": {"bookworm": {"status": "weird"}}}, "CVE-2024-2": {"releases": {"bookworm": {"status": "open"}}}}}`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := readAll(t, dir)
	if c.advs["osv/GHSA-good"] == nil || c.advs["debian-tracker/CVE-2024-2/p"] == nil {
		t.Errorf("good records lost: %v", c.advs)
	}
	if len(c.withdraw) != 1 || c.withdraw[0] != "osv/GHSA-gone" {
		t.Errorf("withdrawn: %v", c.withdraw)
	}
	want := map[string]string{
		"truncated.json":            "decode OSV",
		"noid.json":                 "without id",
		"unknown-eco.json (X-1)":    `unknown ecosystem "Haiku"`,
		"bad-version.json (X-2)":    `fixed "not a version!"`,
		"bad-tracker.json":          `version "1:"`,
		"bad-date.yaml":             `bad time "yesterday"`,
		"tracker.json!p/CVE-2024-1": `unknown status "weird"`,
	}
	for _, p := range c.problems {
		for suffix, msg := range want {
			if strings.HasSuffix(p.Record, suffix) && strings.Contains(p.Error, msg) {
				delete(want, suffix)
			}
		}
	}
	for rec, msg := range want {
		t.Errorf("no problem %q for %s; have %v", msg, rec, c.problems)
	}
}

func TestCorruptZipFailsWholeFeed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "all.zip")
	os.WriteFile(p, []byte("PK\x03\x04 not really a zip"), 0o644)
	err := Read(context.Background(), p, Sink{Advisory: func(*advisory.Advisory, string) error { return nil }, Problem: func(Problem) {}})
	if err == nil || !strings.Contains(err.Error(), "all.zip") {
		t.Errorf("err = %v, want one naming all.zip", err)
	}
}

func TestEcosystemNormalisation(t *testing.T) {
	for in, want := range map[string]string{
		"Debian:12": "Debian:12", "Ubuntu:22.04:LTS": "Ubuntu:22.04", "Ubuntu:Pro:18.04:LTS": "Ubuntu:Pro:18.04",
		"Alpine:v3.19": "Alpine:v3.19", "Red Hat:enterprise_linux:9::appstream": "Red Hat:9", "Rocky Linux:9": "Rocky Linux:9",
		"AlmaLinux:8": "AlmaLinux:8", "Maven": "Maven", "crates.io": "crates.io",
	} {
		if got, ok := advisory.NormalizeEcosystem(in); !ok || got != want {
			t.Errorf("%s -> %s %v, want %s", in, got, ok, want)
		}
	}
	if got, ok := advisory.NormalizeEcosystem("Red Hat:rhel_eus:9.2::baseos"); !ok || got != "Red Hat:rhel_eus:9.2::baseos" {
		t.Errorf("rhel_eus: %s %v", got, ok)
	}
	for _, bad := range []string{"Debian", "Red Hat", "Haiku", ""} {
		if _, ok := advisory.NormalizeEcosystem(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSeverityWords(t *testing.T) {
	for _, tc := range []struct {
		rec  string
		want model.Severity
	}{
		{`{"id":"UBUNTU-CVE-2024-1","severity":[{"type":"Ubuntu","score":"medium"}],"affected":[]}`, model.SevMedium},
		{`{"id":"GHSA-x","database_specific":{"severity":"MODERATE"},"affected":[]}`, model.SevMedium},
		{`{"id":"GHSA-y","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"database_specific":{"severity":"LOW"},"affected":[]}`, model.SevCritical},
		{`{"id":"X-4","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],"affected":[]}`, model.SevCritical},
		{`{"id":"ALSA-1","severity":[{"type":"Ubuntu","score":"negligible"}],"affected":[]}`, model.SevInfo},
	} {
		a, _, err := ParseOSV([]byte(tc.rec), false)
		if err != nil || !a.SeverityKnown || a.Severity != tc.want {
			t.Errorf("%s: %v %v known=%v, want %v", tc.rec, err, a.Severity, a.SeverityKnown, tc.want)
		}
	}
	a, _, _ := ParseOSV([]byte(`{"id":"GO-1","affected":[]}`), false)
	if a.SeverityKnown {
		t.Error("unrated record rated")
	}
}
