package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// BaselineKind is the result kind agents report baseline runs under: the
// JSON of a baseline.Report (internal/baseline), possibly compacted (no
// evidence or remediation on passing checks).
const BaselineKind = "baseline"

func init() {
	RegisterDataBatch(BaselineKind, func() DataBatch { return newBaselineBatch() }, func(m *Message) (any, error) {
		runs, cat, err := parseBaseline(m.HostID, m.Data)
		return &parsedBaseline{m.HostID, runs, cat}, err
	})
}

// parsedBaseline is a host's report decoded ahead of the transaction.
type parsedBaseline struct {
	host int64
	runs []*baselineRun
	cat  []catalogRow
}

// The statuses of a check, as baseline.Status spells them.
const (
	BaselinePass          = "pass"
	BaselineFail          = "fail"
	BaselineNotApplicable = "not-applicable"
	BaselineError         = "error"
	BaselineManual        = "manual"
)

// BaselineStatuses lists the statuses in display order.
var BaselineStatuses = []string{BaselinePass, BaselineFail, BaselineNotApplicable, BaselineError, BaselineManual}

// Bounds on what one check result keeps: a host sends its evidence
// compact already; these stop a broken agent from bloating every row.
const (
	maxBaselineEvidence     = 8
	maxBaselineEvidenceLine = 512
	maxBaselineText         = 4096 // reason, title, remediation
)

// baselineReport mirrors baseline.Report (the agent's payload) with the
// fields the store keeps; it is decoded here so that the server does not
// pull in the policy engine.
type baselineReport struct {
	Policies []baselinePolicy `json:"policies"`
}

type baselinePolicy struct {
	Policy  string          `json:"policy"`
	Title   string          `json:"title"`
	Version string          `json:"version"`
	Checks  []baselineCheck `json:"checks"`
}

type baselineCheck struct {
	Check       string            `json:"check"`
	Title       string            `json:"title"`
	TitleZH     string            `json:"title_zh"`
	Severity    model.Severity    `json:"severity"`
	Status      string            `json:"status"`
	Reason      string            `json:"reason"`
	Evidence    []string          `json:"evidence"`
	Remediation string            `json:"remediation"`
	References  []model.Reference `json:"references"`
}

// BaselineCounts are the checks (or hosts) per status.
type BaselineCounts struct {
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	NotApplicable int `json:"not_applicable"`
	Error         int `json:"error"`
	Manual        int `json:"manual"`
}

func (c *BaselineCounts) add(status string, n int) {
	switch status {
	case BaselinePass:
		c.Pass += n
	case BaselineFail:
		c.Fail += n
	case BaselineNotApplicable:
		c.NotApplicable += n
	case BaselineError:
		c.Error += n
	case BaselineManual:
		c.Manual += n
	}
}

// Score is pass / (pass + fail + error) in percent (not-applicable and
// manual checks do not count); 100 when nothing counts.
func (c BaselineCounts) Score() float64 {
	d := c.Pass + c.Fail + c.Error
	if d == 0 {
		return 100
	}
	return float64(c.Pass) * 100 / float64(d)
}

func validBaselineStatus(s string) bool { return slices.Contains(BaselineStatuses, s) }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// hostPolicy keys a host's results of one policy.
type hostPolicy struct {
	host   int64
	policy string
}

type policyCheck struct{ policy, check string }

// baselineRun is one policy's results on one host, ready to write: the
// checks that do not pass as rows, the ones that pass as a list.
type baselineRun struct {
	hostPolicy
	title, version string
	counts         BaselineCounts
	checks         []baselineRow
	passed         []string
	passedJSON     string
}

type baselineRow struct {
	check, status, reason, evidence string
}

type catalogRow struct {
	policyCheck
	title, titleZH, remediation, refs string
	severity                          model.Severity
}

// baselineBatch collects the baseline results of one ingest transaction:
// one statement set writes them all (catalog upsert, delete and insert of
// the hosts' rows, summaries, history) instead of one per host.
type baselineBatch struct {
	runs    []*baselineRun // latest per (host, policy), in first-seen order
	latest  map[hostPolicy]int
	history []*baselineRun // every run, in order
	catalog map[policyCheck]catalogRow
	keep    int // history rows kept per host and policy
}

func newBaselineBatch() *baselineBatch {
	return &baselineBatch{latest: map[hostPolicy]int{}, catalog: map[policyCheck]catalogRow{}, keep: DefaultBaselineHistory}
}

func (b *baselineBatch) configure(s *Store) { b.keep = s.baselineHistory }

// DefaultBaselineHistory is how many runs the history keeps per host and
// policy: three months of daily scans.
const DefaultBaselineHistory = 100

// WithBaselineHistory keeps the last n baseline runs per host and policy
// in the history (older rows are pruned as new ones arrive); n <= 0 keeps
// them all.
func WithBaselineHistory(n int) Option { return func(o *options) { o.baselineHistory = n } }

