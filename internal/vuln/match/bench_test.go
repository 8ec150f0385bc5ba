package match

import (
	"fmt"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// fleet builds n inventories of a Debian 12 host with 700 OS packages and
// 100 jars each (versions vary by host).
func fleet(n int) []*model.Inventory {
	out := make([]*model.Inventory, n)
	for h := range out {
		inv := &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: "debian", Version: "12"}}}
		for i := range 700 {
			v := fmt.Sprintf("1.%d-%d+deb12u%d", i%40, h%7, h%3)
			inv.Packages = append(inv.Packages, model.Package{Type: model.PkgDeb, Name: fmt.Sprintf("lib%d", i), Version: v,
				SourceName: fmt.Sprintf("src%d", i/2), SourceVersion: v, Location: "/var/lib/dpkg/status"})
		}
		for i := range 100 {
			inv.Packages = append(inv.Packages, model.Package{Type: model.PkgMaven, Group: "org.example", Name: fmt.Sprintf("lib%d", i),
				Version: fmt.Sprintf("2.%d.%d", i%20, h%9), Location: fmt.Sprintf("/opt/app%d.jar!/BOOT-INF/lib/lib%d.jar", h%5, i)})
		}
		out[h] = inv
	}
	return out
}

// BenchmarkRematchFleet is the server's job after importing one advisory:
// match 15,000 stored inventories against a matcher of just that advisory.
// The hosts share 100 distinct package lists so the benchmark holds 12
// million packages' worth of inventories without 4 GB of memory (the
// server streams them from its store).
func BenchmarkRematchFleet(b *testing.B) {
	distinct := fleet(100)
	invs := make([]*model.Inventory, 15000)
	for i := range invs {
		invs[i] = distinct[i%len(distinct)]
	}
	adv := &advisory.Advisory{ID: "CVE-2099-0001", Source: "debian-tracker", Affected: []advisory.Affected{
		{Ecosystem: "Debian:12", Name: "src10", Status: advisory.StatusFixed,
			Ranges: []advisory.Range{{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "1.20-3"}}}}},
		{Ecosystem: "Maven", Name: "org.example:lib7", Ranges: []advisory.Range{{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "2.7.4"}}}}},
	}}
	b.ResetTimer()
	for b.Loop() {
		m := New([]*advisory.Advisory{adv})
		hits := 0
		for _, inv := range invs {
			hits += len(m.Match(inv))
		}
		if hits == 0 {
			b.Fatal("no hits")
		}
	}
}

// BenchmarkMatchHost is one host against a few thousand advisories.
func BenchmarkMatchHost(b *testing.B) {
	inv := fleet(1)[0]
	var advs []*advisory.Advisory
	for i := range 3000 {
		advs = append(advs, &advisory.Advisory{ID: fmt.Sprintf("CVE-2099-%04d", i), Source: "osv", Affected: []advisory.Affected{
			{Ecosystem: "Debian:12", Name: fmt.Sprintf("src%d", i%400),
				Ranges: []advisory.Range{{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: fmt.Sprintf("1.%d-1", i%50)}}}}},
		}})
	}
	m := New(advs)
	b.ResetTimer()
	for b.Loop() {
		m.Match(inv)
	}
}
