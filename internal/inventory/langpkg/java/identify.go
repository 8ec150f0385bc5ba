package java

import (
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// Evidence names, as recorded in model.Package.FoundBy.
const (
	FoundByPom      = "pom.properties"
	FoundByManifest = "MANIFEST.MF"
	FoundByFilename = "filename"
)

// level is what one archive (outer or nested) told about itself.
type level struct {
	location string // "/opt/app.jar" or "/opt/app.jar!/BOOT-INF/lib/x.jar"
	entry    string // file or entry name, for the file-name fallback
	poms     []PomProperties
	manifest Manifest
}

// identify turns one archive's evidence into packages: every pom.properties
// (a shaded jar carries one per bundled artifact); without any, the manifest
// combined with the file name; without a usable manifest, the file name.
func identify(l level) []model.Package {
	var out []model.Package
	for _, p := range l.poms {
		if p.ArtifactID == "" || p.Version == "" {
			continue
		}
		out = append(out, model.Package{
			Type: model.PkgMaven, Group: p.GroupID, Name: p.ArtifactID, Version: p.Version,
			Location: l.location, FoundBy: FoundByPom,
		})
	}
	boot := springBoot(l.manifest)
	if len(out) == 0 {
		if p, ok := fromManifestAndName(l.manifest, l.entry, boot != nil); ok {
			p.Location = l.location
			out = append(out, p)
		}
	}
	if boot != nil {
		for i := range out {
			out[i].Metadata = boot
		}
	}
	return out
}

// fromManifestAndName prefers the manifest's version (it travels with the
// bytes; file names get changed) and a name that looks like an artifact id.
// Manifest titles are often prose ("Apache Log4j Core"), in which case the
// file name's artifact part is the better name.
func fromManifestAndName(m Manifest, entry string, keepUnversioned bool) (model.Package, bool) {
	fname, fversion, stem := ParseFilename(entry)
	p := model.Package{Type: model.PkgMaven, Group: m.Get("Implementation-Vendor-Id")}
	if !isIdentifier(p.Group) {
		p.Group = ""
	}
	if v := firstField(firstOf(m, "Implementation-Version", "Bundle-Version", "Specification-Version")); v != "" {
		p.Version = v
		p.FoundBy = FoundByManifest
	} else if fversion != "" {
		p.Version = fversion
		p.FoundBy = FoundByFilename
	}
	for _, candidate := range []string{m.Get("Implementation-Title"), m.Get("Bundle-Name"), fname, stem, bundleSymbolicName(m)} {
		if isIdentifier(candidate) {
			p.Name = candidate
			break
		}
	}
	if p.Name == "" {
		return p, false
	}
	if p.Version == "" {
		if !keepUnversioned {
			return p, false
		}
		p.FoundBy = FoundByManifest // an application jar, known by its manifest
	}
	return p, true
}

// springBoot marks a Spring Boot executable archive by its manifest.
func springBoot(m Manifest) map[string]string {
	v, start := m.Get("Spring-Boot-Version"), m.Get("Start-Class")
	if v == "" && start == "" {
		return nil
	}
	md := map[string]string{}
	if v != "" {
		md["spring-boot-version"] = v
	}
	if start != "" {
		md["start-class"] = start
	}
	return md
}

func firstOf(m Manifest, keys ...string) string {
	for _, k := range keys {
		if v := m.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// firstField drops build notes some manifests append ("1.4 1855 April 22 2006").
func firstField(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// bundleSymbolicName drops OSGi directives ("org.foo;singleton:=true").
func bundleSymbolicName(m Manifest) string {
	s := m.Get("Bundle-SymbolicName")
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// isIdentifier accepts artifact-id-like strings: no blanks, no unexpanded
// build placeholders (${...}, %key), not absurdly long.
func isIdentifier(s string) bool {
	if s == "" || len(s) > 128 || strings.ContainsAny(s, " \t,;\"'<>") {
		return false
	}
	return s[0] != '$' && s[0] != '%'
}

// IdentifyByName identifies an archive that is not opened (too large, say)
// by its file name alone.
func IdentifyByName(location string) []model.Package {
	return identify(level{location: location, entry: path.Base(location)})
}