// parseBaseline checks and converts one host's report.
func parseBaseline(hostID int64, data json.RawMessage) ([]*baselineRun, []catalogRow, error) {
	var rep baselineReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, nil, fmt.Errorf("%w: baseline report: %v", ErrBadData, err)
	}
	var runs []*baselineRun
	var cat []catalogRow
	seenPolicy := map[string]bool{}
	for pi := range rep.Policies {
		p := &rep.Policies[pi]
		switch {
		case p.Policy == "" || len(p.Policy) > maxKeyLen:
			return nil, nil, fmt.Errorf("%w: baseline policy %d: id empty or longer than %d bytes", ErrBadData, pi, maxKeyLen)
		case seenPolicy[p.Policy]:
			return nil, nil, fmt.Errorf("%w: baseline policy %q reported twice", ErrBadData, p.Policy)
		}
		seenPolicy[p.Policy] = true
		run := &baselineRun{hostPolicy: hostPolicy{hostID, p.Policy}, title: clip(p.Title, maxBaselineText), version: clip(p.Version, maxKeyLen)}
		idx := make(map[string]int, len(p.Checks))
		for ci := range p.Checks {
			c := &p.Checks[ci]
			switch {
			case c.Check == "" || len(c.Check) > maxKeyLen:
				return nil, nil, fmt.Errorf("%w: baseline policy %q check %d: id empty or longer than %d bytes", ErrBadData, p.Policy, ci, maxKeyLen)
			case !validBaselineStatus(c.Status):
				return nil, nil, fmt.Errorf("%w: baseline policy %q check %q: unknown status %q", ErrBadData, p.Policy, c.Check, c.Status)
			case c.Severity < model.SevInfo || c.Severity > model.SevCritical:
				return nil, nil, fmt.Errorf("%w: baseline policy %q check %q: severity %d out of range", ErrBadData, p.Policy, c.Check, int(c.Severity))
			}
			ev := ""
			if len(c.Evidence) > 0 && c.Status != BaselinePass {
				lines := c.Evidence[:min(len(c.Evidence), maxBaselineEvidence)]
				clipped := make([]string, len(lines))
				for i, l := range lines {
					clipped[i] = clip(l, maxBaselineEvidenceLine)
				}
				b, _ := json.Marshal(clipped)
				ev = string(b)
			}
			row := baselineRow{check: c.Check, status: c.Status, reason: clip(c.Reason, maxBaselineText), evidence: ev}
			if j, dup := idx[c.Check]; dup { // last wins
				run.checks[j] = row
			} else {
				idx[c.Check] = len(run.checks)
				run.checks = append(run.checks, row)
			}
			refs := ""
			if len(c.References) > 0 {
				b, _ := json.Marshal(c.References)
				refs = string(b)
			}
			cat = append(cat, catalogRow{policyCheck: policyCheck{p.Policy, c.Check}, title: clip(c.Title, maxBaselineText),
				titleZH: clip(c.TitleZH, maxBaselineText), remediation: clip(c.Remediation, maxBaselineText), refs: refs, severity: c.Severity})
		}
		rows := run.checks[:0]
		for _, r := range run.checks {
			run.counts.add(r.status, 1)
			if r.status == BaselinePass {
				run.passed = append(run.passed, r.check)
			} else {
				rows = append(rows, r)
			}
		}
		run.checks = rows
		if len(run.passed) > 0 {
			b, _ := json.Marshal(run.passed)
			run.passedJSON = string(b)
		}
		runs = append(runs, run)
	}
	return runs, cat, nil
}

func (b *baselineBatch) Add(_ context.Context, _ db, m *Message, _ time.Time) error {
	var runs []*baselineRun
	var cat []catalogRow
	if p, ok := m.Prepared.(*parsedBaseline); ok && p.host == m.HostID {
		runs, cat = p.runs, p.cat
	} else {
		var err error
		if runs, cat, err = parseBaseline(m.HostID, m.Data); err != nil {
			return err
		}
	}
	for _, r := range runs {
		b.history = append(b.history, r)
		if i, ok := b.latest[r.hostPolicy]; ok {
			b.runs[i] = r
			continue
		}
		b.latest[r.hostPolicy] = len(b.runs)
		b.runs = append(b.runs, r)
	}
	for _, c := range cat {
		// A passing check's result may come without its remediation or
		// references: keep what another host sent.
		if old, ok := b.catalog[c.policyCheck]; ok {
			c.remediation = cmp.Or(c.remediation, old.remediation)
			c.refs = cmp.Or(c.refs, old.refs)
		}
		b.catalog[c.policyCheck] = c
	}
	return nil
}

