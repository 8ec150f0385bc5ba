// Package match finds the advisories that affect an inventory's packages:
// OS packages against their exact release's data keyed on the source
// package, language packages against their ecosystem, with each
// ecosystem's own version order (osv-scalibr's semantic package, the one
// osv-scanner uses).
package match

import (
	"sort"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// Matcher holds advisories indexed by (ecosystem, package name). Build it
// once (New) and call Match for any number of inventories, concurrently.
// A matcher over a handful of new advisories makes re-matching a fleet's
// stored inventories cheap: each package costs one map lookup.
type Matcher struct {
	index map[advisory.PackageKey][]entry
	// maven indexes the Maven entries by (groupId, artifactId) too, so the
	// per-package probe needs no string concatenation.
	maven map[[2]string]bool
	n     int
}

// New indexes advisories. Entries whose versions the ecosystem cannot
// parse are kept out (the importer reports them).
func New(advs []*advisory.Advisory) *Matcher {
	m := &Matcher{index: map[advisory.PackageKey][]entry{}, maven: map[[2]string]bool{}, n: len(advs)}
	for _, a := range advs {
		for i := range a.Affected {
			af := &a.Affected[i]
			e := entry{adv: a, af: af}
			for _, r := range af.Ranges {
				evs, ok := parseEvents(r, af.Ecosystem)
				if !ok {
					e.bad = true
					break
				}
				e.ranges = append(e.ranges, evs)
			}
			if e.bad {
				continue
			}
			k := advisory.PackageKey{Ecosystem: af.Ecosystem, Name: af.Name}
			m.index[k] = append(m.index[k], e)
			if af.Ecosystem == "Maven" {
				if g, a, ok := strings.Cut(af.Name, ":"); ok {
					m.maven[[2]string{g, a}] = true
				}
			}
		}
	}
	return m
}

// Len is the number of advisories the matcher was built from.
func (m *Matcher) Len() int { return m.n }

// Match is one vulnerable package (an OS source package with its installed
// binary packages, or one language package at one location) and the
// advisories about one bug.
type Match struct {
	// Packages are the installed packages concerned: the binary packages
	// built from the source package for OS packages, one package otherwise.
	Packages []model.Package
	// Ecosystem and Name are what the advisories key on (source package for
	// OS packages).
	Ecosystem string
	Name      string
	Version   string
	// IDs: the primary id first (a CVE when there is one), then aliases.
	IDs        []string
	Advisories []*advisory.Advisory
	// Fixed is the version that fixes it ("" when there is none yet; then
	// Status says why).
	Fixed        string
	Status       string
	StatusReason string
	Severity     model.Severity
	// SeverityRated is false when no advisory rated it (Severity is then medium).
	SeverityRated bool
	Summary       string
}

// hit is one entry that applies to one unit.
type hit struct {
	e *entry
	v verdict
}

// Match returns the inventory's vulnerable packages, one Match per package
// and bug (advisories sharing an id or alias are merged), ordered by
// severity then package.
func (m *Matcher) Match(inv *model.Inventory) []Match {
	if inv == nil {
		return nil
	}
	return m.MatchPackages(TargetOf(inv), inv.Packages)
}

// mayMatch is a cheap probe (no allocation for OS, Maven, npm and Go
// packages): false means no advisory names the package.
func (m *Matcher) mayMatch(t Target, p *model.Package) bool {
	switch {
	case p.Type.IsOS():
		if t.OSEcosystem == "" {
			return false
		}
		name, _ := osSource(t, p)
		if len(m.index[advisory.PackageKey{Ecosystem: t.OSEcosystem, Name: name}]) > 0 {
			return true
		}
		return p.Type == model.PkgRPM && len(m.index[advisory.PackageKey{Ecosystem: t.OSEcosystem, Name: p.Name}]) > 0
	case p.Type == model.PkgMaven:
		return m.maven[[2]string{p.Group, p.Name}]
	case p.Type == model.PkgNPM:
		return len(m.index[advisory.PackageKey{Ecosystem: "npm", Name: p.Name}]) > 0
	case p.Type == model.PkgGo:
		return len(m.index[advisory.PackageKey{Ecosystem: "Go", Name: p.Name}]) > 0
	}
	k, _, ok := LanguageKey(*p)
	return ok && len(m.index[k]) > 0
}

// MatchPackages is Match on a package list.
func (m *Matcher) MatchPackages(t Target, pkgs []model.Package) []Match {
	var cand []model.Package
	for i := range pkgs {
		if m.mayMatch(t, &pkgs[i]) {
			cand = append(cand, pkgs[i])
		}
	}
	if len(cand) == 0 {
		return nil
	}
	var out []Match
	for _, u := range units(t, cand) {
		var hits []hit
		notAffected := map[string]bool{}
		hitAdv := map[string]bool{}
		var resolved []*advisory.Advisory
		for _, k := range u.keys {
			es := m.index[k]
			if len(es) == 0 {
				continue
			}
			v, err := parseVersion(u.version, k.Ecosystem, "ECOSYSTEM")
			if err != nil {
				continue // an installed version the ecosystem cannot order
			}
			for i := range es {
				e := &es[i]
				if e.af.Status == advisory.StatusNotAffected {
					for _, id := range e.adv.IDs() {
						notAffected[id] = true
					}
					continue
				}
				vd := e.check(u.version, v)
				if vd.affected {
					hits = append(hits, hit{e, vd})
					hitAdv[e.adv.Key()] = true
				} else if isOSEcosystem(k.Ecosystem) && e.fixedAtOrBelow(v) {
					resolved = append(resolved, e.adv)
				}
			}
		}
		if len(hits) == 0 {
			continue
		}
		// A distribution advisory (DSA, a tracker line) that fixed this
		// package at or below the installed version settles the bug for it,
		// even if an older tracker record still says unfixed.
		for _, a := range resolved {
			if !hitAdv[a.Key()] {
				for _, id := range a.IDs() {
					notAffected[id] = true
				}
			}
		}
		out = append(out, group(u, hits, notAffected)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Packages[0].Location != b.Packages[0].Location {
			return a.Packages[0].Location < b.Packages[0].Location
		}
		return a.IDs[0] < b.IDs[0]
	})
	return out
}

// group merges the hits on one unit into one Match per bug: hits whose
// advisories share an id are the same bug (GHSA and its PYSEC twin, the
// tracker's CVE and the DSA that fixed it). A tracker "not-affected" for
// one of the bug's ids on this release drops it.
func group(u unit, hits []hit, notAffected map[string]bool) []Match {
	parent := make([]int, len(hits))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, h := range hits {
		for _, id := range h.e.adv.IDs() {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	groups := map[int][]hit{}
	var roots []int
	for i, h := range hits {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], h)
	}
	var out []Match
	for _, r := range roots {
		hs := groups[r]
		m := Match{Packages: u.pkgs, Ecosystem: u.keys[0].Ecosystem, Name: u.keys[0].Name, Version: u.version}
		ids := map[string]bool{}
		suppressed := false
		trackerFix, trackerSeen := "", false
		for _, h := range hs {
			m.Advisories = append(m.Advisories, h.e.adv)
			for _, id := range h.e.adv.IDs() {
				ids[id] = true
				if notAffected[id] {
					suppressed = true
				}
			}
			if h.e.adv.Source == advisory.SourceTracker {
				trackerSeen = true
				if h.v.fixed != "" && (trackerFix == "" || higher(m.Ecosystem, h.v.fixed, trackerFix)) {
					trackerFix = h.v.fixed
				}
			}
			if h.v.fixed != "" && (m.Fixed == "" || higher(m.Ecosystem, h.v.fixed, m.Fixed)) {
				m.Fixed = h.v.fixed
			}
			sev, known := h.e.adv.Severity, h.e.adv.SeverityKnown
			if h.e.af.SeverityKnown {
				sev, known = h.e.af.Severity, true
			}
			if known && (!m.SeverityRated || sev > m.Severity) {
				m.Severity, m.SeverityRated = sev, true
			}
			if m.Summary == "" {
				m.Summary = h.e.adv.Summary
			}
		}
		if suppressed {
			continue
		}
		if trackerSeen {
			// The distribution's own tracker decides what fixes its package.
			m.Fixed = trackerFix
		}
		if m.Fixed == "" {
			m.Status, m.StatusReason = statusOf(hs)
		} else {
			m.Status = advisory.StatusFixed
		}
		if !m.SeverityRated {
			m.Severity = model.SevMedium
		}
		m.IDs = orderIDs(ids)
		sort.Slice(m.Advisories, func(i, j int) bool { return m.Advisories[i].Key() < m.Advisories[j].Key() })
		out = append(out, m)
	}
	return out
}

func higher(eco, a, b string) bool {
	va, err1 := semantic.Parse(a, eco)
	vb, err2 := semantic.Parse(b, eco)
	if err1 != nil || err2 != nil {
		return a > b
	}
	return cmp(va, vb) > 0
}

// statusOf picks the tracker status of an unfixed bug (the most specific
// one) or "unfixed".
func statusOf(hs []hit) (string, string) {
	rank := map[string]int{advisory.StatusEndOfLife: 6, advisory.StatusIgnored: 5, advisory.StatusPostponed: 4, advisory.StatusNoDSA: 3, advisory.StatusTODO: 2, advisory.StatusUnfixed: 1}
	best, reason, r := advisory.StatusUnfixed, "", 0
	for _, h := range hs {
		if rk := rank[h.e.af.Status]; rk > r {
			best, reason, r = h.e.af.Status, h.e.af.StatusReason, rk
		}
	}
	return best, reason
}

// orderIDs puts a CVE first, then GHSA, then the rest, each sorted.
func orderIDs(ids map[string]bool) []string {
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	rank := func(id string) int {
		switch {
		case strings.HasPrefix(id, "CVE-"):
			return 0
		case strings.HasPrefix(id, "GHSA-"):
			return 1
		case strings.HasPrefix(id, "DSA-"), strings.HasPrefix(id, "DLA-"):
			return 2
		}
		return 3
	}
	sort.Slice(list, func(i, j int) bool {
		ri, rj := rank(list[i]), rank(list[j])
		if ri != rj {
			return ri < rj
		}
		return list[i] < list[j]
	})
	return list
}
