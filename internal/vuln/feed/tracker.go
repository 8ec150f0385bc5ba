package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// DebianReleases maps tracker release names to the major versions Ward's
// ecosystems use ("bookworm" -> "Debian:12"). sid and experimental have no
// number and are not matched. A vuln-list-debian distributions.json
// imported with the data extends it.
var DebianReleases = map[string]string{
	"wheezy": "7", "jessie": "8", "stretch": "9", "buster": "10",
	"bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14", "duke": "15",
}

// trackerRelease is one release entry of the tracker JSON dump.
type trackerRelease struct {
	Status       string            `json:"status"`
	Repositories map[string]string `json:"repositories"`
	FixedVersion string            `json:"fixed_version"`
	Urgency      string            `json:"urgency"`
	NoDSA        string            `json:"nodsa"`
	NoDSAReason  string            `json:"nodsa_reason"`
}

type trackerCVE struct {
	Description string          `json:"description"`
	Scope       string          `json:"scope"`
	DebianBug   json.Number     `json:"debianbug"`
	Releases    trackerReleases `json:"releases"`
}

// trackerReleases accepts the empty array the dump has for packages with
// no release data (e.g. "releases": []).
type trackerReleases map[string]trackerRelease

func (t *trackerReleases) UnmarshalJSON(b []byte) error {
	if s := strings.TrimSpace(string(b)); s == "[]" || s == "null" {
		*t = nil
		return nil
	}
	m := map[string]trackerRelease{}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*t = m
	return nil
}

// TrackerDump streams the Debian security tracker JSON dump
// (security-tracker.debian.org/tracker/data/json:
// {"srcpkg": {"CVE-…": {"releases": {"bookworm": {...}}}}}) package by
// package, calling emit with one advisory per (CVE, source package), so
// memory stays bounded by one package's entries. A CVE entry that does not
// decode is reported to bad (named "pkg/CVE-…") and skipped; an error
// means the dump itself is broken.
func TrackerDump(r io.Reader, emit func(*advisory.Advisory) error, bad func(record string, err error)) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("tracker JSON: %w", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("tracker JSON: %w", err)
		}
		pkg, _ := tok.(string)
		var cves map[string]json.RawMessage
		if err := dec.Decode(&cves); err != nil {
			return fmt.Errorf("tracker JSON: package %q: %w", pkg, err)
		}
		ids := make([]string, 0, len(cves))
		for id := range cves {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			var c trackerCVE
			if err := json.Unmarshal(cves[id], &c); err != nil {
				bad(pkg+"/"+id, err)
				continue
			}
			affs, err := trackerAffected(pkg, c)
			if err != nil {
				bad(pkg+"/"+id, err)
				continue
			}
			if len(affs) == 0 {
				continue // only releases Ward does not match (sid)
			}
			a := &advisory.Advisory{ID: id, Source: advisory.SourceTracker, Package: pkg, Summary: oneLine(c.Description, ""),
				URL: "https://security-tracker.debian.org/tracker/" + id, Affected: affs}
			finishTracker(a)
			if err := emit(a); err != nil {
				return err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fmt.Errorf("tracker JSON: %w", err)
	}
	return nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("want %q, found %v", d, tok)
	}
	return nil
}

