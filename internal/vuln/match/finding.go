package match

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// Rule is the finding rule prefix: "vuln/CVE-2021-44228".
const Rule = "vuln/"

// Finding renders the match as Ward's finding record.
func (m Match) Finding() model.Finding {
	p := m.Packages[0]
	asset := model.AssetRef{Type: "package", ID: m.Name + "@" + m.Version, Path: p.Location}
	primary := m.IDs[0]
	f := model.Finding{
		Kind:     model.KindVulnerability,
		Rule:     Rule + primary,
		Severity: m.Severity,
		Asset:    asset,
	}
	f.ID = model.FindingID(f.Rule, asset)
	display := m.Name
	if p.Type.IsOS() && len(m.Packages) > 0 {
		display = m.Name + " (source)"
	}
	if m.Fixed != "" {
		f.Title = fmt.Sprintf("%s: %s %s, fixed in %s", primary, display, m.Version, m.Fixed)
	} else {
		f.Title = fmt.Sprintf("%s: %s %s, %s", primary, display, m.Version, m.StatusText())
	}
	f.Description = m.Summary
	f.Evidence = append(f.Evidence, "ecosystem: "+m.Ecosystem, "installed: "+m.Name+" "+m.Version)
	if p.Type.IsOS() {
		var bins []string
		for _, b := range m.Packages {
			bins = append(bins, b.Name+" "+b.Version)
		}
		f.Evidence = append(f.Evidence, "binary packages: "+strings.Join(bins, ", "))
	} else {
		f.Evidence = append(f.Evidence, "file: "+p.Location)
	}
	if m.Fixed != "" {
		f.Evidence = append(f.Evidence, "fixed version: "+m.Fixed)
	} else {
		f.Evidence = append(f.Evidence, "status: "+m.StatusText())
	}
	if !m.SeverityRated {
		f.Evidence = append(f.Evidence, "severity: not rated by the advisories (medium assumed)")
	}
	var srcs []string
	for _, a := range m.Advisories {
		srcs = append(srcs, a.Source+":"+a.ID)
	}
	f.Evidence = append(f.Evidence, "advisories: "+strings.Join(srcs, ", "))
	f.Remediation = m.Remediation()
	for _, id := range m.IDs {
		f.References = append(f.References, reference(id))
	}
	return f
}

// StatusText is "fixed in X" or "no fix: <status> (<reason>)".
func (m Match) StatusText() string {
	if m.Fixed != "" {
		return "fixed in " + m.Fixed
	}
	s := "no fix: " + m.Status
	if m.StatusReason != "" {
		s += " (" + m.StatusReason + ")"
	}
	return s
}

// Remediation is the upgrade to run, or the artifact to replace.
func (m Match) Remediation() string {
	p := m.Packages[0]
	if m.Fixed == "" {
		what := "no fixed version is published yet"
		switch m.Status {
		case advisory.StatusNoDSA:
			what = "Debian will not issue a security update (no-dsa); a fix may come in a point release"
		case advisory.StatusPostponed:
			what = "Debian postponed the fix to a later update"
		case advisory.StatusIgnored:
			what = "Debian will not fix it in this release (ignored)"
		case advisory.StatusEndOfLife:
			what = "the package is out of security support in this release (end-of-life)"
		}
		return what + "; apply the advisory's mitigations, or remove " + m.Name + " where it is not needed, and re-check after `ward vulndb update`"
	}
	var names []string
	for _, b := range m.Packages {
		names = append(names, b.Name)
	}
	sort.Strings(names)
	bins := strings.Join(names, " ")
	switch p.Type {
	case model.PkgDeb:
		if m.Name == "linux" {
			return kernelRemediation(m)
		}
		pins := make([]string, 0, len(m.Packages))
		for _, b := range m.Packages {
			if b.Version == m.Version {
				pins = append(pins, b.Name+"="+m.Fixed)
			} else {
				pins = append(pins, b.Name) // binNMU or other binary version: take the candidate
			}
		}
		sort.Strings(pins)
		return "apt-get update && apt-get install --only-upgrade " + strings.Join(pins, " ") + " (or any later version)"
	case model.PkgRPM:
		return "dnf upgrade " + bins + " (to " + m.Fixed + " or later)"
	case model.PkgAPK:
		return "apk add -u " + bins + " (to " + m.Fixed + " or later)"
	case model.PkgMaven:
		outer, inner := splitNested(p.Location)
		s := fmt.Sprintf("upgrade %s to %s", m.Name, m.Fixed)
		if inner != "" {
			return s + " in " + outer + " (bundled as " + inner + "), then rebuild and redeploy it"
		}
		return s + " (replace " + outer + ")"
	case model.PkgPyPI:
		return fmt.Sprintf("pip install --upgrade '%s>=%s' (installed in %s)", p.Name, m.Fixed, path.Dir(p.Location))
	case model.PkgNPM:
		return fmt.Sprintf("npm install %s@%s (in the project of %s)", p.Name, m.Fixed, p.Location)
	case model.PkgGo:
		if m.Name == "stdlib" {
			return fmt.Sprintf("rebuild %s with Go %s or later", p.Location, m.Fixed)
		}
		return fmt.Sprintf("go get %s@v%s and rebuild %s", m.Name, m.Fixed, p.Location)
	}
	return "upgrade " + m.Name + " to " + m.Fixed
}

// splitNested splits "a/app.jar!/BOOT-INF/lib/x.jar" into the file on
// disk and the path inside it.
func splitNested(loc string) (outer, inner string) {
	if i := strings.Index(loc, "!"); i >= 0 {
		return loc[:i], strings.TrimPrefix(loc[i+1:], "/")
	}
	return loc, ""
}

func reference(id string) model.Reference {
	kind, _, _ := strings.Cut(id, "-")
	r := model.Reference{Type: kind, ID: id}
	switch kind {
	case "CVE":
		r.URL = "https://nvd.nist.gov/vuln/detail/" + id
	case "GHSA":
		r.URL = "https://github.com/advisories/" + id
	case "DSA", "DLA":
		r.URL = "https://security-tracker.debian.org/tracker/" + id
	case "GO":
		r.URL = "https://pkg.go.dev/vuln/" + id
	default:
		r.URL = "https://osv.dev/vulnerability/" + id
	}
	return r
}

// kernelImage matches Debian kernel image packages: the ABI is in the name
// (linux-image-6.1.0-18-amd64), so a fix arrives as a new package that the
// flavour's metapackage (linux-image-amd64) pulls in.
var kernelImage = regexp.MustCompile(`^linux-image-[0-9.]+-[0-9]+-(.+)$`)

func kernelRemediation(m Match) string {
	metas := map[string]bool{}
	for _, b := range m.Packages {
		if sm := kernelImage.FindStringSubmatch(b.Name); sm != nil {
			metas["linux-image-"+strings.TrimSuffix(sm[1], "-unsigned")] = true
		}
	}
	if len(metas) == 0 {
		metas["linux-image-amd64"] = true
	}
	list := make([]string, 0, len(metas))
	for k := range metas {
		list = append(list, k)
	}
	sort.Strings(list)
	return "apt-get update && apt-get install --only-upgrade " + strings.Join(list, " ") +
		" (pulls kernel " + m.Fixed + " or later), then reboot into it"
}
