package match

import (
	"fmt"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// FuzzMatchVersions: installed versions come from host files (a dpkg
// status, a jar's pom.properties) and advisory versions from feeds; no
// pair may panic the matcher.
func FuzzMatchVersions(f *testing.F) {
	for _, s := range [][2]string{
		{"1:9.2p1-2+deb12u3", "1:9.7p1-7"}, {"2.14.1", "2.15.0"}, {"5.2b1", "5.3.1"}, {"v0.7.0", "0.0.0-20220906165146-f3363e06e74c"},
		{"1.2.3-r1", "1.2.3_rc1-r0"}, {"1:3.0.7-24.el9", "3.0.7-25.el9_2"}, {"", "0"}, {"~~", "::"}, {"1.0.0-alpha.beta", "1.0.0+build.1"},
	} {
		f.Add(s[0], s[1])
	}
	types := []struct {
		typ model.PackageType
		eco string
		os  model.OSRelease
	}{
		{model.PkgDeb, "Debian:12", model.OSRelease{ID: "debian", Version: "12"}},
		{model.PkgRPM, "Rocky Linux:9", model.OSRelease{ID: "rocky", Version: "9.3"}},
		{model.PkgAPK, "Alpine:v3.19", model.OSRelease{ID: "alpine", Version: "3.19.1"}},
		{model.PkgMaven, "Maven", model.OSRelease{}},
		{model.PkgPyPI, "PyPI", model.OSRelease{}},
		{model.PkgNPM, "npm", model.OSRelease{}},
		{model.PkgGo, "Go", model.OSRelease{}},
	}
	f.Fuzz(func(t *testing.T, installed, fixed string) {
		for _, ty := range types {
			timer := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("slow match: %s %q %q", ty.eco, installed, fixed)) })
			a := &advisory.Advisory{ID: "X-1", Source: "osv", Affected: []advisory.Affected{{Ecosystem: ty.eco, Name: "p",
				Ranges:   []advisory.Range{{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: fixed}}}},
				Versions: []string{fixed}}}}
			if ty.typ == model.PkgMaven {
				a.Affected[0].Name = "g:p"
			}
			inv := &model.Inventory{Host: &model.Host{OS: ty.os}, Packages: []model.Package{{Type: ty.typ, Name: "p", Group: "g", Version: installed, SourceName: "p", SourceVersion: installed}}}
			for _, m := range New([]*advisory.Advisory{a}).Match(inv) {
				_ = m.Finding()
			}
			timer.Stop()
		}
	})
}
