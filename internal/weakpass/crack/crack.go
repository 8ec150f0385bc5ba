package crack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ward-sec/ward/internal/weakpass/hashfmt"
)

// DefaultBudget is the estimated CPU time per distinct hash spent on the
// built-in candidates and mutations when Options.Budget is zero: the
// whole built-in lists (~21,000 with an account's mutations) for cheap
// schemes (md5crypt, DES, MySQL, PostgreSQL md5, default sha512crypt),
// the most likely ~1,600 for yescrypt at Debian's default cost and ~330
// for bcrypt cost 10. Operator word lists come on top, never cut.
const DefaultBudget = 20 * time.Second

// maxCandidateCost (µs) is the most one candidate may cost: beyond, the
// hash is reported unchecked (bcrypt cost 20 takes about a minute).
const maxCandidateCost = 60e6

// Options tune a Run.
type Options struct {
	// Wordlists are operator-supplied lists. They are tested in full on
	// every target, whatever the budget (reason "in supplied wordlist").
	Wordlists [][]string
	// NoBuiltin skips the embedded lists; NoMutations the per-account
	// and generic mutations (user name, host name, years, walks).
	NoBuiltin   bool
	NoMutations bool
	// Hostname seeds host name variants.
	Hostname string
	// Budget is the estimated CPU time per distinct hash for the
	// built-in candidates and mutations (DefaultBudget when zero).
	Budget time.Duration
	// Workers is the number of goroutines (GOMAXPROCS when zero).
	Workers int
	// CacheDir keeps outcomes per hash and candidate-list fingerprint so
	// an unchanged hash is not cracked again. Only fingerprints and
	// outcomes are stored, never a password. Empty disables the cache.
	CacheDir string
	// Year is the current year for year patterns (time.Now when zero).
	Year int

	// leaked marks a Test run: only Wordlists[0], reason "leaked list".
	leaked bool
}

// Test checks the given passwords (e.g. a leaked one) against the
// targets, nothing else: no built-in lists, no mutations, no cache. The
// passwords stay in memory.
func Test(ctx context.Context, targets []Target, passwords []string) ([]Result, error) {
	return Run(ctx, targets, Options{Wordlists: [][]string{passwords}, NoBuiltin: true, NoMutations: true, leaked: true})
}

// job is one distinct hash and the targets that carry it.
type job struct {
	key     string // dedupe key
	hash    hashfmt.Hash
	targets []int

	// candidate plan: the per-account lists are rebuilt when the job's
	// batch runs (they are not kept for all jobs at once).
	first, later []cand
	budget       int // built-in candidates and mutations allowed
	fingerprint  string
	done         bool // its batch ran to the end

	cracked   atomic.Bool
	tried     atomic.Int64
	mu        sync.Mutex
	password  string
	reason    string
	fromCache *cacheEntry
}

// group is the jobs sharing one salt (same Sharer.SaltKey): each
// candidate is computed once and matched against every job.
type group struct {
	jobs   []*job
	sharer bool
	segs   []segment           // the plan, in order
	n      int                 // candidates in all segments
	acct   map[string]struct{} // per-account words, skipped in shared segments
	left   atomic.Int64        // jobs not yet cracked
}

// segment is a run of candidates; shared segments (the base lists,
// common to all groups and never copied) skip the group's per-account
// words, already tried.
type segment struct {
	cands  []cand
	shared bool
}

