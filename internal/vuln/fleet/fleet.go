// Package fleet matches the server's stored inventories against its one
// advisory database, so findings follow both sides without any agent
// rescanning:
//
//   - an inventory (or delta) applied for a host → that host is re-matched
//     in the background (Enqueue, from the server's OnApplied hook;
//     repeated requests for a host coalesce into one run);
//   - advisories imported → only hosts holding the packages the new or
//     changed advisories name are looked at, and only those packages'
//     findings change (Import/AfterImport). The store's software index
//     answers "which hosts hold openssl" without reading inventories.
//
// Findings are stored with scope "vuln"; Hosts answers "which hosts are
// affected by CVE-…", with restart impact computed from each host's
// stored processes at query time (so it reflects the latest inventory).
package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/vuln/advisory"
	"github.com/ward-sec/ward/internal/vuln/db"
	"github.com/ward-sec/ward/internal/vuln/impact"
	"github.com/ward-sec/ward/internal/vuln/match"
)

// Scope of the findings the server computes.
const Scope = "vuln"

// fullRematchAbove: an import adding or changing more advisories than this
// (a first import, a whole feed refresh) re-matches every host in full
// instead of package by package.
const fullRematchAbove = 20000

// Matcher keeps the fleet's vuln findings in step with the advisory
// database and the stored inventories. Run must be running for Enqueue to
// have an effect.
type Matcher struct {
	store *store.Store
	db    *db.DB
	log   *slog.Logger

	// mu orders database changes and matches: a host match holds it for
	// reading (several at once), an import for writing, so a host match
	// never writes findings computed from advisories an import replaced
	// meanwhile.
	mu sync.RWMutex

	qmu     sync.Mutex
	pending map[int64]bool
	running map[int64]bool
	order   []int64
	wake    chan struct{}
}

// New returns a matcher over st and the advisory database vdb.
func New(st *store.Store, vdb *db.DB, log *slog.Logger) *Matcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Matcher{store: st, db: vdb, log: log, pending: map[int64]bool{}, running: map[int64]bool{}, wake: make(chan struct{}, 1)}
}

// DB is the advisory database.
func (m *Matcher) DB() *db.DB { return m.db }

// OnApplied queues a re-match of every host whose packages or release a
// batch of ingested messages changed (the server's OnApplied hook). Most
// deltas change neither (processes, sockets, logins move; packages stay),
// and their hosts' findings cannot change: they are not re-matched.
func (m *Matcher) OnApplied(_ context.Context, applied []store.Message) {
	for i := range applied {
		if needsRematch(&applied[i]) {
			m.Enqueue(applied[i].HostID)
		}
	}
}

func needsRematch(msg *store.Message) bool {
	switch d := msg.Delta; {
	case msg.Inventory != nil:
		return true
	case d != nil:
		return len(d.AddedPackages) > 0 || len(d.RemovedPackages) > 0 || slices.Contains(d.Replace, "host")
	}
	return false
}

// Enqueue asks for a host to be re-matched; a host already waiting is not
// queued twice.
func (m *Matcher) Enqueue(hostIDs ...int64) {
	m.qmu.Lock()
	for _, h := range hostIDs {
		if !m.pending[h] {
			m.pending[h] = true
			m.order = append(m.order, h)
		}
	}
	m.qmu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Pending is the number of hosts waiting for a re-match.
func (m *Matcher) Pending() int {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	return len(m.order)
}

// next takes the first queued host no worker is matching (a host queued
// again while being matched waits for that match to end).
func (m *Matcher) next() (int64, bool) {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	for i, h := range m.order {
		if m.running[h] {
			continue
		}
		m.order = append(m.order[:i:i], m.order[i+1:]...)
		delete(m.pending, h)
		m.running[h] = true
		if len(m.order) > 0 {
			// More waiting: wake another idle worker.
			select {
			case m.wake <- struct{}{}:
			default:
			}
		}
		return h, true
	}
	return 0, false
}

func (m *Matcher) done(h int64) {
	m.qmu.Lock()
	delete(m.running, h)
	again := m.pending[h]
	m.qmu.Unlock()
	if again {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
}

// Run re-matches queued hosts until ctx ends, with a few workers
// (matching is light; the database reads and writes are the cost).
func (m *Matcher) Run(ctx context.Context) {
	workers := min(4, max(2, runtime.GOMAXPROCS(0)/2))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.work(ctx)
		}()
	}
	wg.Wait()
}

