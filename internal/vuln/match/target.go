package match

import (
	"strings"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// Target describes how an inventory's OS packages are keyed.
type Target struct {
	// OSEcosystem is "Debian:12", "Ubuntu:22.04", "Alpine:v3.19",
	// "Red Hat:9"...; "" when the release is unknown or unsupported, and
	// then OS packages are not matched.
	OSEcosystem string
}

// TargetOf reads the release from the inventory's host.
func TargetOf(inv *model.Inventory) Target {
	if inv == nil || inv.Host == nil {
		return Target{}
	}
	return Target{OSEcosystem: OSEcosystem(inv.Host.OS)}
}

// OSEcosystem maps an os-release to the advisory ecosystem of its exact
// release.
func OSEcosystem(os model.OSRelease) string {
	ver := os.Version
	major, _, _ := strings.Cut(ver, ".")
	switch strings.ToLower(os.ID) {
	case "debian":
		if major != "" && isDigits(major) {
			return "Debian:" + major
		}
	case "ubuntu":
		if ver != "" {
			return "Ubuntu:" + ver
		}
	case "alpine":
		parts := strings.Split(ver, ".")
		if len(parts) >= 2 {
			return "Alpine:v" + parts[0] + "." + parts[1]
		}
	case "rhel":
		if major != "" {
			return "Red Hat:" + major
		}
	case "rocky":
		if major != "" {
			return "Rocky Linux:" + major
		}
	case "almalinux":
		if major != "" {
			return "AlmaLinux:" + major
		}
	}
	return ""
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// unit is a matchable thing: an OS source package (with its binaries) or a
// language package.
type unit struct {
	keys    []advisory.PackageKey
	version string
	pkgs    []model.Package
}

// units groups an inventory's packages into what advisories key on.
func units(t Target, pkgs []model.Package) []unit {
	var out []unit
	osIdx := map[string]int{}
	for _, p := range pkgs {
		if p.State != "" && p.State != "installed" && p.Type == model.PkgDeb && strings.Contains(p.State, "config-files") {
			continue // only configuration files left
		}
		switch {
		case p.Type.IsOS():
			if t.OSEcosystem == "" {
				continue
			}
			name, ver := osSource(t, &p)
			if ver == "" || p.Type == model.PkgRPM {
				ver = p.Version
				if p.Type == model.PkgRPM {
					ver = rpmVersion(p)
				}
			}
			id := string(p.Type) + "\x00" + name + "\x00" + ver
			if i, ok := osIdx[id]; ok {
				out[i].pkgs = append(out[i].pkgs, p)
				continue
			}
			u := unit{version: ver, pkgs: []model.Package{p}}
			u.keys = append(u.keys, advisory.PackageKey{Ecosystem: t.OSEcosystem, Name: name})
			if p.Type == model.PkgRPM && p.Name != name {
				// Red Hat family advisories name binary rpms.
				u.keys = append(u.keys, advisory.PackageKey{Ecosystem: t.OSEcosystem, Name: p.Name})
			}
			osIdx[id] = len(out)
			out = append(out, u)
		default:
			k, ver, ok := LanguageKey(p)
			if !ok {
				continue
			}
			out = append(out, unit{keys: []advisory.PackageKey{k}, version: ver, pkgs: []model.Package{p}})
		}
	}
	return out
}

// osSource is the source package (and its version, "" for the caller's
// default) advisories key an OS package on. Debian builds its signed
// kernel images from linux-signed-<arch> (version 6.1.76+1) while the
// tracker and OSV name the kernel "linux" (6.1.76-1, the image's own
// binary version).
func osSource(t Target, p *model.Package) (string, string) {
	name, ver := p.SourceName, p.SourceVersion
	if name == "" {
		name = p.Name
	}
	if p.Type == model.PkgDeb && strings.HasPrefix(t.OSEcosystem, "Debian:") && strings.HasPrefix(name, "linux-signed-") {
		return "linux", p.Version
	}
	return name, ver
}

func rpmVersion(p model.Package) string {
	v := p.Version
	if p.Release != "" {
		v += "-" + p.Release
	}
	if p.Epoch > 0 {
		v = itoa(p.Epoch) + ":" + v
	}
	return v
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// LanguageKey is the advisory key and version of a language package.
func LanguageKey(p model.Package) (advisory.PackageKey, string, bool) {
	v := strings.TrimSpace(p.Version)
	if v == "" {
		return advisory.PackageKey{}, "", false
	}
	switch p.Type {
	case model.PkgMaven:
		if p.Group == "" {
			return advisory.PackageKey{}, "", false // artifactId alone is ambiguous
		}
		return advisory.PackageKey{Ecosystem: "Maven", Name: p.Group + ":" + p.Name}, v, true
	case model.PkgPyPI:
		return advisory.PackageKey{Ecosystem: "PyPI", Name: advisory.PEP503(p.Name)}, v, true
	case model.PkgNPM:
		return advisory.PackageKey{Ecosystem: "npm", Name: p.Name}, v, true
	case model.PkgGo:
		if v == "(devel)" || strings.HasPrefix(v, "devel") {
			return advisory.PackageKey{}, "", false
		}
		return advisory.PackageKey{Ecosystem: "Go", Name: p.Name}, strings.TrimPrefix(v, "v"), true
	}
	return advisory.PackageKey{}, "", false
}

// Keys are the (ecosystem, name) pairs the inventory's packages look up:
// load just these advisories from the database for a one-host scan.
func Keys(inv *model.Inventory) []advisory.PackageKey {
	seen := map[advisory.PackageKey]bool{}
	var out []advisory.PackageKey
	for _, u := range units(TargetOf(inv), inv.Packages) {
		for _, k := range u.keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}
