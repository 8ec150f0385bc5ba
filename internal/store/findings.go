package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// FindingStatus is the lifecycle state of a stored finding.
type FindingStatus string

const (
	// FindingOpen: reported by the latest result of its scope.
	FindingOpen FindingStatus = "open"
	// FindingResolved: absent from a later result of its scope.
	FindingResolved FindingStatus = "resolved"
	// FindingSuppressed: accepted by a person; stays so whatever scans say.
	FindingSuppressed FindingStatus = "suppressed"
)

// FindingRecord is a stored finding of a host.
type FindingRecord struct {
	HostID     int64
	Finding    model.Finding
	Scope      string
	Status     FindingStatus
	FirstSeen  time.Time
	LastSeen   time.Time
	ResolvedAt time.Time // zero unless resolved
}

// findingDetail is the part of a finding kept as one JSON column. Every
// field of model.Finding is either a column or here (a test checks).
type findingDetail struct {
	Description string            `json:"description,omitempty"`
	Evidence    []string          `json:"evidence,omitempty"`
	Remediation string            `json:"remediation,omitempty"`
	References  []model.Reference `json:"references,omitempty"`
}

func detailOf(f *model.Finding) (string, error) {
	d := findingDetail{Description: f.Description, Evidence: f.Evidence, Remediation: f.Remediation, References: f.References}
	if d.Description == "" && len(d.Evidence) == 0 && d.Remediation == "" && len(d.References) == 0 {
		return "", nil
	}
	b, err := json.Marshal(&d)
	return string(b), err
}

// findingRow is one finding ready to upsert.
type findingRow struct {
	hostID int64
	scope  string
	f      *model.Finding
	detail string
}

type hostScope struct {
	host  int64
	scope string
}

type hostFinding struct {
	host int64
	id   string
}

// findingsGroup collects findings messages applied together: one upsert
// for all their findings and one statement resolving what they no longer
// report. Two messages of the same host and scope (or touching the same
// finding) never share a group, so message order is kept.
type findingsGroup struct {
	pairs []hostScope
	seen  map[hostScope]bool
	keys  map[hostFinding]bool
	rows  []findingRow
}

func newFindingsGroup() *findingsGroup {
	return &findingsGroup{seen: map[hostScope]bool{}, keys: map[hostFinding]bool{}}
}

// prepare dedups a message's findings (last wins) and fills empty ids.
func prepareFindings(hostID int64, scope string, fs []model.Finding) ([]findingRow, error) {
	idx := make(map[string]int, len(fs))
	out := make([]findingRow, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		if f.ID == "" {
			g := *f
			g.ID = model.FindingID(f.Rule, f.Asset)
			f = &g
		}
		switch {
		case len(f.ID) > maxKeyLen || len(f.Rule) > maxKeyLen || len(f.Kind) > maxKeyLen:
			return nil, fmt.Errorf("finding %.64q: id, rule or kind longer than %d bytes", f.ID, maxKeyLen)
		case f.Severity < model.SevInfo || f.Severity > model.SevCritical:
			return nil, fmt.Errorf("finding %s: severity %d out of range", f.ID, int(f.Severity))
		}
		d, err := detailOf(f)
		if err != nil {
			return nil, fmt.Errorf("finding %s: %w", f.ID, err)
		}
		r := findingRow{hostID: hostID, scope: scope, f: f, detail: d}
		if j, ok := idx[f.ID]; ok {
			out[j] = r
			continue
		}
		idx[f.ID] = len(out)
		out = append(out, r)
	}
	return out, nil
}

// fits reports whether a message's findings can join the group.
func (g *findingsGroup) fits(hs hostScope, rows []findingRow) bool {
	if g.seen[hs] {
		return false
	}
	for _, r := range rows {
		if g.keys[hostFinding{r.hostID, r.f.ID}] {
			return false
		}
	}
	return true
}

func (g *findingsGroup) add(hs hostScope, rows []findingRow) {
	g.seen[hs] = true
	g.pairs = append(g.pairs, hs)
	for _, r := range rows {
		g.keys[hostFinding{r.hostID, r.f.ID}] = true
	}
	g.rows = append(g.rows, rows...)
}