func (m *Matcher) work(ctx context.Context) {
	for {
		for ctx.Err() == nil {
			h, ok := m.next()
			if !ok {
				break
			}
			if _, err := m.MatchHost(ctx, h); err != nil && ctx.Err() == nil {
				m.log.Warn("vuln: re-match of host failed", "host", h, "err", err)
			}
			m.done(h)
		}
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		}
	}
}

// MatchHost matches a host's stored inventory against the whole database
// and replaces its vuln findings; it returns how many it found.
func (m *Matcher) MatchHost(ctx context.Context, hostID int64) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	inv, err := m.store.HostPackages(ctx, hostID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil // deleted meanwhile, or no inventory yet
	}
	if err != nil {
		return 0, err
	}
	advs, err := m.db.ForPackages(ctx, match.Keys(inv))
	if err != nil {
		return 0, fmt.Errorf("vuln: advisories for host %d: %w", hostID, err)
	}
	var found []model.Finding
	for _, mt := range match.New(advs).Match(inv) {
		found = append(found, mt.Finding())
	}
	if err := m.store.ReplaceFindings(ctx, hostID, Scope, found); err != nil {
		return 0, err
	}
	return len(found), nil
}

// ImportStats says what an import did to the fleet.
type ImportStats struct {
	Added, Changed, Removed int
	Problems                int
	// Hosts holding a package the advisories name; Affected of them have
	// findings from it now.
	HostsChecked  int
	HostsAffected int
	Upserted      int64
	Resolved      int64
	// FullRematch: too many advisories changed; every host was queued for
	// a full re-match instead (Queued of them).
	FullRematch bool
	Queued      int
	Took        time.Duration
	// Phases of Took: reading the hosts' packages from the store, matching,
	// writing the findings.
	LoadTook, MatchTook, WriteTook time.Duration
}

// Import imports advisory feeds into the database (one transaction; see
// db.Import) and updates the fleet's findings for what changed.
func (m *Matcher) Import(ctx context.Context, paths ...string) (*db.ImportResult, ImportStats, error) {
	return m.ImportAs(ctx, nil, paths...)
}

// ImportAs is Import recording each path under a source name.
func (m *Matcher) ImportAs(ctx context.Context, names []string, paths ...string) (*db.ImportResult, ImportStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res, err := m.db.ImportAs(ctx, names, paths...)
	if err != nil {
		return nil, ImportStats{}, err
	}
	st, err := m.afterImport(ctx, res)
	return res, st, err
}

// AfterImport updates the fleet's findings for an import made directly on
// the database (the CLI on the server host).
func (m *Matcher) AfterImport(ctx context.Context, res *db.ImportResult) (ImportStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.afterImport(ctx, res)
}

func (m *Matcher) afterImport(ctx context.Context, res *db.ImportResult) (ImportStats, error) {
	start := time.Now()
	st := ImportStats{Added: len(res.Added), Changed: len(res.Changed), Removed: len(res.Removed), Problems: len(res.Problems)}
	if st.Added+st.Changed > fullRematchAbove {
		ids, err := m.store.HostIDsWithInventory(ctx)
		if err != nil {
			return st, err
		}
		m.Enqueue(ids...)
		st.FullRematch, st.Queued, st.Took = true, len(ids), time.Since(start)
		return st, nil
	}
	touched, err := m.db.Get(ctx, append(slices.Clone(res.Added), res.Changed...))
	if err != nil {
		return st, fmt.Errorf("vuln: load imported advisories: %w", err)
	}
	keys := map[advisory.PackageKey]bool{}
	for _, a := range touched {
		for _, af := range a.Affected {
			keys[advisory.PackageKey{Ecosystem: af.Ecosystem, Name: af.Name}] = true
		}
	}
	checked, err := m.rematchKeys(ctx, keys, touched, &st)
	if err != nil {
		return st, err
	}
	// Withdrawn advisories are gone with the packages they named, and a
	// changed one may no longer name a package it did: hosts with open
	// findings of theirs that the package pass did not look at are
	// re-matched in full.
	var rules []string
	for _, k := range res.Removed {
		_, id, _ := strings.Cut(k, "/")
		rules = append(rules, match.Rule+id)
	}
	changed := map[string]bool{}
	for _, k := range res.Changed {
		changed[k] = true
	}
	for _, a := range touched {
		if changed[a.Key()] {
			for _, id := range a.IDs() {
				rules = append(rules, match.Rule+id)
			}
		}
	}
	if len(rules) > 0 {
		hosts, err := m.store.HostsWithOpenFindings(ctx, Scope, rules)
		if err != nil {
			return st, err
		}
		for _, h := range hosts {
			if !checked[h] {
				m.Enqueue(h)
				st.Queued++
			}
		}
	}
	st.Took = time.Since(start)
	m.log.Info("vuln: fleet re-matched after import", "added", st.Added, "changed", st.Changed, "removed", st.Removed,
		"hosts_checked", st.HostsChecked, "hosts_affected", st.HostsAffected, "upserted", st.Upserted, "resolved", st.Resolved, "took", st.Took)
	return st, nil
}

