package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/posture"
	"github.com/ward-sec/ward/internal/testutil"
)

func sample() *model.ScanResult {
	inv := &model.Inventory{
		SchemaVersion: model.SchemaVersion,
		ScannedAt:     time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		Root:          "/",
		Live:          true,
		Host: &model.Host{Hostname: "web-01", Kernel: "6.1.0-28-amd64", Arch: "x86_64",
			OS:  model.OSRelease{ID: "debian", Version: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)", Codename: "bookworm", Family: "debian"},
			CPU: &model.CPU{Model: "Intel Xeon", Threads: 2}, MemoryBytes: 24 << 30},
		Users: []model.User{
			{Name: "root", UID: 0, Shell: "/bin/bash", CanLogin: true, Password: model.PasswordSet, HashScheme: "yescrypt"},
			{Name: "toor", UID: 0, Shell: "/bin/bash", CanLogin: true, Password: model.PasswordSet, HashScheme: "sha512crypt"},
		},
		Sudoers: []model.SudoRule{{Principal: "%ops", Hosts: "ALL", RunAs: "ALL", Commands: []string{"ALL"}, NoPasswd: true, File: "/etc/sudoers.d/ops", Line: 1}},
		Sockets: []model.Socket{
			{Protocol: "tcp", State: "LISTEN", LocalAddr: "0.0.0.0", LocalPort: 6379, PID: 812, ProcessName: "redis-server"},
			{Protocol: "tcp", State: "ESTABLISHED", LocalAddr: "10.0.0.5", LocalPort: 22, RemoteAddr: "10.0.0.9", RemotePort: 50522, PID: 900, ProcessName: "sshd"},
		},
		Packages: []model.Package{
			{Type: model.PkgDeb, Name: "libc6", Version: "2.36-9+deb12u4", Arch: "amd64", SourceName: "glibc", SourceVersion: "2.36-9+deb12u4", Location: "/var/lib/dpkg/status"},
			{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1", Location: "/opt/app/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar", FoundBy: "pom.properties"},
		},
		Applications: []model.Application{{Name: "redis", Category: "cache", Version: "7.0.15", Running: true, PIDs: []int{812}, Ports: []int{6379}, Evidence: []string{"process", "package"}}},
		Collectors:   []model.CollectorRun{{Name: "accounts/local", Status: "ok", Items: 3}, {Name: "live/containers", Status: "failed", Reason: "docker: connection refused\nstack"}},
		Warnings:     []model.Warning{{Collector: "os/dpkg", Path: "/var/lib/dpkg/status", Message: "line 12: malformed field\x1b[31m"}},
	}
	findings := append(posture.Evaluate(inv), log4jFinding())
	return &model.ScanResult{Tool: model.ToolInfo{Name: "ward", Version: "test"}, Inventory: inv, Findings: findings}
}

// log4jFinding is what the vuln matcher reports for the sample's nested jar.
func log4jFinding() model.Finding {
	asset := model.AssetRef{Type: "package", ID: "org.apache.logging.log4j:log4j-core@2.14.1", Path: "/opt/app/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"}
	return model.Finding{
		ID: model.FindingID("vuln/CVE-2021-44228", asset), Kind: model.KindVulnerability, Rule: "vuln/CVE-2021-44228",
		Severity: model.SevCritical, Title: "CVE-2021-44228: org.apache.logging.log4j:log4j-core 2.14.1, fixed in 2.15.0",
		Description: "Remote code injection in Log4j", Asset: asset,
		Evidence:    []string{"ecosystem: Maven", "fixed version: 2.15.0"},
		Remediation: "upgrade org.apache.logging.log4j:log4j-core to 2.15.0 in /opt/app/app.jar (bundled as BOOT-INF/lib/log4j-core-2.14.1.jar), then rebuild and redeploy it",
		References: []model.Reference{
			{Type: "CVE", ID: "CVE-2021-44228", URL: "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"},
			{Type: "GHSA", ID: "GHSA-jfh8-c2jp-5v3q", URL: "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q"},
		},
	}
}

func TestFormatsGolden(t *testing.T) {
	for _, tc := range []struct {
		format, file string
		opts         Options
	}{
		{"table", "summary.txt", Options{}},
		{"table", "show-packages.txt", Options{Show: []string{"packages", "ports"}}},
		{"json", "result.json", Options{}},
		{"cyclonedx", "sbom.cdx.json", Options{}},
		{"sarif", "result.sarif", Options{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tc.format, sample(), tc.opts); err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, tc.file, buf.Bytes())
		})
	}
}

func TestTableSanitizesHostData(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "table", sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Fatal("escape sequence from host data reached the terminal output")
	}
}

func TestCycloneDXDecodes(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "cyclonedx", sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(&buf, cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	if bom.Vulnerabilities == nil || len(*bom.Vulnerabilities) != 1 {
		t.Fatalf("SBOM vulnerabilities: %+v", bom.Vulnerabilities)
	}
	v := (*bom.Vulnerabilities)[0]
	if v.ID != "CVE-2021-44228" || v.Affects == nil || len(*v.Affects) != 1 ||
		(*v.Affects)[0].Ref != "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1#/opt/app/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar" {
		t.Errorf("vulnerability %s affects %+v", v.ID, v.Affects)
	}
	purls := map[string]bool{}
	for _, c := range *bom.Components {
		purls[c.PackageURL] = true
	}
	for _, want := range []string{
		"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&source=glibc",
		"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
	} {
		if !purls[want] {
			t.Errorf("SBOM lacks %s; has %v", want, purls)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "json", sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	var back model.ScanResult
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Inventory.SchemaVersion != model.SchemaVersion || len(back.Findings) != len(sample().Findings) {
		t.Fatalf("round trip lost data: %+v", back)
	}
	if back.Findings[0].Severity != model.SevHigh {
		t.Fatalf("severity did not round-trip: %v", back.Findings[0].Severity)
	}
}

func TestUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "xml", sample(), Options{})
	if err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Fatalf("want error naming the format, got %v", err)
	}
}

func TestSARIFShape(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "sarif", sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("sarif version %q runs %d", log.Version, len(log.Runs))
	}
	found := false
	for _, r := range log.Runs[0].Results {
		if r.RuleID == "vuln/CVE-2021-44228" {
			found = true
			if r.Level != "error" || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "file:///opt/app/app.jar" {
				t.Errorf("log4j result: %+v", r)
			}
		}
	}
	if !found {
		t.Error("no result for the log4j finding")
	}
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		if r.ID == "vuln/CVE-2021-44228" && r.Properties["security-severity"] != "9.5" {
			t.Errorf("security-severity %v", r.Properties["security-severity"])
		}
	}
}