func trackerAffected(pkg string, c trackerCVE) ([]advisory.Affected, error) {
	if pkg == "" {
		return nil, errors.New("empty package name")
	}
	var out []advisory.Affected
	rels := make([]string, 0, len(c.Releases))
	for r := range c.Releases {
		rels = append(rels, r)
	}
	sort.Strings(rels)
	for _, rel := range rels {
		major, ok := DebianReleases[rel]
		if !ok {
			continue // sid, experimental, unknown releases
		}
		r := c.Releases[rel]
		a := advisory.Affected{Ecosystem: "Debian:" + major, Name: pkg}
		if s, ok := FromWord(r.Urgency); ok {
			a.Severity, a.SeverityKnown = s, true
		}
		switch r.Status {
		case "resolved":
			if r.FixedVersion == "" || r.FixedVersion == "0" {
				a.Status = advisory.StatusNotAffected
			} else {
				if err := checkDebVersion(r.FixedVersion); err != nil {
					return nil, fmt.Errorf("%s fixed_version: %w", rel, err)
				}
				a.Status = advisory.StatusFixed
				a.Ranges = fixedRange(r.FixedVersion)
			}
		case "open":
			a.Status, a.StatusReason = advisory.StatusUnfixed, ""
			switch {
			case r.NoDSAReason == "postponed":
				a.Status, a.StatusReason = advisory.StatusPostponed, r.NoDSA
			case r.NoDSAReason == "ignored":
				a.Status, a.StatusReason = advisory.StatusIgnored, r.NoDSA
			case r.NoDSA != "":
				a.Status, a.StatusReason = advisory.StatusNoDSA, r.NoDSA
			case strings.HasPrefix(r.Urgency, "end-of-life"):
				a.Status = advisory.StatusEndOfLife
			}
		case "undetermined":
			a.Status, a.StatusReason = advisory.StatusTODO, "not yet triaged by the Debian security team"
		default:
			return nil, fmt.Errorf("%s: unknown status %q", rel, r.Status)
		}
		out = append(out, a)
	}
	return out, nil
}

func fixedRange(v string) []advisory.Range {
	return []advisory.Range{{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: v}}}}
}

// checkDebVersion applies deb-version(7): [epoch:]upstream[-revision],
// epoch digits, upstream starting with a digit and made of
// alphanumerics and . + ~ - :, revision of alphanumerics and . + ~.
func checkDebVersion(v string) error {
	if v == "" {
		return errors.New("empty version")
	}
	upstream := v
	if i := strings.IndexByte(v, ':'); i >= 0 {
		epoch := v[:i]
		if epoch == "" || strings.Trim(epoch, "0123456789") != "" {
			return errors.New("epoch is not a number")
		}
		upstream = v[i+1:]
	}
	revision := ""
	if i := strings.LastIndexByte(upstream, '-'); i >= 0 {
		upstream, revision = upstream[:i], upstream[i+1:]
		if revision == "" || !allIn(revision, ".+~") {
			return errors.New("bad revision")
		}
	}
	if upstream == "" || upstream[0] < '0' || upstream[0] > '9' {
		return errors.New("upstream version does not start with a digit")
	}
	if !allIn(upstream, ".+~-:") {
		return errors.New("bad character in upstream version")
	}
	_, err := semantic.Parse(v, "Debian")
	return err
}

func allIn(s, extra string) bool {
	for _, r := range s {
		if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || strings.ContainsRune(extra, r) {
			continue
		}
		return false
	}
	return true
}

// finishTracker rates the advisory by its most severe package urgency and
// orders its entries.
func finishTracker(a *advisory.Advisory) {
	for _, af := range a.Affected {
		if af.SeverityKnown && (!a.SeverityKnown || af.Severity > a.Severity) {
			a.Severity, a.SeverityKnown = af.Severity, true
		}
	}
	if !a.SeverityKnown {
		a.Severity = model.SevMedium
	}
	sort.SliceStable(a.Affected, func(i, j int) bool {
		x, y := a.Affected[i], a.Affected[j]
		if x.Ecosystem != y.Ecosystem {
			return x.Ecosystem < y.Ecosystem
		}
		return x.Name < y.Name
	})
	a.Normalize()
}

// vulnList is one aquasecurity/vuln-list-debian tracker file: the parse of
// one entry of data/CVE/list, data/DSA/list or data/DLA/list.
type vulnList struct {
	Header *struct {
		ID          string `json:"ID"`
		Description string `json:"Description"`
	} `json:"Header"`
	Annotations []struct {
		Type        string   `json:"Type"`
		Release     string   `json:"Release"`
		Package     string   `json:"Package"`
		Kind        string   `json:"Kind"`
		Version     string   `json:"Version"`
		Severity    string   `json:"Severity"`
		Description string   `json:"Description"`
		Bugs        []string `json:"Bugs"`
	} `json:"Annotations"`
}