// rematchKeys re-matches, on every host holding one of the packages keys
// name, just those packages, and updates the findings of the touched
// advisories (new ones written, ones that no longer apply resolved).
func (m *Matcher) rematchKeys(ctx context.Context, keys map[advisory.PackageKey]bool, touched []*advisory.Advisory, st *ImportStats) (map[int64]bool, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	t0 := time.Now()
	filters, accept := softwareFilters(keys)
	hosts, err := m.store.HostsWithPackages(ctx, filters, accept)
	if err != nil {
		return nil, err
	}
	st.LoadTook = time.Since(t0)
	t0 = time.Now()
	// Keep each host's packages of its own ecosystems, and every key the
	// packages look up (an rpm's binary name as well as its source), so
	// the touched advisories merge with the others about the same bug as
	// in a full match.
	type work struct {
		host   store.VulnHost
		target match.Target
	}
	var todo []work
	lookup := map[advisory.PackageKey]bool{}
	var checked []int64
	for _, h := range hosts {
		t := match.Target{OSEcosystem: match.OSEcosystem(model.OSRelease{ID: h.OSID, Version: h.OSVersion})}
		inv := &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: h.OSID, Version: h.OSVersion}}, Packages: h.Packages}
		relevant := false
		for _, k := range match.Keys(inv) {
			lookup[k] = true
			relevant = relevant || keys[k]
		}
		if relevant {
			todo = append(todo, work{h, t})
			checked = append(checked, h.HostID)
		}
	}
	st.HostsChecked = len(todo)
	advs, err := m.db.ForPackages(ctx, slices.SortedFunc(mapKeys(lookup), cmpKey))
	if err != nil {
		return nil, fmt.Errorf("vuln: advisories of the imported packages: %w", err)
	}
	isTouched := map[string]bool{}
	var rules []string
	for _, a := range touched {
		isTouched[a.Key()] = true
		for _, id := range a.IDs() {
			rules = append(rules, match.Rule+id)
		}
	}
	mt := match.New(advs)
	// Hosts are independent: match them on every core.
	results := make([][]model.Finding, len(todo))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := wk; i < len(todo); i += workers {
				for _, x := range mt.MatchPackages(todo[i].target, todo[i].host.Packages) {
					if slices.ContainsFunc(x.Advisories, func(a *advisory.Advisory) bool { return isTouched[a.Key()] }) {
						results[i] = append(results[i], x.Finding())
					}
				}
			}
		}()
	}
	wg.Wait()
	found := map[int64][]model.Finding{}
	for i, fs := range results {
		if len(fs) > 0 {
			found[todo[i].host.HostID] = fs
		}
	}
	st.HostsAffected = len(found)
	st.MatchTook = time.Since(t0)
	t0 = time.Now()
	us, err := m.store.UpdateFindings(ctx, Scope, found, store.Resolve{Hosts: checked, Rules: rules})
	st.Upserted, st.Resolved = us.Upserted, us.Resolved
	st.WriteTook = time.Since(t0)
	done := make(map[int64]bool, len(checked))
	for _, h := range checked {
		done[h] = true
	}
	return done, err
}

