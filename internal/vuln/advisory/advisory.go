// Package advisory is Ward's normalised advisory record: what the OSV and
// Debian security-tracker parsers produce, the database stores and the
// matcher reads.
package advisory

import (
	"sort"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Sources a record can come from.
const (
	SourceOSV     = "osv"
	SourceTracker = "debian-tracker"
)

// Status of an affected package in a release, as distribution trackers
// say it. The empty status is an ordinary version range (OSV).
const (
	StatusFixed       = "fixed"
	StatusUnfixed     = "unfixed"
	StatusNoDSA       = "no-dsa"
	StatusPostponed   = "postponed"
	StatusIgnored     = "ignored"
	StatusEndOfLife   = "end-of-life"
	StatusNotAffected = "not-affected"
	StatusTODO        = "TODO"
)

// Advisory is one vulnerability record.
type Advisory struct {
	// ID is the record's own id (GHSA-…, GO-…, DSA-…, CVE-… for the
	// Debian tracker). Key() is unique in a database.
	ID     string `json:"id"`
	Source string `json:"source"`
	// Package scopes a record to one source package: the Debian tracker
	// dump is grouped by package, so its records are one per (CVE,
	// package) and can be imported as they stream in. Part of Key.
	Package string   `json:"package,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	// Upstream are the ids of the bug this record derives from (OSV
	// "upstream": DEBIAN-CVE-2024-1 -> CVE-2024-1); like aliases, they name
	// the same bug.
	Upstream []string `json:"upstream,omitempty"`
	// Related are ids of other, different bugs the record mentions (OSV
	// "related"); they are kept for reference, never merged on.
	Related   []string  `json:"related,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	Published time.Time `json:"published,omitempty"`
	Modified  time.Time `json:"modified,omitempty"`
	// Severity is the record's rating; SeverityKnown is false when the
	// record gives none (the matcher then falls back to medium and says so).
	Severity      model.Severity `json:"severity"`
	SeverityKnown bool           `json:"severity_known,omitempty"`
	// Score is the CVSS base score the severity came from, if any.
	Score    float64    `json:"score,omitempty"`
	URL      string     `json:"url,omitempty"`
	Affected []Affected `json:"affected"`
}

// Key is the record's unique key in a database: the Debian tracker and an
// OSV source can both publish "CVE-2023-5678" ("debian-tracker/CVE-…/pkg"
// for a tracker dump record).
func (a *Advisory) Key() string {
	if a.Package != "" {
		return a.Source + "/" + a.ID + "/" + a.Package
	}
	return a.Source + "/" + a.ID
}

// IDs is the record's id, aliases and upstream ids (all names of the same
// bug), deduplicated.
func (a *Advisory) IDs() []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]string{{a.ID}, a.Aliases, a.Upstream} {
		for _, id := range list {
			if id != "" && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// Affected is one package the advisory covers, in one ecosystem.
type Affected struct {
	// Ecosystem is normalised: "Debian:12", "Ubuntu:22.04", "Alpine:v3.19",
	// "Red Hat:9", "Rocky Linux:9", "AlmaLinux:9", "Maven", "PyPI", "npm",
	// "Go", "crates.io".
	Ecosystem string `json:"ecosystem"`
	// Name is the package name as the ecosystem keys it: the source
	// package for distributions, group:artifact for Maven, the PEP 503
	// normalised name for PyPI, the module path (or "stdlib") for Go.
	Name     string   `json:"name"`
	Ranges   []Range  `json:"ranges,omitempty"`
	Versions []string `json:"versions,omitempty"`
	// Status is a tracker status; "" is a plain OSV entry.
	Status string `json:"status,omitempty"`
	// StatusReason is the tracker's note ("Minor issue", "Revisit when
	// fixed upstream").
	StatusReason string `json:"status_reason,omitempty"`
	// Severity overrides the advisory's for this package (tracker urgency).
	Severity      model.Severity `json:"severity,omitempty"`
	SeverityKnown bool           `json:"severity_known,omitempty"`
}

// Range is an OSV range: events in order.
type Range struct {
	Type   string  `json:"type"` // ECOSYSTEM, SEMVER
	Events []Event `json:"events"`
}

// Event is one OSV range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Normalize sorts and deduplicates the lists so stored records compare
// equal when their content is.
func (a *Advisory) Normalize() {
	a.Aliases = dedup(a.Aliases, a.ID)
	a.Upstream = dedup(a.Upstream, a.ID)
	a.Related = dedup(a.Related, a.ID)
	for i := range a.Affected {
		a.Affected[i].Name = strings.TrimSpace(a.Affected[i].Name)
	}
}

func dedup(in []string, self string) []string {
	seen := map[string]bool{self: true}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// NormalizeName gives the name the database keys a package on: PyPI names
// are PEP 503 normalised, others are kept as published.
func NormalizeName(ecosystem, name string) string {
	if ecosystem == "PyPI" {
		return PEP503(name)
	}
	return name
}

// PEP503 lower-cases a Python distribution name and folds runs of -, _ and
// . into one dash.
func PEP503(name string) string {
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

// NormalizeEcosystem maps an OSV ecosystem string to the key Ward matches
// on; ok is false for ecosystems Ward cannot match (they are still stored).
//
//	"Debian:12"                             -> "Debian:12"
//	"Ubuntu:22.04:LTS", "Ubuntu:Pro:18.04:LTS" -> "Ubuntu:22.04", "Ubuntu:Pro:18.04"
//	"Alpine:v3.19"                          -> "Alpine:v3.19"
//	"Red Hat:enterprise_linux:9::baseos"    -> "Red Hat:9" (other Red Hat products unchanged)
//	"Rocky Linux:9", "AlmaLinux:9"          -> unchanged
func NormalizeEcosystem(eco string) (string, bool) {
	eco = strings.TrimSpace(eco)
	base, rest, _ := strings.Cut(eco, ":")
	switch base {
	case "Maven", "PyPI", "npm", "Go", "crates.io", "RubyGems", "NuGet", "Packagist":
		return base, rest == ""
	case "Debian", "Alpine", "Rocky Linux", "AlmaLinux":
		return eco, rest != ""
	case "Ubuntu":
		parts := strings.Split(rest, ":")
		var keep []string
		for _, p := range parts {
			if p == "LTS" || p == "" {
				continue
			}
			keep = append(keep, p)
		}
		if len(keep) == 0 {
			return eco, false
		}
		return "Ubuntu:" + strings.Join(keep, ":"), true
	case "Red Hat":
		// Red Hat:enterprise_linux:9::appstream, Red Hat:rhel_eus:9.2::baseos
		parts := strings.Split(rest, ":")
		if len(parts) >= 2 && parts[0] == "enterprise_linux" {
			major, _, _ := strings.Cut(parts[1], ".")
			if major != "" {
				return "Red Hat:" + major, true
			}
		}
		// Other Red Hat products (rhel_eus, openshift...) are kept under
		// their own name: valid data no host release maps to.
		return eco, rest != ""
	}
	return eco, false
}

// Base is the ecosystem without its release ("Debian:12" -> "Debian").
func Base(eco string) string {
	b, _, _ := strings.Cut(eco, ":")
	return b
}

// PackageKey is what advisories are indexed on: a normalised ecosystem and
// the package name in it.
type PackageKey struct{ Ecosystem, Name string }