var (
	baselineCatalogInsert = bulkInsert{
		table: "baseline_checks",
		cols: []bulkCol{{"policy", colText}, {"check_id", colText}, {"title", colText}, {"title_zh", colText},
			{"severity", colInt}, {"remediation", colText}, {"refs", colJSON}, {"updated_at", colTime}},
		suffix: `ON CONFLICT (policy, check_id) DO UPDATE SET
			title = excluded.title, title_zh = excluded.title_zh, severity = excluded.severity,
			remediation = CASE WHEN excluded.remediation <> '' THEN excluded.remediation ELSE baseline_checks.remediation END,
			refs = COALESCE(excluded.refs, baseline_checks.refs), updated_at = excluded.updated_at`,
	}
	baselineResultInsert = bulkInsert{
		table: "baseline_results",
		cols:  []bulkCol{{"host_id", colInt}, {"policy", colText}, {"check_id", colText}, {"status", colText}, {"reason", colText}, {"evidence", colJSON}},
	}
	baselineHostInsert = bulkInsert{
		table: "baseline_hosts",
		cols: []bulkCol{{"host_id", colInt}, {"policy", colText}, {"title", colText}, {"version", colText}, {"score", colFloat},
			{"n_pass", colInt}, {"n_fail", colInt}, {"n_na", colInt}, {"n_error", colInt}, {"n_manual", colInt}, {"scanned_at", colTime},
			{"passed", colJSON}},
		suffix: `ON CONFLICT (host_id, policy) DO UPDATE SET title = excluded.title, version = excluded.version,
			score = excluded.score, n_pass = excluded.n_pass, n_fail = excluded.n_fail, n_na = excluded.n_na,
			n_error = excluded.n_error, n_manual = excluded.n_manual, scanned_at = excluded.scanned_at,
			passed = excluded.passed`,
	}
	baselineHistoryInsert = bulkInsert{
		table: "baseline_history",
		cols: []bulkCol{{"host_id", colInt}, {"policy", colText}, {"scanned_at", colTime}, {"score", colFloat},
			{"n_pass", colInt}, {"n_fail", colInt}, {"n_na", colInt}, {"n_error", colInt}, {"n_manual", colInt}},
	}
)

func (b *baselineBatch) Flush(ctx context.Context, tx db, now time.Time) error {
	if len(b.runs) == 0 {
		return nil
	}
	// Catalog rows in key order, so that concurrent transactions lock
	// them in the same order.
	cat := make([]catalogRow, 0, len(b.catalog))
	for _, c := range b.catalog {
		cat = append(cat, c)
	}
	slices.SortFunc(cat, func(x, y catalogRow) int {
		return cmp.Or(cmp.Compare(x.policy, y.policy), cmp.Compare(x.check, y.check))
	})
	err := tx.bulk(ctx, baselineCatalogInsert, len(cat), func(i int, dst []any) []any {
		c := &cat[i]
		return append(dst, c.policy, c.check, c.title, c.titleZH, int64(c.severity), c.remediation, c.refs, now)
	}, nil)
	if err != nil {
		return err
	}

	// Replace the hosts' rows of the policies reported, counting what
	// leaves and what comes for the item view.
	counts := itemDeltas{}
	cols := []bulkCol{{"host_id", colInt}, {"policy", colText}}
	per := tx.d.tupleChunk(len(cols))
	for lo := 0; lo < len(b.runs); lo += per {
		hi := min(lo+per, len(b.runs))
		set, args := tx.d.tupleSet(cols, lo, hi, func(i int, dst []any) []any {
			return append(dst, b.runs[i].host, b.runs[i].policy)
		})
		err := tx.run(ctx, `SELECT policy, passed FROM baseline_hosts WHERE (host_id, policy) IN `+set, args, counts.scanPassed(-1))
		if err == nil {
			err = tx.run(ctx, `DELETE FROM baseline_results WHERE (host_id, policy) IN `+set+` RETURNING policy, check_id, status`, args, counts.scan(-1))
		}
		if err != nil {
			return fmt.Errorf("replace baseline results: %w", err)
		}
	}
	type at struct{ run, check int }
	var rows []at
	for i, r := range b.runs {
		for j := range r.checks {
			rows = append(rows, at{i, j})
			counts[itemStatus{policyCheck{r.policy, r.checks[j].check}, r.checks[j].status}]++
		}
		for _, id := range r.passed {
			counts[itemStatus{policyCheck{r.policy, id}, BaselinePass}]++
		}
	}
	err = tx.bulk(ctx, baselineResultInsert, len(rows), func(i int, dst []any) []any {
		r := b.runs[rows[i].run]
		c := &r.checks[rows[i].check]
		return append(dst, r.host, r.policy, c.check, c.status, c.reason, c.evidence)
	}, nil)
	if err != nil {
		return err
	}
	if err := counts.apply(ctx, tx); err != nil {
		return err
	}
	summary := func(runs []*baselineRun) func(i int, dst []any) []any {
		return func(i int, dst []any) []any {
			r := runs[i]
			c := r.counts
			return append(dst, r.host, r.policy, r.title, r.version, c.Score(), c.Pass, c.Fail, c.NotApplicable, c.Error, c.Manual, now, r.passedJSON)
		}
	}
	if err := tx.bulk(ctx, baselineHostInsert, len(b.runs), summary(b.runs), nil); err != nil {
		return err
	}
	err = tx.bulk(ctx, baselineHistoryInsert, len(b.history), func(i int, dst []any) []any {
		r := b.history[i]
		c := r.counts
		return append(dst, r.host, r.policy, now, c.Score(), c.Pass, c.Fail, c.NotApplicable, c.Error, c.Manual)
	}, nil)
	if err != nil {
		return err
	}
	return b.pruneHistory(ctx, tx)
}

