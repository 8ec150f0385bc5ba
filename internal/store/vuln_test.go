package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

func vulnInventory(pkgs ...model.Package) *model.Inventory {
	return &model.Inventory{SchemaVersion: model.SchemaVersion, ScannedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Host:      &model.Host{Hostname: "h", OS: model.OSRelease{ID: "debian", Version: "12"}},
		Packages:  pkgs,
		Processes: []model.Process{{PID: 1, Name: "nginx", Files: []model.ProcessFile{{Path: "/usr/lib/libssl.so.3", Package: "libssl3"}}}},
		Services:  []model.Service{{Name: "nginx.service", Manager: "systemd", Enabled: "enabled", MainPID: 1}}}
}

func TestHostsWithPackagesAndUpdateFindings(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		libssl := model.Package{Type: model.PkgDeb, Name: "libssl3", Version: "3.0.11-1", SourceName: "openssl", SourceVersion: "3.0.11-1", Location: "/var/lib/dpkg/status"}
		nosrc := model.Package{Type: model.PkgDeb, Name: "openssl", Version: "3.0.11-1", Location: "/var/lib/dpkg/status"}
		log4j := model.Package{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1", Location: "/opt/a.jar"}
		other := model.Package{Type: model.PkgMaven, Group: "com.example", Name: "log4j-core", Version: "1.0", Location: "/opt/b.jar"}
		pyyaml := model.Package{Type: model.PkgPyPI, Name: "PyYAML", Version: "5.3", Location: "/usr/lib/python3/PyYAML-5.3.dist-info"}
		h1, h2, h3 := host(t, s, "h1", nil), host(t, s, "h2", nil), host(t, s, "h3", nil)
		for i, m := range []struct {
			id  int64
			inv *model.Inventory
		}{{h1, vulnInventory(libssl, log4j, pyyaml)}, {h2, vulnInventory(nosrc, other)}, {h3, vulnInventory()}} {
			if _, err := s.IngestInventory(ctx, "inv-"+string(rune('a'+i)), m.id, m.inv); err != nil {
				t.Fatal(err)
			}
		}

		calls := 0
		got, err := s.HostsWithPackages(ctx, []SoftwareFilter{
			{Type: model.PkgDeb, Names: []string{"openssl"}, SourceNames: []string{"openssl"}},
			{Type: model.PkgMaven, Names: []string{"log4j-core"}, Groups: []string{"org.apache.logging.log4j"}},
			{Type: model.PkgPyPI, AllOfType: true},
		}, func(p *model.Package) bool { calls++; return p.Name != "PyYAML" || p.Version == "5.3" })
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].HostID != h1 || got[1].HostID != h2 || got[0].OSID != "debian" || got[0].OSVersion != "12" {
			t.Fatalf("hosts %+v", got)
		}
		var names []string
		for _, p := range got[0].Packages {
			names = append(names, p.Name+"@"+p.Location)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"PyYAML@/usr/lib/python3/PyYAML-5.3.dist-info", "libssl3@/var/lib/dpkg/status", "log4j-core@/opt/a.jar"}) {
			t.Errorf("h1 packages %v", names)
		}
		if len(got[1].Packages) != 1 || got[1].Packages[0].Name != "openssl" {
			t.Errorf("h2 packages %+v (com.example:log4j-core is not selected)", got[1].Packages)
		}
		if calls != 4 {
			t.Errorf("accept called %d times, want once per distinct software row (4)", calls)
		}
		if _, err := s.HostsWithPackages(ctx, []SoftwareFilter{{Names: []string{"x"}}}, nil); err == nil {
			t.Error("a filter without a type was accepted")
		}

		// Findings of two advisories on h1 and h2; a re-import of the first
		// keeps h1's, drops h2's, and leaves the second advisory's alone.
		f := func(rule, asset string) model.Finding {
			return model.Finding{Kind: model.KindVulnerability, Rule: rule, Severity: model.SevHigh, Title: rule, Asset: model.AssetRef{Type: "package", ID: asset}}
		}
		st, err := s.UpdateFindings(ctx, "vuln", map[int64][]model.Finding{
			h1: {f("vuln/CVE-1", "openssl@3.0.11-1"), f("vuln/CVE-2", "log4j@2.14.1")},
			h2: {f("vuln/CVE-1", "openssl@3.0.11-1")},
		}, Resolve{Hosts: []int64{h1, h2}, Rules: []string{"vuln/CVE-1", "vuln/CVE-2"}})
		if err != nil || st.Upserted != 3 || st.Resolved != 0 {
			t.Fatalf("first update %+v %v", st, err)
		}
		st, err = s.UpdateFindings(ctx, "vuln", map[int64][]model.Finding{h1: {f("vuln/CVE-1", "openssl@3.0.11-1")}},
			Resolve{Hosts: []int64{h1, h2, h3}, Rules: []string{"vuln/CVE-1"}})
		if err != nil || st.Upserted != 1 || st.Resolved != 1 {
			t.Fatalf("second update %+v %v", st, err)
		}
		open, err := s.Findings(ctx, FindingFilter{Scope: "vuln", Status: FindingOpen})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, r := range open {
			keys = append(keys, r.Finding.Rule+"@"+map[int64]string{h1: "h1", h2: "h2"}[r.HostID])
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"vuln/CVE-1@h1", "vuln/CVE-2@h1"}) {
			t.Errorf("open findings %v", keys)
		}
		recs, err := s.OpenFindingsByRules(ctx, "vuln", []string{"vuln/CVE-2", "vuln/CVE-9"}, 0, "", 0)
		if err != nil || len(recs) != 1 || recs[0].HostID != h1 {
			t.Errorf("by rules %+v %v", recs, err)
		}

		// Full replace of a host's scope, without a message id.
		if err := s.ReplaceFindings(ctx, h1, "vuln", nil); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Findings(ctx, FindingFilter{Scope: "vuln", Status: FindingOpen}); len(n) != 0 {
			t.Errorf("after replace: %d open", len(n))
		}

		// What matching and restart impact read.
		inv, err := s.HostPackages(ctx, h1)
		if err != nil || inv.Host == nil || inv.Host.OS.Version != "12" || len(inv.Packages) != 3 || len(inv.Processes) != 0 {
			t.Errorf("host packages %+v %v", inv, err)
		}
		if _, err := s.HostPackages(ctx, 999999); err == nil {
			t.Error("unknown host: no error")
		}
		procs, err := s.HostProcesses(ctx, []int64{h1, h3})
		if err != nil || len(procs[h1].Processes) != 1 || procs[h1].Processes[0].Files[0].Package != "libssl3" || len(procs[h1].Services) != 1 {
			t.Errorf("host processes %+v %v", procs, err)
		}
		named, err := s.HostPackagesNamed(ctx, h2, "openssl")
		if err != nil || len(named) != 1 {
			t.Errorf("named %+v %v", named, err)
		}
		ids, err := s.HostIDsWithInventory(ctx)
		if err != nil || !slices.Equal(ids, []int64{h1, h2, h3}) {
			t.Errorf("with inventory %v %v", ids, err)
		}
	})
}