func cmpKey(a, b advisory.PackageKey) int {
	if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// softwareFilters turns advisory keys into store preselections and the
// exact test per software row (the key the matcher would look it up by).
func softwareFilters(keys map[advisory.PackageKey]bool) ([]store.SoftwareFilter, func(*model.Package) bool) {
	byType := map[model.PackageType]*store.SoftwareFilter{}
	get := func(t model.PackageType) *store.SoftwareFilter {
		f := byType[t]
		if f == nil {
			f = &store.SoftwareFilter{Type: t}
			byType[t] = f
		}
		return f
	}
	// names the rows must carry, per type (the exact test below).
	want := map[model.PackageType]map[string]bool{}
	add := func(t model.PackageType, name string) {
		if want[t] == nil {
			want[t] = map[string]bool{}
		}
		want[t][name] = true
	}
	for k := range keys {
		switch advisory.Base(k.Ecosystem) {
		case "Debian", "Ubuntu":
			f := get(model.PkgDeb)
			f.SourceNames, f.Names = append(f.SourceNames, k.Name), append(f.Names, k.Name)
			add(model.PkgDeb, k.Name)
		case "Alpine":
			f := get(model.PkgAPK)
			f.SourceNames, f.Names = append(f.SourceNames, k.Name), append(f.Names, k.Name)
			add(model.PkgAPK, k.Name)
		case "Red Hat", "Rocky Linux", "AlmaLinux":
			f := get(model.PkgRPM)
			f.SourceNames, f.Names = append(f.SourceNames, k.Name), append(f.Names, k.Name)
			add(model.PkgRPM, k.Name)
		case "Maven":
			if g, a, ok := strings.Cut(k.Name, ":"); ok {
				f := get(model.PkgMaven)
				f.Names, f.Groups = append(f.Names, a), append(f.Groups, g)
				add(model.PkgMaven, k.Name)
			}
		case "PyPI":
			get(model.PkgPyPI).AllOfType = true
			add(model.PkgPyPI, k.Name)
		case "npm":
			f := get(model.PkgNPM)
			f.Names = append(f.Names, k.Name)
			add(model.PkgNPM, k.Name)
		case "Go":
			f := get(model.PkgGo)
			f.Names = append(f.Names, k.Name)
			add(model.PkgGo, k.Name)
		}
	}
	var out []store.SoftwareFilter
	for _, t := range slices.Sorted(mapKeys(byType)) {
		out = append(out, *byType[t])
	}
	accept := func(p *model.Package) bool {
		names := want[p.Type]
		if names == nil {
			return false
		}
		switch {
		case p.Type.IsOS():
			src := p.SourceName
			if src == "" {
				src = p.Name
			}
			return names[src] || (p.Type == model.PkgRPM && names[p.Name])
		default:
			k, _, ok := match.LanguageKey(*p)
			return ok && names[k.Name]
		}
	}
	return out, accept
}

// Package is one vulnerable package of an affected host.
type Package struct {
	Name      string         `json:"name"`
	Version   string         `json:"version"`
	Location  string         `json:"location,omitempty"`
	Fixed     string         `json:"fixed,omitempty"`
	Status    string         `json:"status,omitempty"`
	FindingID string         `json:"finding_id"`
	Title     string         `json:"title"`
	Severity  model.Severity `json:"severity"`
	// Restart lists the services and programs to restart after patching.
	Restart []string `json:"restart,omitempty"`
}

// AffectedHost is one host an advisory affects.
type AffectedHost struct {
	HostID   int64
	Hostname string
	Packages []Package
}

// HostsAnswer is the affected hosts of one bug.
type HostsAnswer struct {
	Hosts []AffectedHost
	// Aliases are every id of the bug the database knows (the one asked
	// for included); Known says whether the database has the bug at all
	// (if not, a 0-day check is the way to find exposed hosts).
	Aliases []string
	Known   bool
}

// HostsQuery selects the affected hosts of one bug.
type HostsQuery struct {
	ID string // CVE-…, GHSA-…, DSA-…: any id or alias
	// After pages forwards: hosts with a larger id.
	After int64
	Limit int // hosts; default 100
}

// Hosts answers "which hosts does this bug affect", from the stored
// findings: every id the advisory database knows as the same bug (aliases)
// is looked up, so a GHSA id finds findings filed under their CVE.
func (m *Matcher) Hosts(ctx context.Context, q HostsQuery) (*HostsAnswer, error) {
	id := strings.TrimSpace(q.ID)
	if id == "" {
		return nil, errors.New("no advisory id")
	}
	ids := map[string]bool{id: true}
	ans := &HostsAnswer{}
	if m.db != nil {
		keys, err := m.db.KeysForID(ctx, id)
		if err != nil {
			return nil, err
		}
		advs, err := m.db.Get(ctx, keys)
		if err != nil {
			return nil, err
		}
		ans.Known = len(advs) > 0
		for _, a := range advs {
			for _, x := range a.IDs() {
				ids[x] = true
			}
		}
	}
	aliases := slices.Sorted(mapKeys(ids))
	if len(aliases) > 500 {
		aliases = aliases[:500]
	}
	rules := make([]string, len(aliases))
	for i, x := range aliases {
		rules[i] = match.Rule + x
	}
	lim := q.Limit
	if lim <= 0 {
		lim = 100
	}
	byHost := map[int64]*AffectedHost{}
	var order []int64
	after, afterID := q.After, "g" // past every (hex) finding id of host q.After
	if q.After == 0 {
		afterID = ""
	}
	for len(order) < lim {
		recs, err := m.store.OpenFindingsByRules(ctx, Scope, rules, after, afterID, 1000)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			h := byHost[r.HostID]
			if h == nil {
				if len(order) == lim {
					break
				}
				h = &AffectedHost{HostID: r.HostID}
				byHost[r.HostID] = h
				order = append(order, r.HostID)
			}
			h.Packages = append(h.Packages, packageOf(r.Finding))
		}
		if len(recs) < 1000 {
			break
		}
		after, afterID = recs[len(recs)-1].HostID, recs[len(recs)-1].Finding.ID
	}
	if err := m.addDetails(ctx, order, byHost); err != nil {
		return nil, err
	}
	ans.Aliases = aliases
	ans.Hosts = make([]AffectedHost, 0, len(order))
	for _, h := range order {
		ans.Hosts = append(ans.Hosts, *byHost[h])
	}
	return ans, nil
}