// pruneHistory keeps the newest keep runs of each of the batch's (host,
// policy) pairs. A pair is pruned once it holds more than keep plus 10%,
// so in steady state one delete runs every keep/10 scans instead of one
// per scan. Runs stored at the same instant are kept or dropped together.
func (b *baselineBatch) pruneHistory(ctx context.Context, tx db) error {
	if b.keep <= 0 {
		return nil
	}
	over := []hostPolicy{}
	cols := []bulkCol{{"host_id", colInt}, {"policy", colText}}
	per := tx.d.tupleChunk(len(cols))
	for lo := 0; lo < len(b.runs); lo += per {
		hi := min(lo+per, len(b.runs))
		set, args := tx.d.tupleSet(cols, lo, hi, func(i int, dst []any) []any {
			return append(dst, b.runs[i].host, b.runs[i].policy)
		})
		err := tx.run(ctx, `SELECT host_id, policy FROM baseline_history WHERE (host_id, policy) IN `+set+`
			GROUP BY host_id, policy HAVING COUNT(*) > ?`, append(args, b.keep+b.keep/10), func(rows *sql.Rows) error {
			var k hostPolicy
			if err := rows.Scan(&k.host, &k.policy); err != nil {
				return err
			}
			over = append(over, k)
			return nil
		})
		if err != nil {
			return fmt.Errorf("prune baseline history: %w", err)
		}
	}
	slices.SortFunc(over, func(x, y hostPolicy) int { return cmp.Or(cmp.Compare(x.host, y.host), cmp.Compare(x.policy, y.policy)) })
	for _, k := range over {
		_, err := tx.exec(ctx, `DELETE FROM baseline_history WHERE host_id = ? AND policy = ? AND scanned_at <
			(SELECT scanned_at FROM baseline_history WHERE host_id = ? AND policy = ? ORDER BY scanned_at DESC LIMIT 1 OFFSET ?)`,
			k.host, k.policy, k.host, k.policy, b.keep-1)
		if err != nil {
			return fmt.Errorf("prune baseline history of host %d: %w", k.host, err)
		}
	}
	return nil
}

// itemStatus keys the item view's counts.
type itemStatus struct {
	policyCheck
	status string
}

// itemDeltas are changes to the item view's host counts.
type itemDeltas map[itemStatus]int64

// scan adds d for each (policy, check, status) row.
func (c itemDeltas) scan(d int64) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var k itemStatus
		if err := rows.Scan(&k.policy, &k.check, &k.status); err != nil {
			return err
		}
		c[k] += d
		return nil
	}
}

// scanPassed adds d for each check of (policy, passed list) rows.
func (c itemDeltas) scanPassed(d int64) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var policy string
		var passed sql.NullString
		if err := rows.Scan(&policy, &passed); err != nil {
			return err
		}
		ids, err := passedList(passed)
		for _, id := range ids {
			c[itemStatus{policyCheck{policy, id}, BaselinePass}] += d
		}
		return err
	}
}

func passedList(v sql.NullString) ([]string, error) {
	if !v.Valid || v.String == "" {
		return nil, nil
	}
	var ids []string
	if err := json.Unmarshal([]byte(v.String), &ids); err != nil {
		return nil, fmt.Errorf("passed checks: %w", err)
	}
	return ids, nil
}

var itemCountsUpsert = bulkInsert{
	table:  "baseline_item_counts",
	cols:   []bulkCol{{"policy", colText}, {"check_id", colText}, {"status", colText}, {"n", colInt}},
	suffix: `ON CONFLICT (policy, check_id, status) DO UPDATE SET n = baseline_item_counts.n + excluded.n`,
}

