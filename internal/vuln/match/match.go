// Package match finds the advisories that affect an inventory's packages:
// OS packages against their exact release's data keyed on the source
// package, language packages against their ecosystem, with each
// ecosystem's own version order (osv-scalibr's semantic package, the one
// osv-scanner uses).
package match

import (
	"fmt"
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
