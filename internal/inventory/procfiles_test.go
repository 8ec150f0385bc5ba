package inventory

import (
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

func TestAttributeFiles(t *testing.T) {
	inv := &model.Inventory{
		Processes: []model.Process{{PID: 812, Files: []model.ProcessFile{
			{Path: "/usr/sbin/nginx"},
			{Path: "/usr/lib/x86_64-linux-gnu/libssl.so.3"}, // dpkg lists it under /lib (merged /usr)
			{Path: "/usr/lib/x86_64-linux-gnu/libc.so.6"},   // listed under both: the exact path wins
			{Path: "/opt/vendor/libfoo.so"},                 // no package owns it
		}}},
		Packages: []model.Package{
			{Type: model.PkgDeb, Name: "nginx-core", Files: []string{"/usr/sbin/nginx", "/usr/share/doc/nginx-core"}},
			{Type: model.PkgDeb, Name: "libssl3", Files: []string{"/lib/x86_64-linux-gnu/libssl.so.3"}},
			{Type: model.PkgDeb, Name: "libc6-compat", Files: []string{"/lib/x86_64-linux-gnu/libc.so.6"}},
			{Type: model.PkgDeb, Name: "libc6", Files: []string{"/usr/lib/x86_64-linux-gnu/libc.so.6"}},
			{Type: model.PkgMaven, Name: "foo", Files: []string{"/opt/vendor/libfoo.so"}}, // not an OS package
		},
	}
	AttributeFiles(inv)
	want := []string{"nginx-core", "libssl3", "libc6", ""}
	for i, f := range inv.Processes[0].Files {
		if f.Package != want[i] {
			t.Errorf("%s: owner %q, want %q", f.Path, f.Package, want[i])
		}
	}
}
