package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/purl"
)

// writeCycloneDX writes a CycloneDX 1.6 JSON SBOM: the host (or image) as
// the described component, its operating system, and every package.
func writeCycloneDX(w io.Writer, res *model.ScanResult) error {
	inv := res.Inventory
	bom := cdx.NewBOM()
	bom.SerialNumber = "" // set by consumers that need one; keeps output reproducible
	var osRel *model.OSRelease
	hostName := inv.Root
	if inv.Host != nil {
		osRel = &inv.Host.OS
		if inv.Host.Hostname != "" {
			hostName = inv.Host.Hostname
		}
	}
	bom.Metadata = &cdx.Metadata{
		Timestamp: inv.ScannedAt.Format("2006-01-02T15:04:05Z"),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: res.Tool.Name, Version: res.Tool.Version,
		}}},
		Component: &cdx.Component{BOMRef: "host", Type: cdx.ComponentTypeDevice, Name: hostName},
	}
	var comps []cdx.Component
	var deps []string
	if osRel != nil && osRel.ID != "" {
		comps = append(comps, cdx.Component{BOMRef: "os", Type: cdx.ComponentTypeOS, Name: osRel.ID, Version: osRel.Version, Description: osRel.PrettyName})
		deps = append(deps, "os")
	}
	seen := map[string]bool{}
	byVulnKey := map[string][]string{}
	pkgs := append([]model.Package(nil), inv.Packages...)
	sort.SliceStable(pkgs, func(i, j int) bool {
		if pkgs[i].Type != pkgs[j].Type {
			return pkgs[i].Type < pkgs[j].Type
		}
		if pkgs[i].Name != pkgs[j].Name {
			return pkgs[i].Name < pkgs[j].Name
		}
		return pkgs[i].Location < pkgs[j].Location
	})
	for _, p := range pkgs {
		id := p.PURL
		if id == "" {
			id = purl.For(p, osRel)
		}
		ref := id
		if ref == "" {
			ref = fmt.Sprintf("pkg:%s/%s@%s", p.Type, p.Name, p.Version)
		}
		// One package at several places (jars in many apps) gets one
		// component per place, so the SBOM says where each copy is.
		ref += "#" + p.Location
		if seen[ref] {
			continue
		}
		seen[ref] = true
		props := []cdx.Property{{Name: "ward:package:type", Value: string(p.Type)}}
		if p.Location != "" {
			props = append(props, cdx.Property{Name: "ward:package:location", Value: p.Location})
		}
		if p.SourceName != "" {
			props = append(props, cdx.Property{Name: "ward:package:source_name", Value: p.SourceName})
		}
		if p.SourceVersion != "" {
			props = append(props, cdx.Property{Name: "ward:package:source_version", Value: p.SourceVersion})
		}
		if p.FoundBy != "" {
			props = append(props, cdx.Property{Name: "ward:package:found_by", Value: p.FoundBy})
		}
		c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: p.Name, Group: p.Group,
			Version: versionString(p), PackageURL: id, Properties: &props}
		if p.License != "" {
			c.Licenses = &cdx.Licenses{{License: &cdx.License{Name: p.License}}}
		}
		if p.Type.IsOS() {
			c.Type = cdx.ComponentTypeLibrary
			if p.Vendor != "" {
				c.Publisher = p.Vendor
			}
		}
		comps = append(comps, c)
		deps = append(deps, ref)
		k := vulnKey(p)
		byVulnKey[k] = append(byVulnKey[k], ref)
	}
	bom.Components = &comps
	if vulns := cdxVulnerabilities(res.Findings, byVulnKey); len(vulns) > 0 {
		bom.Vulnerabilities = &vulns
	}
	bom.Dependencies = &[]cdx.Dependency{{Ref: "host", Dependencies: &deps}}
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

func versionString(p model.Package) string {
	v := p.Version
	if p.Type == model.PkgRPM {
		if p.Release != "" {
			v += "-" + p.Release
		}
		if p.Epoch > 0 {
			v = fmt.Sprintf("%d:%s", p.Epoch, v)
		}
	}
	return v
}

// vulnKey is how a vulnerability finding's asset names a package:
// "<name>@<version>|<location>", with the source package for OS packages
// (advisories are about source packages) and the advisory ecosystem's
// spelling for language packages.
func vulnKey(p model.Package) string {
	name, ver := p.Name, p.Version
	switch p.Type {
	case model.PkgDeb, model.PkgAPK:
		if p.SourceName != "" {
			name = p.SourceName
		}
		if p.SourceVersion != "" {
			ver = p.SourceVersion
		}
	case model.PkgRPM:
		if p.SourceName != "" {
			name = p.SourceName
		}
		ver = versionString(p)
	case model.PkgMaven:
		name = p.Group + ":" + p.Name
	case model.PkgPyPI:
		name = pep503(p.Name)
	case model.PkgGo:
		ver = strings.TrimPrefix(ver, "v")
	}
	return name + "@" + ver + "|" + p.Location
}

func pep503(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r == '-' || r == '_' || r == '.' {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteRune(r)
	}
	return b.String()
}

var cdxSeverity = map[model.Severity]cdx.Severity{
	model.SevCritical: cdx.SeverityCritical, model.SevHigh: cdx.SeverityHigh, model.SevMedium: cdx.SeverityMedium,
	model.SevLow: cdx.SeverityLow, model.SevInfo: cdx.SeverityInfo,
}

// cdxVulnerabilities lists the vulnerability findings, each affecting the
// components of the packages it was found in.
func cdxVulnerabilities(findings []model.Finding, refs map[string][]string) []cdx.Vulnerability {
	var out []cdx.Vulnerability
	for _, f := range findings {
		if f.Kind != model.KindVulnerability || len(f.References) == 0 {
			continue
		}
		v := cdx.Vulnerability{
			BOMRef:         f.ID,
			ID:             f.References[0].ID,
			Source:         &cdx.Source{Name: f.References[0].Type, URL: f.References[0].URL},
			Ratings:        &[]cdx.VulnerabilityRating{{Severity: cdxSeverity[f.Severity], Method: cdx.ScoringMethodOther}},
			Description:    f.Description,
			Detail:         strings.Join(f.Evidence, "\n"),
			Recommendation: f.Remediation,
		}
		if len(f.References) > 1 {
			var rs []cdx.VulnerabilityReference
			for _, r := range f.References[1:] {
				rs = append(rs, cdx.VulnerabilityReference{ID: r.ID, Source: &cdx.Source{Name: r.Type, URL: r.URL}})
			}
			v.References = &rs
		}
		var affects []cdx.Affects
		for _, ref := range refs[f.Asset.ID+"|"+f.Asset.Path] {
			affects = append(affects, cdx.Affects{Ref: ref})
		}
		if len(affects) > 0 {
			v.Affects = &affects
		}
		out = append(out, v)
	}
	return out
}
