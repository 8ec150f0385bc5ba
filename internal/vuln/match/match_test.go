package match

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
	"github.com/ward-sec/ward/internal/vuln/feed"
)

func osvFile(t *testing.T, rel string) *advisory.Advisory {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "advisories", rel))
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := feed.ParseOSV(data, strings.HasSuffix(rel, ".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func trackerFile(t *testing.T, rel string) *advisory.Advisory {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "advisories", "debian", "vuln-list-debian", "tracker", rel))
	if err != nil {
		t.Fatal(err)
	}
	a, err := feed.VulnListDebian(data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func debian(version string, pkgs ...model.Package) *model.Inventory {
	return &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: "debian", Version: version}}, Packages: pkgs}
}

func deb(name, source, version string) model.Package {
	return model.Package{Type: model.PkgDeb, Name: name, Version: version, SourceName: source, SourceVersion: version, Location: "/var/lib/dpkg/status"}
}

func ids(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name+" "+m.IDs[0]+" "+m.StatusText())
	}
	return out
}

// TestBackport: openssh in bookworm was fixed for CVE-2024-6387 by
// DSA-5724-1 in 1:9.2p1-2+deb12u3, far below upstream's 9.8p1 and sid's
// 1:9.7p1-7, and the stored CVE record has no bookworm line.
func TestBackport(t *testing.T) {
	m := New([]*advisory.Advisory{trackerFile(t, "CVE/2024/CVE-2024-6387.json"), trackerFile(t, "DSA/DSA-5724-1.json")})
	got := ids(m.Match(debian("12", deb("openssh-server", "openssh", "1:9.2p1-2+deb12u2"))))
	want := "openssh CVE-2024-6387 fixed in 1:9.2p1-2+deb12u3"
	if len(got) != 1 || got[0] != want {
		t.Errorf("deb12u2: %v, want [%s]", got, want)
	}
	if got := m.Match(debian("12", deb("openssh-server", "openssh", "1:9.2p1-2+deb12u3"))); len(got) != 0 {
		t.Errorf("deb12u3 (the backported fix): %v", ids(got))
	}
	// Bullseye is "<not-affected> (Vulnerable code introduced later)".
	if got := ids(m.Match(debian("11", deb("openssh-server", "openssh", "1:8.4p1-5+deb11u3")))); len(got) != 0 {
		t.Errorf("bullseye: %v", got)
	}
	// Trixie has no line of its own: it follows sid (fixed in 1:9.7p1-7).
	if got := ids(m.Match(debian("13", deb("openssh-server", "openssh", "1:9.7p1-6")))); len(got) != 1 || !strings.Contains(got[0], "no fix: unfixed (fixed in unstable 1:9.7p1-7") {
		t.Errorf("trixie below sid's fix: %v", got)
	}
	if got := m.Match(debian("13", deb("openssh-server", "openssh", "1:9.7p1-7"))); len(got) != 0 {
		t.Errorf("trixie at sid's fix: %v", ids(got))
	}
}

// TestReleaseIsolation: OS packages match only their exact release's data,
// keyed on the source package.
func TestReleaseIsolation(t *testing.T) {
	m := New([]*advisory.Advisory{osvFile(t, "debian/osv/DSA-3029-1.json")}) // Debian:7 nginx < 1.2.1-2.2+wheezy3
	old := deb("nginx-core", "nginx", "1.2.1-2.2+wheezy2")
	if got := m.Match(debian("7", old)); len(got) != 1 {
		t.Fatalf("Debian 7: %v", ids(got))
	}
	for _, inv := range []*model.Inventory{
		debian("12", old),
		{Host: &model.Host{OS: model.OSRelease{ID: "ubuntu", Version: "22.04"}}, Packages: []model.Package{old}},
		debian("", old), // testing/sid: no numbered release
	} {
		if got := m.Match(inv); len(got) != 0 {
			t.Errorf("%+v: matched %v", inv.Host.OS, ids(got))
		}
	}
	// Binary name equal to the advisory's package but a different source: no match.
	if got := m.Match(debian("7", deb("nginx", "nginx-other", "1.2.1-2.2+wheezy2"))); len(got) != 0 {
		t.Errorf("keyed on binary name: %v", ids(got))
	}
}