func (g *findingsGroup) empty() bool { return len(g.pairs) == 0 }

var findingsInsert = bulkInsert{
	table: "findings",
	cols: []bulkCol{
		{"host_id", colInt}, {"finding_id", colText}, {"scope", colText}, {"kind", colText}, {"rule", colText},
		{"severity", colInt}, {"title", colText}, {"asset_type", colText}, {"asset_id", colText}, {"asset_path", colText},
		{"detail", colJSON}, {"status", colText}, {"first_seen", colTime}, {"last_seen", colTime}, {"seen_token", colInt},
	},
	// Seen again: refresh, reopen if resolved, keep a suppression.
	suffix: `ON CONFLICT (host_id, finding_id) DO UPDATE SET
		scope = excluded.scope, kind = excluded.kind, rule = excluded.rule, severity = excluded.severity,
		title = excluded.title, asset_type = excluded.asset_type, asset_id = excluded.asset_id,
		asset_path = excluded.asset_path, detail = excluded.detail,
		last_seen = excluded.last_seen, seen_token = excluded.seen_token,
		status = CASE WHEN findings.status = 'suppressed' THEN 'suppressed' ELSE 'open' END,
		resolved_at = CASE WHEN findings.status = 'suppressed' THEN findings.resolved_at ELSE NULL END`,
}

// flush writes the group: upsert every finding with a fresh token, then
// resolve the open findings of the group's (host, scope) pairs that did not
// get it.
func (g *findingsGroup) flush(ctx context.Context, tx db, now time.Time) error {
	if g.empty() {
		return nil
	}
	token := rand.Int64()
	rows := g.rows
	err := tx.bulk(ctx, findingsInsert, len(rows), func(i int, dst []any) []any {
		r := &rows[i]
		f := r.f
		return append(dst, r.hostID, f.ID, r.scope, string(f.Kind), f.Rule, int64(f.Severity), f.Title,
			f.Asset.Type, f.Asset.ID, f.Asset.Path, r.detail, string(FindingOpen), now, now, token)
	}, nil)
	if err != nil {
		return fmt.Errorf("upsert findings: %w", err)
	}
	cols := []bulkCol{{"host_id", colInt}, {"scope", colText}}
	per := tx.d.tupleChunk(len(cols))
	for lo := 0; lo < len(g.pairs); lo += per {
		hi := min(lo+per, len(g.pairs))
		set, args := tx.d.tupleSet(cols, lo, hi, func(i int, dst []any) []any {
			return append(dst, g.pairs[i].host, g.pairs[i].scope)
		})
		_, err := tx.exec(ctx, `
			UPDATE findings SET status = 'resolved', resolved_at = ?
			WHERE status = 'open' AND seen_token <> ? AND (host_id, scope) IN `+set,
			append([]any{now, token}, args...)...)
		if err != nil {
			return fmt.Errorf("resolve findings: %w", err)
		}
	}
	*g = *newFindingsGroup()
	return nil
}

// FindingFilter selects findings; zero fields do not filter.
type FindingFilter struct {
	HostID      int64
	Kind        model.Kind
	Rule        string
	Scope       string
	MinSeverity model.Severity // findings of at least this severity
	Status      FindingStatus
	// After pages forwards: findings after this (host, finding id).
	AfterHostID    int64
	AfterFindingID string
	Limit          int // default 1000
}

const findingCols = `host_id, finding_id, scope, kind, rule, severity, title, asset_type, asset_id, asset_path,
	detail, status, first_seen, last_seen, resolved_at`