// packageOf reads the package facts back from a stored finding.
func packageOf(f model.Finding) Package {
	name, version, _ := strings.Cut(f.Asset.ID, "@")
	p := Package{Name: name, Version: version, Location: f.Asset.Path, FindingID: f.ID, Title: f.Title, Severity: f.Severity}
	for _, e := range f.Evidence {
		if v, ok := strings.CutPrefix(e, "fixed version: "); ok {
			p.Fixed = v
		} else if v, ok := strings.CutPrefix(e, "status: "); ok {
			p.Status = v
		}
	}
	return p
}

// addDetails fills in host names and restart impact from the hosts'
// stored processes.
func (m *Matcher) addDetails(ctx context.Context, order []int64, byHost map[int64]*AffectedHost) error {
	if len(order) == 0 {
		return nil
	}
	procs, err := m.store.HostProcesses(ctx, order)
	if err != nil {
		return err
	}
	for _, id := range order {
		h := byHost[id]
		if rec, err := m.store.Host(ctx, id); err == nil {
			h.Hostname = rec.Hostname
		}
		inv := procs[id]
		if inv == nil {
			continue
		}
		x := impact.NewIndex(inv)
		for i := range h.Packages {
			p := &h.Packages[i]
			pkgs, err := m.store.HostPackagesNamed(ctx, id, lastName(p.Name))
			if err != nil {
				return err
			}
			var mine []model.Package
			for _, q := range pkgs {
				if q.Type.IsOS() || q.Location == p.Location { // not another copy elsewhere
					mine = append(mine, q)
				}
			}
			p.Restart = x.ForAll(mine).Restart()
		}
	}
	return nil
}

// lastName is the stored package name of an advisory name: Maven's
// "group:artifact" is stored as the artifact.
func lastName(n string) string {
	if i := strings.LastIndex(n, ":"); i >= 0 {
		return n[i+1:]
	}
	return n
}
