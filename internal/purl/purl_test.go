package purl

import (
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

func TestFor(t *testing.T) {
	deb12 := &model.OSRelease{ID: "debian", Version: "12"}
	rocky := &model.OSRelease{ID: "rocky", Version: "9.3"}
	tests := []struct {
		name string
		pkg  model.Package
		os   *model.OSRelease
		want string
	}{
		{"deb with source", model.Package{Type: model.PkgDeb, Name: "libc6", Version: "2.36-9+deb12u4", Arch: "amd64", SourceName: "glibc"}, deb12,
			"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&source=glibc"},
		{"rpm with epoch", model.Package{Type: model.PkgRPM, Name: "openssl", Version: "3.0.7", Release: "24.el9", Epoch: 1, Arch: "x86_64"}, rocky,
			"pkg:rpm/rocky/openssl@3.0.7-24.el9?arch=x86_64&distro=rocky-9.3&epoch=1"},
		{"maven", model.Package{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1"}, nil,
			"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
		{"pypi normalised", model.Package{Type: model.PkgPyPI, Name: "PyYAML", Version: "6.0"}, nil, "pkg:pypi/pyyaml@6.0"},
		{"npm scoped", model.Package{Type: model.PkgNPM, Name: "@babel/core", Version: "7.0.0"}, nil, "pkg:npm/%40babel/core@7.0.0"},
		{"go module", model.Package{Type: model.PkgGo, Name: "golang.org/x/net", Version: "v0.17.0"}, nil, "pkg:golang/golang.org/x/net@v0.17.0"},
		{"unknown type", model.Package{Type: model.PkgBinary, Name: "x"}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := For(tc.pkg, tc.os); got != tc.want {
				t.Errorf("For() = %q\nwant      %q", got, tc.want)
			}
		})
	}
}