// apply adds the deltas to the stored counts, in key order (concurrent
// transactions lock the rows in the same order).
func (c itemDeltas) apply(ctx context.Context, tx db) error {
	keys := make([]itemStatus, 0, len(c))
	for k, d := range c {
		if d != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(x, y itemStatus) int {
		return cmp.Or(cmp.Compare(x.policy, y.policy), cmp.Compare(x.check, y.check), cmp.Compare(x.status, y.status))
	})
	return tx.bulk(ctx, itemCountsUpsert, len(keys), func(i int, dst []any) []any {
		k := keys[i]
		return append(dst, k.policy, k.check, k.status, c[k])
	}, nil)
}

// forgetBaseline removes a host's results (before the host is deleted),
// keeping the item view's counts right.
func forgetBaseline(ctx context.Context, tx db, hostID int64) error {
	counts := itemDeltas{}
	err := tx.run(ctx, `SELECT policy, passed FROM baseline_hosts WHERE host_id = ?`, []any{hostID}, counts.scanPassed(-1))
	if err == nil {
		err = tx.run(ctx, `DELETE FROM baseline_results WHERE host_id = ? RETURNING policy, check_id, status`, []any{hostID}, counts.scan(-1))
	}
	if err == nil {
		err = counts.apply(ctx, tx)
	}
	if err != nil {
		return fmt.Errorf("forget baseline results of host %d: %w", hostID, err)
	}
	return nil
}

// BaselineItem is one check across the fleet: what it is and how many
// hosts pass, fail...
type BaselineItem struct {
	Policy      string
	Check       string
	Title       string
	TitleZH     string
	Severity    model.Severity
	Remediation string
	References  []model.Reference
	Hosts       BaselineCounts
}

// BaselineItemFilter selects the item view; zero fields do not filter.
type BaselineItemFilter struct {
	Policy string
	// Labels counts only the hosts with all of these labels.
	Labels map[string]string
}