// TestTrackerStatuses maps every tracker dump status to a finding (or none).
func TestTrackerStatuses(t *testing.T) {
	dump := `{"pkg": {
	  "CVE-1": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.2-1+deb12u1", "urgency": "high"}}},
	  "CVE-2": {"releases": {"bookworm": {"status": "open", "urgency": "unimportant"}}},
	  "CVE-3": {"releases": {"bookworm": {"status": "open", "nodsa": "Minor issue", "urgency": "low"}}},
	  "CVE-4": {"releases": {"bookworm": {"status": "open", "nodsa": "Minor issue", "nodsa_reason": "postponed"}}},
	  "CVE-5": {"releases": {"bookworm": {"status": "open", "nodsa": "Too intrusive", "nodsa_reason": "ignored"}}},
	  "CVE-6": {"releases": {"bookworm": {"status": "open", "urgency": "end-of-life"}}},
	  "CVE-7": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0"}}},
	  "CVE-8": {"releases": {"bookworm": {"status": "undetermined"}}},
	  "CVE-9": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0-1"}}},
	  "CVE-10": {"releases": {"bullseye": {"status": "open"}}}
	}}`
	var advs []*advisory.Advisory
	err := feed.TrackerDump(strings.NewReader(dump), func(a *advisory.Advisory) error { advs = append(advs, a); return nil },
		func(r string, err error) { t.Errorf("%s: %v", r, err) })
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Match{}
	for _, m := range New(advs).Match(debian("12", deb("libpkg1", "pkg", "1.2-1"))) {
		got[m.IDs[0]] = m
	}
	want := map[string]string{
		"CVE-1": "fixed in 1.2-1+deb12u1",
		"CVE-2": "no fix: unfixed",
		"CVE-3": "no fix: no-dsa (Minor issue)",
		"CVE-4": "no fix: postponed (Minor issue)",
		"CVE-5": "no fix: ignored (Too intrusive)",
		"CVE-6": "no fix: end-of-life",
		"CVE-8": "no fix: TODO (not yet triaged by the Debian security team)",
	}
	for id, w := range want {
		if m, ok := got[id]; !ok || m.StatusText() != w {
			t.Errorf("%s: %q, want %q", id, m.StatusText(), w)
		}
	}
	for _, id := range []string{"CVE-7", "CVE-9", "CVE-10"} {
		if _, ok := got[id]; ok {
			t.Errorf("%s: reported; want nothing (not-affected / fixed / other release)", id)
		}
	}
	if got["CVE-1"].Severity != model.SevHigh || got["CVE-2"].Severity != model.SevLow {
		t.Errorf("severities: CVE-1 %v CVE-2 %v", got["CVE-1"].Severity, got["CVE-2"].Severity)
	}
	f := got["CVE-1"].Finding()
	if f.Remediation != "apt-get update && apt-get install --only-upgrade libpkg1=1.2-1+deb12u1 (or any later version)" {
		t.Errorf("remediation %q", f.Remediation)
	}
}

// TestAliasMerge: the GHSA and PYSEC records of one PyYAML bug give one
// finding carrying both ids.
func TestAliasMerge(t *testing.T) {
	m := New([]*advisory.Advisory{osvFile(t, "osv/ghsa/GHSA-8q59-q68h-6hv4.json"), osvFile(t, "osv/pypa/PYSEC-2021-142.yaml"), osvFile(t, "osv/pypa/PYSEC-2020-96.yaml")})
	inv := &model.Inventory{Packages: []model.Package{{Type: model.PkgPyPI, Name: "PyYAML", Version: "5.3", Location: "/usr/lib/python3/dist-packages/PyYAML-5.3.dist-info/METADATA"}}}
	ms := m.Match(inv)
	if len(ms) != 2 {
		t.Fatalf("%d matches, want 2: %v", len(ms), ids(ms))
	}
	for _, mm := range ms {
		if mm.IDs[0] == "CVE-2020-14343" {
			if strings.Join(mm.IDs, " ") != "CVE-2020-14343 GHSA-8q59-q68h-6hv4 PYSEC-2021-142" || len(mm.Advisories) != 2 || mm.Fixed != "5.4" {
				t.Errorf("merged: ids %v, %d advisories, fixed %s", mm.IDs, len(mm.Advisories), mm.Fixed)
			}
			if mm.Severity != model.SevCritical {
				t.Errorf("severity %v, want critical (GHSA CVSS 9.8)", mm.Severity)
			}
		}
	}
}

