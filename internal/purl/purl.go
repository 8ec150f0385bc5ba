// Package purl builds Package URLs (https://github.com/package-url/purl-spec)
// for inventory packages, so SBOMs and advisory matchers share one identity.
package purl

import (
	"strconv"
	"strings"

	packageurl "github.com/package-url/packageurl-go"

	"github.com/ward-sec/ward/internal/model"
)

// For returns the purl of p on a host running os (nil when unknown).
func For(p model.Package, os *model.OSRelease) string {
	var q packageurl.Qualifiers
	add := func(k, v string) {
		if v != "" {
			q = append(q, packageurl.Qualifier{Key: k, Value: v})
		}
	}
	distroNS := func() string {
		if os == nil || os.ID == "" {
			return ""
		}
		return strings.ToLower(os.ID)
	}
	distro := func() string {
		if os == nil || os.ID == "" {
			return ""
		}
		d := strings.ToLower(os.ID)
		if os.Version != "" {
			d += "-" + os.Version
		}
		return d
	}
	switch p.Type {
	case model.PkgDeb:
		add("arch", p.Arch)
		add("distro", distro())
		if p.SourceName != "" && p.SourceName != p.Name {
			add("source", p.SourceName)
		}
		return packageurl.NewPackageURL("deb", distroNS(), p.Name, p.Version, q, "").ToString()
	case model.PkgRPM:
		v := p.Version
		if p.Release != "" {
			v += "-" + p.Release
		}
		add("arch", p.Arch)
		add("distro", distro())
		if p.Epoch > 0 {
			add("epoch", strconv.Itoa(p.Epoch))
		}
		return packageurl.NewPackageURL("rpm", distroNS(), p.Name, v, q, "").ToString()
	case model.PkgAPK:
		add("arch", p.Arch)
		add("distro", distro())
		return packageurl.NewPackageURL("apk", distroNS(), strings.ToLower(p.Name), p.Version, q, "").ToString()
	case model.PkgMaven:
		return packageurl.NewPackageURL("maven", p.Group, p.Name, p.Version, nil, "").ToString()
	case model.PkgPyPI:
		return packageurl.NewPackageURL("pypi", "", normalizePyPI(p.Name), p.Version, nil, "").ToString()
	case model.PkgNPM:
		ns, name := "", p.Name
		if strings.HasPrefix(name, "@") {
			if i := strings.IndexByte(name, '/'); i > 0 {
				ns, name = name[:i], name[i+1:]
			}
		}
		return packageurl.NewPackageURL("npm", ns, name, p.Version, nil, "").ToString()
	case model.PkgGo:
		ns, name := "", p.Name
		if i := strings.LastIndexByte(name, '/'); i > 0 {
			ns, name = name[:i], name[i+1:]
		}
		return packageurl.NewPackageURL("golang", ns, name, p.Version, nil, "").ToString()
	}
	return ""
}

// normalizePyPI applies PEP 503 name normalisation, as the purl spec asks.
func normalizePyPI(name string) string {
	n := strings.ToLower(name)
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '.' {
			return '-'
		}
		return r
	}, n)
}