// BaselineItems is the check-item view: every check of the policy (all
// policies when empty) with its hosts per status, in policy and natural
// check order ("1.2" before "1.10"). Without labels the counts are the
// ones kept up to date on ingest; with labels they are counted from the
// matching hosts' results.
func (s *Store) BaselineItems(ctx context.Context, f BaselineItemFilter) ([]BaselineItem, error) {
	var out []BaselineItem
	policy := f.Policy
	err := s.readTx(ctx, func(tx db) error {
		where, args := "", []any{}
		if policy != "" {
			where, args = ` WHERE policy = ?`, append(args, policy)
		}
		byKey := map[policyCheck]*BaselineItem{}
		add := func(k policyCheck, st string, n int) {
			it := byKey[k]
			if it == nil {
				it = &BaselineItem{Policy: k.policy, Check: k.check}
				byKey[k] = it
			}
			it.Hosts.add(st, n)
		}
		var err error
		if len(f.Labels) > 0 {
			err = labelledItemCounts(ctx, tx, f, add)
		} else {
			err = itemCounts(ctx, tx, policy, add)
		}
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT policy, check_id, title, title_zh, severity, remediation, refs FROM baseline_checks`+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k policyCheck
			var it BaselineItem
			var sev int64
			var refs sql.NullString
			if err := rows.Scan(&k.policy, &k.check, &it.Title, &it.TitleZH, &sev, &it.Remediation, &refs); err != nil {
				return err
			}
			p := byKey[k]
			if p == nil {
				continue // no host holds a result of it any more
			}
			p.Title, p.TitleZH, p.Severity, p.Remediation = it.Title, it.TitleZH, model.Severity(sev), it.Remediation
			if refs.Valid {
				if err := json.Unmarshal([]byte(refs.String), &p.References); err != nil {
					return fmt.Errorf("check %s/%s references: %w", k.policy, k.check, err)
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		out = make([]BaselineItem, 0, len(byKey))
		for _, it := range byKey {
			out = append(out, *it)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("baseline items: %w", err)
	}
	slices.SortFunc(out, func(a, b BaselineItem) int {
		return cmp.Or(cmp.Compare(a.Policy, b.Policy), naturalCompare(a.Check, b.Check))
	})
	return out, nil
}

// itemCounts reads the fleet-wide counts kept on ingest.
func itemCounts(ctx context.Context, tx db, policy string, add func(policyCheck, string, int)) error {
	cond, args := ` WHERE n > 0`, []any{}
	if policy != "" {
		cond, args = cond+` AND policy = ?`, append(args, policy)
	}
	return tx.run(ctx, `SELECT policy, check_id, status, n FROM baseline_item_counts`+cond, args, func(rows *sql.Rows) error {
		var k policyCheck
		var st string
		var n int
		if err := rows.Scan(&k.policy, &k.check, &st, &n); err != nil {
			return err
		}
		add(k, st, n)
		return nil
	})
}

// labelledItemCounts counts the results of the hosts with all of f's
// labels: stored results (every status but pass) grouped in SQL, passes
// from the hosts' passed lists.
func labelledItemCounts(ctx context.Context, tx db, f BaselineItemFilter, add func(policyCheck, string, int)) error {
	var conds []string
	var args []any
	for _, k := range slices.Sorted(maps.Keys(f.Labels)) {
		conds = append(conds, `host_id IN (SELECT host_id FROM host_labels WHERE name = ? AND value = ?)`)
		args = append(args, k, f.Labels[k])
	}
	if f.Policy != "" {
		conds, args = append(conds, `policy = ?`), append(args, f.Policy)
	}
	where := ` WHERE ` + strings.Join(conds, ` AND `)
	err := tx.run(ctx, `SELECT policy, check_id, status, COUNT(*) FROM baseline_results`+where+` GROUP BY policy, check_id, status`, args,
		func(rows *sql.Rows) error {
			var k policyCheck
			var st string
			var n int
			if err := rows.Scan(&k.policy, &k.check, &st, &n); err != nil {
				return err
			}
			add(k, st, n)
			return nil
		})
	if err != nil {
		return err
	}
	passes := map[policyCheck]int{}
	err = tx.run(ctx, `SELECT policy, passed FROM baseline_hosts`+where, args, func(rows *sql.Rows) error {
		var policy string
		var passed sql.NullString
		if err := rows.Scan(&policy, &passed); err != nil {
			return err
		}
		ids, err := passedList(passed)
		for _, id := range ids {
			passes[policyCheck{policy, id}]++
		}
		return err
	})
	for k, n := range passes {
		add(k, BaselinePass, n)
	}
	return err
}

// naturalCompare orders check ids with their digit runs as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), cmp.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// BaselineCheckResult is one check's latest result on one host, with the
// check's catalog entry.
type BaselineCheckResult struct {
	HostID      int64
	Hostname    string
	Policy      string
	Check       string
	Status      string
	Reason      string
	Evidence    []string
	Title       string
	TitleZH     string
	Severity    model.Severity
	Remediation string
	References  []model.Reference
	ScannedAt   time.Time
}

// BaselineResultFilter selects check results; zero fields do not filter.
type BaselineResultFilter struct {
	HostID   int64
	Policy   string
	Check    string
	Statuses []string
	// After pages forwards by (host, policy, check).
	AfterHostID int64
	AfterPolicy string
	AfterCheck  string
	Limit       int // default 1000
}

// BaselineResults lists check results ordered by host, policy and check:
// one item's hosts (Policy, Check, Statuses) or one host's failed checks
// (HostID, Statuses).
func (s *Store) BaselineResults(ctx context.Context, f BaselineResultFilter) ([]BaselineCheckResult, error) {
	lim := limit(f.Limit)
	wantPass := len(f.Statuses) == 0 || slices.Contains(f.Statuses, BaselinePass)
	var others []string
	for _, st := range f.Statuses {
		if st != BaselinePass {
			others = append(others, st)
		}
	}
	var out []BaselineCheckResult
	if len(f.Statuses) == 0 || len(others) > 0 {
		rs, err := s.failedResults(ctx, f, others, lim)
		if err != nil {
			return nil, fmt.Errorf("baseline results: %w", err)
		}
		out = rs
	}
	if wantPass {
		rs, err := s.passedResults(ctx, f, lim)
		if err != nil {
			return nil, fmt.Errorf("baseline results: %w", err)
		}
		out = append(out, rs...)
		slices.SortFunc(out, func(a, b BaselineCheckResult) int {
			return cmp.Or(cmp.Compare(a.HostID, b.HostID), cmp.Compare(a.Policy, b.Policy), cmp.Compare(a.Check, b.Check))
		})
	}
	if len(out) > lim {
		out = out[:lim]
	}
	return out, nil
}

// failedResults reads the rows of checks that do not pass.
func (s *Store) failedResults(ctx context.Context, f BaselineResultFilter, statuses []string, lim int) ([]BaselineCheckResult, error) {
	var where []string
	var args []any
	add := func(cond string, v ...any) {
		where = append(where, cond)
		args = append(args, v...)
	}
	if f.HostID != 0 {
		add(`r.host_id = ?`, f.HostID)
	}
	if f.Policy != "" {
		add(`r.policy = ?`, f.Policy)
	}
	if f.Check != "" {
		add(`r.check_id = ?`, f.Check)
	}
	if len(statuses) > 0 {
		vals := make([]any, len(statuses))
		for i, st := range statuses {
			vals[i] = st
		}
		add(`r.status IN `+placeholders(len(vals)), vals...)
	}
	if f.AfterHostID != 0 || f.AfterPolicy != "" || f.AfterCheck != "" {
		add(`(r.host_id > ? OR (r.host_id = ? AND (r.policy > ? OR (r.policy = ? AND r.check_id > ?))))`,
			f.AfterHostID, f.AfterHostID, f.AfterPolicy, f.AfterPolicy, f.AfterCheck)
	}
	q := `SELECT r.host_id, h.hostname, r.policy, r.check_id, r.status, r.reason, r.evidence,
			COALESCE(c.title, ''), COALESCE(c.title_zh, ''), COALESCE(c.severity, 0), COALESCE(c.remediation, ''), c.refs,
			bh.scanned_at
		FROM baseline_results r
		JOIN hosts h ON h.id = r.host_id
		JOIN baseline_hosts bh ON bh.host_id = r.host_id AND bh.policy = r.policy
		LEFT JOIN baseline_checks c ON c.policy = r.policy AND c.check_id = r.check_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY r.host_id, r.policy, r.check_id LIMIT ?`
	args = append(args, lim)
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BaselineCheckResult
	for rows.Next() {
		var r BaselineCheckResult
		var ev, refs sql.NullString
		var sev int64
		if err := rows.Scan(&r.HostID, &r.Hostname, &r.Policy, &r.Check, &r.Status, &r.Reason, &ev,
			&r.Title, &r.TitleZH, &sev, &r.Remediation, &refs, ts(&r.ScannedAt)); err != nil {
			return nil, err
		}
		r.Severity = model.Severity(sev)
		if ev.Valid {
			if err := json.Unmarshal([]byte(ev.String), &r.Evidence); err != nil {
				return nil, fmt.Errorf("result %s/%s of host %d: evidence: %w", r.Policy, r.Check, r.HostID, err)
			}
		}
		if refs.Valid {
			if err := json.Unmarshal([]byte(refs.String), &r.References); err != nil {
				return nil, fmt.Errorf("check %s/%s references: %w", r.Policy, r.Check, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// passedResults expands the passed lists of the hosts' policies, up to
// lim results in (host, policy, check) order.
func (s *Store) passedResults(ctx context.Context, f BaselineResultFilter, lim int) ([]BaselineCheckResult, error) {
	where := []string{`b.passed IS NOT NULL`}
	var args []any
	if f.HostID != 0 {
		where, args = append(where, `b.host_id = ?`), append(args, f.HostID)
	}
	if f.Policy != "" {
		where, args = append(where, `b.policy = ?`), append(args, f.Policy)
	}
	if f.AfterHostID != 0 || f.AfterPolicy != "" {
		where = append(where, `(b.host_id > ? OR (b.host_id = ? AND b.policy >= ?))`)
		args = append(args, f.AfterHostID, f.AfterHostID, f.AfterPolicy)
	}
	rows, err := s.reader().query(ctx, `SELECT b.host_id, h.hostname, b.policy, b.passed, b.scanned_at
		FROM baseline_hosts b JOIN hosts h ON h.id = b.host_id WHERE `+strings.Join(where, ` AND `)+` ORDER BY b.host_id, b.policy`, args...)
	if err != nil {
		return nil, err
	}
	var out []BaselineCheckResult
	policies := map[string]bool{}
	for rows.Next() && len(out) < lim {
		var hostID int64
		var hostname, policy string
		var passed sql.NullString
		var at time.Time
		if err := rows.Scan(&hostID, &hostname, &policy, &passed, ts(&at)); err != nil {
			rows.Close()
			return nil, err
		}
		ids, err := passedList(passed)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("host %d policy %s: %w", hostID, policy, err)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if (f.Check != "" && id != f.Check) || (hostID == f.AfterHostID && policy == f.AfterPolicy && id <= f.AfterCheck) {
				continue
			}
			policies[policy] = true
			out = append(out, BaselineCheckResult{HostID: hostID, Hostname: hostname, Policy: policy, Check: id, Status: BaselinePass, ScannedAt: at})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Titles and severities from the catalog.
	cat := map[policyCheck]*BaselineCheckResult{}
	for p := range policies {
		crows, err := s.reader().query(ctx, `SELECT check_id, title, title_zh, severity, remediation, refs FROM baseline_checks WHERE policy = ?`, p)
		if err != nil {
			return nil, err
		}
		for crows.Next() {
			var c BaselineCheckResult
			var sev int64
			var refs sql.NullString
			if err := crows.Scan(&c.Check, &c.Title, &c.TitleZH, &sev, &c.Remediation, &refs); err != nil {
				crows.Close()
				return nil, err
			}
			c.Severity = model.Severity(sev)
			if refs.Valid {
				_ = json.Unmarshal([]byte(refs.String), &c.References)
			}
			cat[policyCheck{p, c.Check}] = &c
		}
		crows.Close()
		if err := crows.Err(); err != nil {
			return nil, err
		}
	}
	for i := range out {
		if c := cat[policyCheck{out[i].Policy, out[i].Check}]; c != nil {
			out[i].Title, out[i].TitleZH, out[i].Severity, out[i].Remediation, out[i].References = c.Title, c.TitleZH, c.Severity, c.Remediation, c.References
		}
	}
	return out, nil
}

// BaselineHost is one policy's latest score and counts on one host.
type BaselineHost struct {
	HostID    int64
	Hostname  string
	Policy    string
	Title     string
	Version   string
	Score     float64
	Checks    BaselineCounts
	ScannedAt time.Time
}

// BaselineHostFilter selects host summaries; zero fields do not filter.
type BaselineHostFilter struct {
	HostID int64
	Policy string
	// Labels keeps hosts with all of these labels.
	Labels map[string]string
	// MaxScore keeps hosts scoring below it (0: no filter).
	MaxScore float64
	// After pages forwards by (host, policy).
	AfterHostID int64
	AfterPolicy string
	Limit       int // default 1000
}

// BaselineHosts is the host view: per host and policy the latest score
// and counts, ordered by host and policy.
func (s *Store) BaselineHosts(ctx context.Context, f BaselineHostFilter) ([]BaselineHost, error) {
	var where []string
	var args []any
	add := func(cond string, v ...any) {
		where = append(where, cond)
		args = append(args, v...)
	}
	if f.HostID != 0 {
		add(`b.host_id = ?`, f.HostID)
	}
	if f.Policy != "" {
		add(`b.policy = ?`, f.Policy)
	}
	if f.MaxScore > 0 {
		add(`b.score < ?`, f.MaxScore)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Labels)) {
		add(`b.host_id IN (SELECT host_id FROM host_labels WHERE name = ? AND value = ?)`, k, f.Labels[k])
	}
	if f.AfterHostID != 0 || f.AfterPolicy != "" {
		add(`(b.host_id > ? OR (b.host_id = ? AND b.policy > ?))`, f.AfterHostID, f.AfterHostID, f.AfterPolicy)
	}
	q := `SELECT b.host_id, h.hostname, b.policy, b.title, b.version, b.score, b.n_pass, b.n_fail, b.n_na, b.n_error, b.n_manual, b.scanned_at
		FROM baseline_hosts b JOIN hosts h ON h.id = b.host_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY b.host_id, b.policy LIMIT ?`
	args = append(args, limit(f.Limit))
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("baseline hosts: %w", err)
	}
	defer rows.Close()
	var out []BaselineHost
	for rows.Next() {
		var h BaselineHost
		c := &h.Checks
		if err := rows.Scan(&h.HostID, &h.Hostname, &h.Policy, &h.Title, &h.Version, &h.Score,
			&c.Pass, &c.Fail, &c.NotApplicable, &c.Error, &c.Manual, ts(&h.ScannedAt)); err != nil {
			return nil, fmt.Errorf("baseline hosts: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// BaselineRun is one policy run on a host, for the history.
type BaselineRun struct {
	Policy    string
	ScannedAt time.Time
	Score     float64
	Checks    BaselineCounts
}

// BaselineHistory lists a host's policy runs, newest first (policy ""
// for every policy), at most limit (default 1000).
func (s *Store) BaselineHistory(ctx context.Context, hostID int64, policy string, lim int) ([]BaselineRun, error) {
	q := `SELECT policy, scanned_at, score, n_pass, n_fail, n_na, n_error, n_manual FROM baseline_history WHERE host_id = ?`
	args := []any{hostID}
	if policy != "" {
		q += ` AND policy = ?`
		args = append(args, policy)
	}
	q += ` ORDER BY scanned_at DESC, policy LIMIT ?`
	args = append(args, limit(lim))
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("baseline history of host %d: %w", hostID, err)
	}
	defer rows.Close()
	var out []BaselineRun
	for rows.Next() {
		var r BaselineRun
		c := &r.Checks
		if err := rows.Scan(&r.Policy, ts(&r.ScannedAt), &r.Score, &c.Pass, &c.Fail, &c.NotApplicable, &c.Error, &c.Manual); err != nil {
			return nil, fmt.Errorf("baseline history of host %d: %w", hostID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// BaselinePolicy is a policy as the fleet reported it: on how many hosts,
// with what mean score.
type BaselinePolicy struct {
	Policy    string
	Title     string
	Hosts     int
	MeanScore float64
	LastRun   time.Time
}

// BaselinePolicies lists the policies hosts have results of.
func (s *Store) BaselinePolicies(ctx context.Context) ([]BaselinePolicy, error) {
	rows, err := s.reader().query(ctx, `SELECT policy, MAX(title), COUNT(*), AVG(score), MAX(scanned_at)
		FROM baseline_hosts GROUP BY policy ORDER BY policy`)
	if err != nil {
		return nil, fmt.Errorf("baseline policies: %w", err)
	}
	defer rows.Close()
	var out []BaselinePolicy
	for rows.Next() {
		var p BaselinePolicy
		if err := rows.Scan(&p.Policy, &p.Title, &p.Hosts, &p.MeanScore, ts(&p.LastRun)); err != nil {
			return nil, fmt.Errorf("baseline policies: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