// Run tests every target against its candidates and returns one result
// per target, in order. A cancelled context returns the results so far
// (unfinished targets as Unchecked, "not checked: cancelled") and the
// context's error.
func Run(ctx context.Context, targets []Target, opts Options) ([]Result, error) {
	if opts.Budget == 0 {
		opts.Budget = DefaultBudget
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	year := opts.Year
	if year == 0 {
		year = time.Now().Year()
	}
	results := make([]Result, len(targets))
	jobs := map[string]*job{}
	var order []*job
	for i, t := range targets {
		results[i] = Result{ID: t.ID}
		if st, ok := precheck(t); ok {
			results[i].Status = st
			continue
		}
		format := t.Format
		if t.Plain {
			format = hashfmt.FormatPlain
		}
		h, err := hashfmt.Parse(t.Hash, format, t.User)
		if err != nil {
			results[i].Status = Unchecked
			var ue *hashfmt.UnsupportedError
			if errors.As(err, &ue) {
				results[i].Format = ue.Format
			}
			results[i].Reason = err.Error()
			continue
		}
		results[i].Format = h.Format()
		if c := h.Cost(); c > maxCandidateCost {
			results[i].Status = Unchecked
			results[i].Reason = fmt.Sprintf("not checked: %s cost too high (about %.0f s per candidate)", h.Format(), c/1e6)
			continue
		}
		key := h.Format() + "\x00" + t.Hash
		if h.Format() == hashfmt.FormatPostgresMD5 {
			key += "\x00" + t.User
		}
		j := jobs[key]
		if j == nil {
			j = &job{key: key, hash: h}
			jobs[key] = j
			order = append(order, j)
		}
		j.targets = append(j.targets, i)
	}

	base := planBase(opts, year)
	var cache *resultCache
	if opts.CacheDir != "" && !opts.leaked {
		cache = openCache(opts.CacheDir)
	}
	for _, j := range order {
		planJob(j, targets, opts, base, year)
		j.first, j.later = nil, nil
		if cache != nil {
			j.fromCache = cache.get(j.cacheKey())
		}
	}
	groups := makeGroups(order)
	// Groups run in batches so that only one batch's per-account lists
	// are in memory (a directory may hold thousands of accounts).
	var err error
	for b := 0; b < len(groups) && err == nil; b += groupBatch {
		batch := groups[b:min(b+groupBatch, len(groups))]
		for _, g := range batch {
			for _, j := range g.jobs {
				planJob(j, targets, opts, base, year)
			}
			planGroup(g, base)
		}
		err = execute(ctx, batch, opts.Workers)
		for _, g := range batch {
			g.segs, g.acct = nil, nil
			for _, j := range g.jobs {
				j.first, j.later = nil, nil
				j.done = err == nil
			}
		}
	}

	for _, j := range order {
		for _, i := range j.targets {
			r := &results[i]
			switch {
			case j.fromCache != nil:
				r.Status, r.Reason, r.Tried = j.fromCache.Status, j.fromCache.Reason, j.fromCache.Tried
			case j.cracked.Load():
				r.Status, r.Password, r.Reason = Cracked, j.password, j.reason
				r.Tried = int(j.tried.Load())
			case !j.done:
				r.Status, r.Reason = Unchecked, "not checked: cancelled"
				r.Tried = int(j.tried.Load())
			default:
				r.Status = NotCracked
				r.Tried = int(j.tried.Load())
			}
		}
		if cache != nil && j.fromCache == nil && (j.cracked.Load() || j.done) {
			r := results[j.targets[0]]
			cache.put(j.cacheKey(), cacheEntry{Status: r.Status, Reason: r.Reason, Tried: r.Tried})
		}
	}
	if cache != nil {
		if cerr := cache.save(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return results, err
}

// precheck classifies credentials that have no password to test.
func precheck(t Target) (Status, bool) {
	if t.Plain {
		if t.Hash == "" {
			return Empty, true
		}
		return "", false
	}
	if t.Hash == "" {
		return Empty, true
	}
	if t.Format == "" && (t.Hash[0] == '!' || (t.Hash[0] == '*' && len(t.Hash) != 41)) {
		return Locked, true
	}
	return "", false
}

// plan is the account-independent part of every job's candidates.
type plan struct {
	head, tail []cand // built-in (budgeted)
	supplied   []cand // operator lists (never cut)
	fp         string // fingerprint of head+supplied+tail
}

func planBase(opts Options, year int) *plan {
	p := &plan{}
	if !opts.NoBuiltin {
		b := buildBase(year)
		p.head = b.head
		p.tail = b.tail
		if opts.NoMutations {
			p.tail = onlyLists(p.tail)
		}
	}
	reason := ReasonSupplied
	if opts.leaked {
		reason = ReasonLeaked
	}
	s := newCandSet()
	for _, c := range p.head {
		s.seen[c.pw] = struct{}{}
	}
	for _, l := range opts.Wordlists {
		s.addAll(l, reason)
	}
	p.supplied = s.list
	h := sha256.New()
	for _, part := range [][]cand{p.head, p.supplied, p.tail} {
		for _, c := range part {
			h.Write([]byte(c.pw))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	p.fp = hex.EncodeToString(h.Sum(nil))
	return p
}

// onlyLists drops the generic mutations from the built-in tail.
func onlyLists(cs []cand) []cand {
	var out []cand
	for _, c := range cs {
		if c.reason == ReasonCommon || c.reason == ReasonTop100 || c.reason == ReasonDefault {
			out = append(out, c)
		}
	}
	return out
}

func planJob(j *job, targets []Target, opts Options, base *plan, year int) {
	if !opts.NoMutations {
		fs, ls := newCandSet(), newCandSet()
		for _, i := range j.targets {
			t := targets[i]
			f, l := accountCands(t.User, opts.Hostname, t.Hints, year)
			for _, c := range f {
				fs.add(c.pw, c.reason)
			}
			for _, c := range l {
				ls.add(c.pw, c.reason)
			}
		}
		j.first, j.later = fs.list, ls.list
	} else if !opts.leaked {
		j.first = []cand{{"", ReasonEmpty}}
	}
	cost := j.hash.Cost()
	j.budget = int(float64(opts.Budget.Microseconds()) / cost)
	if opts.NoBuiltin && opts.NoMutations {
		j.budget = 0
	}
	h := sha256.New()
	h.Write([]byte(base.fp))
	for _, part := range [][]cand{j.first, j.later} {
		for _, c := range part {
			h.Write([]byte(c.pw))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	h.Write([]byte{byte(j.budget), byte(j.budget >> 8), byte(j.budget >> 16), byte(j.budget >> 24)})
	j.fingerprint = hex.EncodeToString(h.Sum(nil))
}

func (j *job) cacheKey() string {
	h := sha256.Sum256([]byte(j.key + "\x00" + j.fingerprint))
	return hex.EncodeToString(h[:])
}

// groupBatch bounds how many groups have their plans in memory at once.
const groupBatch = 64

// makeGroups merges jobs that share a salt.
func makeGroups(jobs []*job) []*group {
	var groups []*group
	bySalt := map[string]*group{}
	for _, j := range jobs {
		if j.fromCache != nil {
			continue
		}
		if sh, ok := j.hash.(hashfmt.Sharer); ok {
			k := j.hash.Format() + "\x00" + sh.SaltKey()
			if g := bySalt[k]; g != nil {
				g.jobs = append(g.jobs, j)
				continue
			}
			g := &group{jobs: []*job{j}, sharer: true}
			bySalt[k] = g
			groups = append(groups, g)
			continue
		}
		groups = append(groups, &group{jobs: []*job{j}})
	}
	return groups
}

// planGroup lays out a group's candidates: per-account first, built-in
// head, operator lists, per-account rest, built-in tail. Built-in and
// mutation candidates are cut to the budget, operator lists never.
func planGroup(g *group, base *plan) {
	budget := 0
	for _, j := range g.jobs {
		budget = max(budget, j.budget)
	}
	acct := newCandSet()
	for _, j := range g.jobs {
		for _, c := range j.first {
			acct.add(c.pw, c.reason)
		}
	}
	// The empty password is always tried: it costs one candidate.
	if _, ok := acct.seen[""]; !ok && len(g.jobs[0].first) > 0 {
		acct.add("", ReasonEmpty)
	}
	first := acct.list[:min(len(acct.list), max(budget, 1))]
	used := len(first)
	take := func(cs []cand) []cand {
		n := min(len(cs), max(0, budget-used))
		used += n
		return cs[:n]
	}
	head := take(base.head)
	later := newCandSet()
	for _, j := range g.jobs {
		for _, c := range j.later {
			if _, ok := acct.seen[c.pw]; !ok {
				later.add(c.pw, c.reason)
			}
		}
	}
	laterC := take(later.list)
	tail := take(base.tail)
	// Only the per-account candidates actually planned are skipped in
	// the shared lists.
	tried := make(map[string]struct{}, len(first)+len(laterC))
	for _, c := range first {
		tried[c.pw] = struct{}{}
	}
	for _, c := range laterC {
		tried[c.pw] = struct{}{}
	}
	g.segs = []segment{{cands: first}, {cands: head, shared: true}, {cands: base.supplied, shared: true}, {cands: laterC}, {cands: tail, shared: true}}
	g.acct = tried
	g.n = 0
	for _, sg := range g.segs {
		g.n += len(sg.cands)
	}
	g.left.Store(0)
	for _, j := range g.jobs {
		if !j.cracked.Load() {
			g.left.Add(1)
		}
	}
}

// chunk is a slice of one group's candidates: the unit of work.
type chunk struct {
	g          *group
	start, end int
}

// execute runs all groups on workers goroutines. Chunks are sized to
// ~20 ms of work and interleaved across groups so every account gets
// its most likely candidates first.
func execute(ctx context.Context, groups []*group, workers int) error {
	var perGroup [][]chunk
	total := 0
	for _, g := range groups {
		size := max(1, min(4096, int(20000/g.jobs[0].hash.Cost())))
		var cs []chunk
		for s := 0; s < g.n; s += size {
			cs = append(cs, chunk{g, s, min(s+size, g.n)})
		}
		perGroup = append(perGroup, cs)
		total += len(cs)
	}
	queue := make([]chunk, 0, total)
	for round := 0; len(queue) < total; round++ {
		for _, cs := range perGroup {
			if round < len(cs) {
				queue = append(queue, cs[round])
			}
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, max(1, len(queue))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s hashfmt.Scratch
			pw := make([]byte, 0, 256)
			for ctx.Err() == nil {
				n := int(next.Add(1) - 1)
				if n >= len(queue) {
					return
				}
				c := queue[n]
				if c.g.left.Load() == 0 {
					continue
				}
				c.g.each(c.start, c.end, func(cd cand) bool {
					if ctx.Err() != nil || c.g.left.Load() == 0 {
						return false
					}
					pw = append(pw[:0], cd.pw...)
					testCand(c.g, pw, cd, &s)
					return true
				})
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// each calls f on the group's candidates [start, end) until f returns
// false, skipping per-account words in shared segments.
func (g *group) each(start, end int, f func(cand) bool) {
	off := 0
	for _, sg := range g.segs {
		lo, hi := max(start-off, 0), min(end-off, len(sg.cands))
		off += len(sg.cands)
		for k := lo; k < hi; k++ {
			c := sg.cands[k]
			if sg.shared {
				if _, dup := g.acct[c.pw]; dup {
					continue
				}
			}
			if !f(c) {
				return
			}
		}
		if off >= end {
			return
		}
	}
}

func testCand(g *group, pw []byte, c cand, s *hashfmt.Scratch) {
	if g.sharer {
		d := g.jobs[0].hash.(hashfmt.Sharer).Digest(pw, s)
		for _, j := range g.jobs {
			if j.cracked.Load() {
				continue
			}
			j.tried.Add(1)
			if j.hash.(hashfmt.Sharer).Match(d) {
				j.found(g, c)
			}
		}
		return
	}
	j := g.jobs[0]
	j.tried.Add(1)
	if j.hash.Verify(pw, s) {
		j.found(g, c)
	}
}

func (j *job) found(g *group, c cand) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cracked.Load() {
		return
	}
	j.password, j.reason = c.pw, c.reason
	j.cracked.Store(true)
	g.left.Add(-1)
}

// ReadWordlist splits a word list (one password per line, CR LF or LF)
// into its words, dropping empty lines.
func ReadWordlist(data string) []string {
	var out []string
	for _, l := range strings.Split(data, "\n") {
		if l = strings.TrimSuffix(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}
