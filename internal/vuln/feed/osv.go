package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/google/osv-scalibr/semantic"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// osvRecord is the part of the OSV schema (1.0–1.7) Ward reads.
type osvRecord struct {
	ID               string         `json:"id" yaml:"id"`
	Modified         string         `json:"modified" yaml:"modified"`
	Published        string         `json:"published" yaml:"published"`
	Withdrawn        string         `json:"withdrawn" yaml:"withdrawn"`
	Aliases          []string       `json:"aliases" yaml:"aliases"`
	Related          []string       `json:"related" yaml:"related"`
	Upstream         []string       `json:"upstream" yaml:"upstream"`
	Summary          string         `json:"summary" yaml:"summary"`
	Details          string         `json:"details" yaml:"details"`
	Severity         []osvSeverity  `json:"severity" yaml:"severity"`
	Affected         []osvAffected  `json:"affected" yaml:"affected"`
	DatabaseSpecific map[string]any `json:"database_specific" yaml:"database_specific"`
	References       []struct {
		Type string `json:"type" yaml:"type"`
		URL  string `json:"url" yaml:"url"`
	} `json:"references" yaml:"references"`
}

type osvSeverity struct {
	Type  string `json:"type" yaml:"type"`
	Score string `json:"score" yaml:"score"`
}

type osvAffected struct {
	Package struct {
		Ecosystem string `json:"ecosystem" yaml:"ecosystem"`
		Name      string `json:"name" yaml:"name"`
		PURL      string `json:"purl" yaml:"purl"`
	} `json:"package" yaml:"package"`
	Severity []osvSeverity `json:"severity" yaml:"severity"`
	Ranges   []struct {
		Type   string           `json:"type" yaml:"type"`
		Events []map[string]any `json:"events" yaml:"events"`
	} `json:"ranges" yaml:"ranges"`
	Versions          []string       `json:"versions" yaml:"versions"`
	EcosystemSpecific map[string]any `json:"ecosystem_specific" yaml:"ecosystem_specific"`
	DatabaseSpecific  map[string]any `json:"database_specific" yaml:"database_specific"`
}

// ErrWithdrawn marks a record its publisher withdrew; importers drop it
// (and delete an earlier copy) rather than report it as malformed.
var ErrWithdrawn = errors.New("withdrawn")

// ParseOSV decodes one OSV record (JSON, or YAML when yamlFmt). Entries
// Ward cannot match (an unknown ecosystem, a version the ecosystem cannot
// parse) are dropped and described in skipped; err is for a record that is
// unusable as a whole.
func ParseOSV(data []byte, yamlFmt bool) (adv *advisory.Advisory, skipped []string, err error) {
	var r osvRecord
	if yamlFmt {
		err = yaml.Unmarshal(data, &r)
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		err = dec.Decode(&r)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("decode OSV: %w", err)
	}
	r.ID = strings.TrimSpace(r.ID)
	if r.ID == "" {
		return nil, nil, errors.New("OSV record without id")
	}
	if strings.TrimSpace(r.Withdrawn) != "" {
		return &advisory.Advisory{ID: r.ID, Source: advisory.SourceOSV}, nil, ErrWithdrawn
	}
	a := &advisory.Advisory{
		ID:       r.ID,
		Source:   advisory.SourceOSV,
		Aliases:  r.Aliases,
		Upstream: r.Upstream,
		Related:  r.Related,
		Summary:  oneLine(r.Summary, r.Details),
	}
	if a.Published, err = parseTime(r.Published); err != nil {
		return nil, nil, fmt.Errorf("published: %w", err)
	}
	if a.Modified, err = parseTime(r.Modified); err != nil {
		return nil, nil, fmt.Errorf("modified: %w", err)
	}
	for _, ref := range r.References {
		if ref.Type == "ADVISORY" && a.URL == "" {
			a.URL = ref.URL
		}
	}
	if u, ok := r.DatabaseSpecific["url"].(string); ok && a.URL == "" {
		a.URL = u
	}
	a.Severity, a.Score, a.SeverityKnown = severityOf(r.Severity, r.DatabaseSpecific)
	for i, af := range r.Affected {
		eco, ok := advisory.NormalizeEcosystem(af.Package.Ecosystem)
		if af.Package.Name == "" {
			skipped = append(skipped, fmt.Sprintf("affected[%d]: no package name", i))
			continue
		}
		if !ok {
			skipped = append(skipped, fmt.Sprintf("affected[%d] %s: unknown ecosystem %q", i, af.Package.Name, af.Package.Ecosystem))
			continue
		}
		if !matchable(eco) {
			continue // a known ecosystem Ward has no inventory for (RubyGems, NuGet...)
		}
		out := advisory.Affected{Ecosystem: eco, Name: advisory.NormalizeName(eco, af.Package.Name)}
		if s, _, known := severityOf(af.Severity, af.EcosystemSpecific); known {
			out.Severity, out.SeverityKnown = s, true
		} else if s, _, known := severityOf(nil, af.DatabaseSpecific); known {
			out.Severity, out.SeverityKnown = s, true
		}
		bad := ""
		for _, rg := range af.Ranges {
			if rg.Type == "GIT" {
				continue // commit ranges: no package version to compare
			}
			rr := advisory.Range{Type: rg.Type}
			for _, ev := range rg.Events {
				var e advisory.Event
				for k, v := range ev {
					s, ok := v.(string)
					if !ok {
						bad = fmt.Sprintf("range event %s is not a string", k)
						continue
					}
					switch k {
					case "introduced":
						e.Introduced = s
					case "fixed":
						e.Fixed = s
					case "last_affected":
						e.LastAffected = s
					case "limit":
						e.Limit = s
					}
					if s != "0" && s != "*" && rg.Type == "ECOSYSTEM" {
						if err := checkVersion(s, eco); err != nil {
							bad = fmt.Sprintf("%s %q: %v", k, s, err)
						}
					}
				}
				rr.Events = append(rr.Events, e)
			}
			out.Ranges = append(out.Ranges, rr)
		}
		out.Versions = af.Versions
		if bad != "" {
			skipped = append(skipped, fmt.Sprintf("affected[%d] %s (%s): %s", i, af.Package.Name, eco, bad))
			continue
		}
		if len(out.Ranges) == 0 && len(out.Versions) == 0 {
			continue // nothing to match (e.g. GIT ranges only)
		}
		a.Affected = append(a.Affected, out)
	}
	a.Normalize()
	return a, skipped, nil
}