// VulnListDebian reads one vuln-list-debian tracker file. Lines without a
// release are the unstable (sid) state; a release without its own line
// inherits it as the tracker does: vulnerable below the version fixed in
// sid (with no fix of its own yet), not affected when sid is.
func VulnListDebian(data []byte) (*advisory.Advisory, error) {
	var v vulnList
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("decode vuln-list-debian: %w", err)
	}
	if v.Header == nil || strings.TrimSpace(v.Header.ID) == "" {
		return nil, errors.New("vuln-list-debian record without Header.ID")
	}
	id := strings.TrimSpace(v.Header.ID)
	a := &advisory.Advisory{ID: id, Source: advisory.SourceTracker, Summary: strings.Trim(strings.TrimSpace(v.Header.Description), "()"),
		URL: "https://security-tracker.debian.org/tracker/" + id}
	type key struct{ pkg, rel string }
	explicit := map[key]bool{}
	type sidLine struct {
		kind, version string
		sev           model.Severity
		sevKnown      bool
	}
	sid := map[string]sidLine{}
	var pkgs []string
	isAdvisory := strings.HasPrefix(id, "DSA-") || strings.HasPrefix(id, "DLA-")
	for i, an := range v.Annotations {
		switch an.Type {
		case "xref":
			a.Aliases = append(a.Aliases, an.Bugs...)
			continue
		case "package":
		default:
			continue
		}
		if an.Package == "" {
			return nil, fmt.Errorf("annotation %d: package line without package", i)
		}
		if an.Version != "" {
			if err := checkDebVersion(an.Version); err != nil {
				return nil, fmt.Errorf("annotation %d (%s): version %q: %w", i, an.Package, an.Version, err)
			}
		}
		sev, sevKnown := FromWord(an.Severity)
		if an.Release == "" {
			if _, seen := sid[an.Package]; !seen {
				pkgs = append(pkgs, an.Package)
			}
			sid[an.Package] = sidLine{an.Kind, an.Version, sev, sevKnown}
			continue
		}
		major, ok := DebianReleases[an.Release]
		if !ok {
			continue
		}
		explicit[key{an.Package, an.Release}] = true
		af := advisory.Affected{Ecosystem: "Debian:" + major, Name: an.Package, Severity: sev, SeverityKnown: sevKnown}
		if !kindToAffected(&af, an.Kind, an.Version, an.Description) {
			continue
		}
		a.Affected = append(a.Affected, af)
	}
	if !isAdvisory {
		// Releases without their own line follow sid.
		rels := make([]string, 0, len(DebianReleases))
		for r := range DebianReleases {
			rels = append(rels, r)
		}
		sort.Strings(rels)
		for _, pkg := range pkgs {
			s := sid[pkg]
			for _, rel := range rels {
				if explicit[key{pkg, rel}] {
					continue
				}
				af := advisory.Affected{Ecosystem: "Debian:" + DebianReleases[rel], Name: pkg, Severity: s.sev, SeverityKnown: s.sevKnown}
				switch s.kind {
				case "fixed":
					if s.version == "0" || s.version == "" {
						af.Status = advisory.StatusNotAffected
					} else {
						af.Status, af.StatusReason = advisory.StatusUnfixed, "fixed in unstable "+s.version+", no update for this release yet"
						af.Ranges = fixedRange(s.version)
					}
				case "unfixed":
					af.Status = advisory.StatusUnfixed
				case "not-affected":
					af.Status = advisory.StatusNotAffected
				default:
					continue // removed, itp...: not a state of this release
				}
				a.Affected = append(a.Affected, af)
			}
		}
	}
	finishTracker(a)
	return a, nil
}

// kindToAffected fills a release line's status; false for kinds that say
// nothing about installed packages (removed).
func kindToAffected(af *advisory.Affected, kind, version, note string) bool {
	switch kind {
	case "fixed":
		if version == "" || version == "0" {
			af.Status = advisory.StatusNotAffected
			return true
		}
		af.Status = advisory.StatusFixed
		af.Ranges = fixedRange(version)
	case "not-affected":
		af.Status, af.StatusReason = advisory.StatusNotAffected, note
	case "unfixed", "no-dsa", "postponed", "ignored", "end-of-life":
		af.Status, af.StatusReason = kind, note
	default:
		return false
	}
	return true
}
