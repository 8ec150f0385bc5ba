package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AuditEntry records who did what to what.
type AuditEntry struct {
	ID     int64
	At     time.Time // set by AppendAudit when zero
	Actor  string    // user name, "agent:<id>", "system"
	Action string    // "token.create", "host.delete", "task.create"...
	Target string
	// Details is a JSON document (nil: none).
	Details json.RawMessage
}

// AppendAudit adds an entry and returns it with its id and time.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if e.Actor == "" || e.Action == "" {
		return AuditEntry{}, fmt.Errorf("append audit: need actor and action")
	}
	if e.At.IsZero() {
		e.At = s.clock()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if len(e.Details) > 0 && !json.Valid(e.Details) {
		return AuditEntry{}, fmt.Errorf("append audit %s: details are not valid JSON", e.Action)
	}
	err := s.writer().queryRow(ctx, `
		INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		e.At, e.Actor, e.Action, e.Target, nullString(string(e.Details))).Scan(&e.ID)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("append audit %s: %w", e.Action, err)
	}
	return e, nil
}

// AuditFilter selects audit entries; zero fields do not filter.
type AuditFilter struct {
	Actor        string
	Action       string
	Target       string
	Since, Until time.Time // Since ≤ at < Until
	// BeforeID pages backwards: entries with a smaller id.
	BeforeID int64
	Limit    int // default 1000
}

// Audit lists entries, newest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.Actor != "" {
		add(`actor = ?`, f.Actor)
	}
	if f.Action != "" {
		add(`action = ?`, f.Action)
	}
	if f.Target != "" {
		add(`target = ?`, f.Target)
	}
	if !f.Since.IsZero() {
		add(`at >= ?`, f.Since)
	}
	if !f.Until.IsZero() {
		add(`at < ?`, f.Until)
	}
	if f.BeforeID > 0 {
		add(`id < ?`, f.BeforeID)
	}
	q := `SELECT id, at, actor, action, target, details FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var details sql.NullString
		if err := rows.Scan(&e.ID, ts(&e.At), &e.Actor, &e.Action, &e.Target, &details); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		if details.Valid {
			e.Details = json.RawMessage(details.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
