package match

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// Version ranges: an advisory entry with its versions parsed once, and
// how an installed version falls in it.

// entry is one Affected of one advisory with its versions parsed.
type entry struct {
	adv *advisory.Advisory
	af  *advisory.Affected
	// ranges hold parsed events, in version order, per range.
	ranges [][]event
	bad    bool // a version did not parse: the entry never matches
}

type event struct {
	kind string // introduced, fixed, last_affected, limit
	raw  string
	v    semantic.Version // nil for introduced "0"
}

func parseEvents(r advisory.Range, eco string) ([]event, bool) {
	var out []event
	for _, ev := range r.Events {
		var e event
		switch {
		case ev.Introduced != "":
			e = event{kind: "introduced", raw: ev.Introduced}
		case ev.Fixed != "":
			e = event{kind: "fixed", raw: ev.Fixed}
		case ev.LastAffected != "":
			e = event{kind: "last_affected", raw: ev.LastAffected}
		case ev.Limit != "":
			e = event{kind: "limit", raw: ev.Limit}
		default:
			continue
		}
		if !(e.kind == "introduced" && e.raw == "0") && e.raw != "*" {
			v, err := parseVersion(e.raw, eco, r.Type)
			if err != nil {
				return nil, false
			}
			e.v = v
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out, true
}

func less(a, b event) bool {
	if a.v == nil || b.v == nil {
		return a.v == nil && b.v != nil
	}
	c, err := a.v.Compare(b.v)
	return err == nil && c < 0
}

// maxVersion bounds a version string: real ones are short, and the
// ecosystem parsers cost more than linear time on hostile ones.
const maxVersion = 256

func parseVersion(s, eco, rangeType string) (semantic.Version, error) {
	if len(s) > maxVersion {
		return nil, fmt.Errorf("version longer than %d bytes", maxVersion)
	}
	if rangeType == "SEMVER" {
		return semantic.ParseSemverVersion(strings.TrimPrefix(s, "v")), nil
	}
	return semantic.Parse(s, eco)
}

// verdict of one entry for one installed version.
type verdict struct {
	affected bool
	fixed    string // the fix for this version's range, if any
}

func (e *entry) check(raw string, v semantic.Version) verdict {
	vd := e.rawCheck(raw, v)
	if e.af.Status != "" && e.af.Status != advisory.StatusFixed {
		vd.fixed = "" // a tracker range bounded by unstable's fix: no fix for this release
	}
	return vd
}

func (e *entry) rawCheck(raw string, v semantic.Version) verdict {
	for _, x := range e.af.Versions {
		if x == raw {
			return verdict{affected: true, fixed: e.firstFixAbove(v)}
		}
	}
	for _, evs := range e.ranges {
		affected := false
		fix := ""
		for _, ev := range evs {
			if ev.kind == "limit" {
				if ev.v != nil && cmp(v, ev.v) >= 0 {
					affected = false // at or past the range's limit
					break
				}
				continue
			}
			if ev.v == nil { // introduced 0
				affected = true
				continue
			}
			c := cmp(v, ev.v)
			switch ev.kind {
			case "introduced":
				if c >= 0 {
					affected, fix = true, ""
				}
			case "fixed":
				if c >= 0 {
					affected = false
				} else if affected && fix == "" {
					fix = ev.raw
				}
			case "last_affected":
				if c > 0 {
					affected = false
				}
			}
		}
		if affected {
			return verdict{affected: true, fixed: fix}
		}
	}
	if len(e.ranges) == 0 && len(e.af.Versions) == 0 && e.af.Status != "" && e.af.Status != advisory.StatusNotAffected && e.af.Status != advisory.StatusFixed {
		return verdict{affected: true} // tracker: every version of this release
	}
	return verdict{}
}

// fixedAtOrBelow: the entry is a fix (not a tracker "no fix" status)
// released at or below v.
func (e *entry) fixedAtOrBelow(v semantic.Version) bool {
	if e.af.Status != "" && e.af.Status != advisory.StatusFixed {
		return false
	}
	for _, evs := range e.ranges {
		for _, ev := range evs {
			if ev.kind == "fixed" && ev.v != nil && cmp(v, ev.v) >= 0 {
				return true
			}
		}
	}
	return false
}

func isOSEcosystem(eco string) bool {
	switch advisory.Base(eco) {
	case "Debian", "Ubuntu", "Alpine", "Red Hat", "Rocky Linux", "AlmaLinux":
		return true
	}
	return false
}

func (e *entry) firstFixAbove(v semantic.Version) string {
	for _, evs := range e.ranges {
		for _, ev := range evs {
			if ev.kind == "fixed" && ev.v != nil && cmp(v, ev.v) < 0 {
				return ev.raw
			}
		}
	}
	return ""
}

func cmp(a, b semantic.Version) int {
	c, err := a.Compare(b)
	if err != nil {
		return 0
	}
	return c
}