func TestLanguageFindings(t *testing.T) {
	m := New([]*advisory.Advisory{osvFile(t, "osv/ghsa/GHSA-jfh8-c2jp-5v3q.json"), osvFile(t, "osv/go/GO-2022-0969.json")})
	inv := &model.Inventory{Packages: []model.Package{
		{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1", Location: "/opt/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"},
		{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.17.1", Location: "/opt/new.jar"},
		{Type: model.PkgMaven, Name: "log4j-core", Version: "2.14.1", Location: "/opt/nogroup.jar"}, // no groupId: not guessed
		{Type: model.PkgGo, Name: "stdlib", Version: "1.19.0", Location: "/usr/bin/tool"},
		{Type: model.PkgGo, Name: "stdlib", Version: "1.19.1", Location: "/usr/bin/tool2"},
	}}
	ms := m.Match(inv)
	if len(ms) != 2 {
		t.Fatalf("%v", ids(ms))
	}
	f := ms[0].Finding()
	if f.Severity != model.SevCritical || f.Rule != "vuln/CVE-2021-44228" || f.Asset.Path != "/opt/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar" {
		t.Errorf("log4j finding: %+v", f)
	}
	if want := "upgrade org.apache.logging.log4j:log4j-core to 2.15.0 in /opt/app.jar (bundled as BOOT-INF/lib/log4j-core-2.14.1.jar), then rebuild and redeploy it"; f.Remediation != want {
		t.Errorf("remediation %q", f.Remediation)
	}
	g := ms[1].Finding()
	if g.Severity != model.SevMedium || !strings.Contains(strings.Join(g.Evidence, "|"), "not rated") || g.Remediation != "rebuild /usr/bin/tool with Go 1.19.1 or later" {
		t.Errorf("go finding: %+v", g)
	}
	refs := map[string]bool{}
	for _, r := range f.References {
		refs[r.ID] = true
	}
	if !refs["CVE-2021-44228"] || !refs["GHSA-jfh8-c2jp-5v3q"] {
		t.Errorf("references %v", f.References)
	}
}

func TestOSRemediation(t *testing.T) {
	a := &advisory.Advisory{ID: "X-1", Source: "osv", Affected: []advisory.Affected{
		{Ecosystem: "Red Hat:9", Name: "openssl", Ranges: []advisory.Range{{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "1:3.0.7-25.el9"}}}}},
		{Ecosystem: "Alpine:v3.19", Name: "openssl", Ranges: []advisory.Range{{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "3.1.4-r5"}}}}},
	}}
	m := New([]*advisory.Advisory{a})
	rh := &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: "rhel", Version: "9.3"}}, Packages: []model.Package{
		{Type: model.PkgRPM, Name: "openssl-libs", Epoch: 1, Version: "3.0.7", Release: "24.el9", SourceName: "openssl", SourceVersion: "3.0.7-24.el9"},
		{Type: model.PkgRPM, Name: "openssl", Epoch: 1, Version: "3.0.7", Release: "24.el9", SourceName: "openssl", SourceVersion: "3.0.7-24.el9"},
	}}
	ms := m.Match(rh)
	if len(ms) != 1 || ms[0].Remediation() != "dnf upgrade openssl openssl-libs (to 1:3.0.7-25.el9 or later)" {
		t.Errorf("rhel: %v %q", ids(ms), func() string {
			if len(ms) > 0 {
				return ms[0].Remediation()
			}
			return ""
		}())
	}
	al := &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: "alpine", Version: "3.19.1"}}, Packages: []model.Package{
		{Type: model.PkgAPK, Name: "libcrypto3", Version: "3.1.4-r4", SourceName: "openssl", SourceVersion: "3.1.4-r4"},
	}}
	ms = m.Match(al)
	if len(ms) != 1 || ms[0].Remediation() != "apk add -u libcrypto3 (to 3.1.4-r5 or later)" {
		t.Errorf("alpine: %v", ids(ms))
	}
}