// Findings lists findings ordered by host and finding id.
func (s *Store) Findings(ctx context.Context, f FindingFilter) ([]FindingRecord, error) {
	var where []string
	var args []any
	add := func(cond string, v ...any) {
		where = append(where, cond)
		args = append(args, v...)
	}
	if f.HostID != 0 {
		add(`host_id = ?`, f.HostID)
	}
	if f.Kind != "" {
		add(`kind = ?`, string(f.Kind))
	}
	if f.Rule != "" {
		add(`rule = ?`, f.Rule)
	}
	if f.Scope != "" {
		add(`scope = ?`, f.Scope)
	}
	if f.MinSeverity > model.SevInfo {
		add(`severity >= ?`, int64(f.MinSeverity))
	}
	if f.Status != "" {
		add(`status = ?`, string(f.Status))
	}
	if f.AfterHostID != 0 || f.AfterFindingID != "" {
		add(`(host_id > ? OR (host_id = ? AND finding_id > ?))`, f.AfterHostID, f.AfterHostID, f.AfterFindingID)
	}
	q := `SELECT ` + findingCols + ` FROM findings`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY host_id, finding_id LIMIT ?`
	args = append(args, limit(f.Limit))
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	defer rows.Close()
	var out []FindingRecord
	for rows.Next() {
		r, err := scanFinding(rows)
		if err != nil {
			return nil, fmt.Errorf("list findings: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanFinding(sc interface{ Scan(...any) error }) (FindingRecord, error) {
	var r FindingRecord
	var kind string
	var sev int64
	var detail sql.NullString
	f := &r.Finding
	err := sc.Scan(&r.HostID, &f.ID, &r.Scope, &kind, &f.Rule, &sev, &f.Title, &f.Asset.Type, &f.Asset.ID, &f.Asset.Path,
		&detail, &r.Status, ts(&r.FirstSeen), ts(&r.LastSeen), ts(&r.ResolvedAt))
	if err != nil {
		return r, err
	}
	f.Kind, f.Severity = model.Kind(kind), model.Severity(sev)
	if detail.Valid {
		var d findingDetail
		if err := json.Unmarshal([]byte(detail.String), &d); err != nil {
			return r, fmt.Errorf("finding %s detail: %w", f.ID, err)
		}
		f.Description, f.Evidence, f.Remediation, f.References = d.Description, d.Evidence, d.Remediation, d.References
	}
	return r, nil
}

// Finding returns one finding of a host.
func (s *Store) Finding(ctx context.Context, hostID int64, findingID string) (FindingRecord, error) {
	r, err := scanFinding(s.reader().queryRow(ctx, `SELECT `+findingCols+` FROM findings WHERE host_id = ? AND finding_id = ?`, hostID, findingID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("finding %s of host %d: %w", findingID, hostID, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("finding %s of host %d: %w", findingID, hostID, err)
	}
	return r, nil
}

// SuppressFinding marks a finding suppressed (suppress true) or opens it
// again (false; the next result of its scope resolves it if it is gone).
func (s *Store) SuppressFinding(ctx context.Context, hostID int64, findingID string, suppress bool) error {
	q := `UPDATE findings SET status = 'suppressed' WHERE host_id = ? AND finding_id = ?`
	if !suppress {
		q = `UPDATE findings SET status = 'open', resolved_at = NULL WHERE host_id = ? AND finding_id = ? AND status = 'suppressed'`
	}
	res, err := s.writer().exec(ctx, q, hostID, findingID)
	if err != nil {
		return fmt.Errorf("suppress finding %s of host %d: %w", findingID, hostID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 && suppress {
		return fmt.Errorf("suppress finding %s of host %d: %w", findingID, hostID, ErrNotFound)
	}
	return nil
}

// FindingCount is the number of findings per severity.
type FindingCount map[model.Severity]int

// CountOpenFindings counts open findings per severity (hostID 0: fleet).
func (s *Store) CountOpenFindings(ctx context.Context, hostID int64) (FindingCount, error) {
	q := `SELECT severity, COUNT(*) FROM findings WHERE status = 'open'`
	var args []any
	if hostID != 0 {
		q += ` AND host_id = ?`
		args = append(args, hostID)
	}
	rows, err := s.reader().query(ctx, q+` GROUP BY severity`, args...)
	if err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	defer rows.Close()
	out := FindingCount{}
	for rows.Next() {
		var sev int64
		var n int
		if err := rows.Scan(&sev, &n); err != nil {
			return nil, fmt.Errorf("count findings: %w", err)
		}
		out[model.Severity(sev)] = n
	}
	return out, rows.Err()
}