// matchable lists the ecosystems Ward has inventories and version order for.
func matchable(eco string) bool {
	switch advisory.Base(eco) {
	case "Debian", "Ubuntu", "Alpine", "Red Hat", "Rocky Linux", "AlmaLinux",
		"Maven", "PyPI", "npm", "Go", "crates.io":
		return true
	}
	return false
}

// checkVersion rejects versions the ecosystem's order cannot place: the
// semantic parsers are lenient (they order anything), so Debian-style
// versions get deb-version(7)'s syntax check here and every version must be
// one printable token.
func checkVersion(v, eco string) error {
	if len(v) > 256 {
		return errors.New("longer than 256 bytes")
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return errors.New("not a single printable token")
		}
	}
	switch advisory.Base(eco) {
	case "Debian", "Ubuntu":
		return checkDebVersion(v)
	}
	_, err := semantic.Parse(v, eco)
	return err
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

func oneLine(summary, details string) string {
	s := strings.TrimSpace(summary)
	if s == "" {
		s = strings.TrimSpace(details)
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

// severityOf rates a record: the highest CVSS base score among the vectors
// it carries, else a database-specific word (GHSA "MODERATE", Ubuntu
// "medium", Debian urgency).
func severityOf(sev []osvSeverity, specific map[string]any) (model.Severity, float64, bool) {
	best := -1.0
	var word model.Severity = -1
	for _, s := range sev {
		if score, ok := CVSSScore(s.Score); ok && score > best {
			best = score
		} else if w, ok := FromWord(s.Score); ok && w > word {
			word = w // a rating word, e.g. {"type": "Ubuntu", "score": "medium"}
		}
	}
	if best >= 0 {
		return FromScore(best), best, true
	}
	if word >= 0 {
		return word, 0, true
	}
	for _, key := range []string{"severity", "cvss_severity", "urgency"} {
		if w, ok := specific[key].(string); ok {
			if s, ok := FromWord(w); ok {
				return s, 0, true
			}
		}
	}
	return model.SevMedium, 0, false
}

// CVSSScore computes the base score of a CVSS v3.0, v3.1 or v4.0 vector.
func CVSSScore(vector string) (float64, bool) {
	vector = strings.TrimSpace(vector)
	switch {
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		if c, err := gocvss31.ParseVector(vector); err == nil {
			return c.BaseScore(), true
		}
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		if c, err := gocvss30.ParseVector(vector); err == nil {
			return c.BaseScore(), true
		}
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		if c, err := gocvss40.ParseVector(vector); err == nil {
			return c.Score(), true
		}
	}
	return 0, false
}

// FromScore is the CVSS qualitative rating of a base score.
func FromScore(s float64) model.Severity {
	switch {
	case s >= 9:
		return model.SevCritical
	case s >= 7:
		return model.SevHigh
	case s >= 4:
		return model.SevMedium
	case s > 0:
		return model.SevLow
	}
	return model.SevInfo
}

// FromWord maps publishers' severity words; "unimportant" (Debian) is low,
// "negligible" (Ubuntu) info.
func FromWord(w string) (model.Severity, bool) {
	w = strings.ToLower(strings.TrimRight(strings.TrimSpace(w), "*"))
	switch w {
	case "critical":
		return model.SevCritical, true
	case "high", "important":
		return model.SevHigh, true
	case "moderate", "medium":
		return model.SevMedium, true
	case "low", "unimportant":
		return model.SevLow, true
	case "negligible":
		return model.SevInfo, true
	}
	return model.SevMedium, false
}