// TestSubsetMatcher is the fleet re-match shape: a matcher over one new
// advisory finds exactly that advisory's hits.
func TestSubsetMatcher(t *testing.T) {
	m := New([]*advisory.Advisory{osvFile(t, "osv/ghsa/GHSA-599f-7c49-w659.json")})
	inv := &model.Inventory{Packages: []model.Package{
		{Type: model.PkgMaven, Group: "org.apache.commons", Name: "commons-text", Version: "1.9", Location: "/a.jar"},
		{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1", Location: "/b.jar"},
	}}
	if got := ids(m.Match(inv)); len(got) != 1 || got[0] != "org.apache.commons:commons-text CVE-2022-42889 fixed in 1.10.0" {
		t.Errorf("%v", got)
	}
	if k := Keys(inv); len(k) != 2 {
		t.Errorf("keys %v", k)
	}
}

// TestDebianSignedKernel: kernel images come from linux-signed-amd64
// (6.1.76+1) but the tracker keys kernel CVEs on "linux" (6.1.76-1).
func TestDebianSignedKernel(t *testing.T) {
	m := New([]*advisory.Advisory{trackerFile(t, "CVE/2024/CVE-2024-1086.json")})
	img := func(bin, src string) model.Package {
		return model.Package{Type: model.PkgDeb, Name: "linux-image-6.1.0-18-amd64", Version: bin, SourceName: "linux-signed-amd64", SourceVersion: src, Location: "/var/lib/dpkg/status"}
	}
	ms := m.Match(debian("12", img("6.1.69-1", "6.1.69+1")))
	if got := ids(ms); len(got) != 1 || got[0] != "linux CVE-2024-1086 fixed in 6.1.76-1" {
		t.Fatalf("6.1.69-1: %v", got)
	}
	if r := ms[0].Remediation(); r != "apt-get update && apt-get install --only-upgrade linux-image-amd64 (pulls kernel 6.1.76-1 or later), then reboot into it" {
		t.Errorf("remediation %q", r)
	}
	if got := m.Match(debian("12", img("6.1.76-1", "6.1.76+1"))); len(got) != 0 {
		t.Errorf("6.1.76-1: %v", ids(got))
	}
}

// TestRangeEvents: last_affected and limit bound a range as OSV says.
func TestRangeEvents(t *testing.T) {
	mk := func(evs ...advisory.Event) *Matcher {
		return New([]*advisory.Advisory{{ID: "X-1", Source: "osv", Affected: []advisory.Affected{{Ecosystem: "npm", Name: "p",
			Ranges: []advisory.Range{{Type: "SEMVER", Events: evs}}}}}})
	}
	for _, tc := range []struct {
		m       *Matcher
		version string
		want    bool
	}{
		{mk(advisory.Event{Introduced: "1.0.0"}, advisory.Event{LastAffected: "1.4.0"}), "1.4.0", true},
		{mk(advisory.Event{Introduced: "1.0.0"}, advisory.Event{LastAffected: "1.4.0"}), "1.4.1", false},
		{mk(advisory.Event{Introduced: "1.0.0"}, advisory.Event{LastAffected: "1.4.0"}), "0.9.0", false},
		{mk(advisory.Event{Introduced: "0"}, advisory.Event{Limit: "2.0.0"}), "1.9.9", true},
		{mk(advisory.Event{Introduced: "0"}, advisory.Event{Limit: "2.0.0"}), "2.0.0", false},
		{mk(advisory.Event{Introduced: "1.0.0"}, advisory.Event{Fixed: "1.2.0"}, advisory.Event{Introduced: "2.0.0"}, advisory.Event{Fixed: "2.1.0"}), "1.5.0", false},
		{mk(advisory.Event{Introduced: "1.0.0"}, advisory.Event{Fixed: "1.2.0"}, advisory.Event{Introduced: "2.0.0"}, advisory.Event{Fixed: "2.1.0"}), "2.0.5", true},
	} {
		inv := &model.Inventory{Packages: []model.Package{{Type: model.PkgNPM, Name: "p", Version: tc.version, Location: "/x/package.json"}}}
		if got := len(tc.m.Match(inv)) == 1; got != tc.want {
			t.Errorf("%s: affected %v, want %v", tc.version, got, tc.want)
		}
	}
}
