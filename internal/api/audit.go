package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

// Audit actions written by the API.
const (
	auditTaskCreate        = "task.create"
	auditFindingSuppress   = "finding.suppress"
	auditFindingUnsuppress = "finding.unsuppress"
	auditEnrollTokenCreate = "enrollment_token.create"
	auditEnrollTokenRevoke = "enrollment_token.revoke"
	auditAPITokenCreate    = "api_token.create"
	auditAPITokenRevoke    = "api_token.revoke"
	auditUserCreate        = "user.create"
	auditUserDisable       = "user.disable"
	auditAgentRevoke       = "agent.revoke"
)

// audit records a change the caller made. details must hold no secrets;
// the id of the API token used is added to them.
//
// It runs after the change: the store has no transaction spanning both,
// and the change has happened whatever the log says. A failure to record
// it is logged with everything the entry would have held, and the call
// still succeeds: withholding, say, a token secret just created would
// help nobody.
func (s *server) audit(r *http.Request, action, target string, details map[string]any) {
	p := principal(r)
	if details == nil {
		details = map[string]any{}
	}
	details["token_id"] = p.TokenID
	b, err := json.Marshal(details)
	if err == nil {
		// The change is made; record it even if the client has gone.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		defer cancel()
		_, err = s.store.AppendAudit(ctx, store.AuditEntry{Actor: p.UserName, Action: action, Target: target, Details: b})
	}
	if err != nil {
		s.log.Error("api: could not write audit entry", "actor", p.UserName, "action", action, "target", target,
			"details", string(b), "err", err)
	}
}

func (s *server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, err := pageLimit(q)
	if err != nil {
		return err
	}
	f := store.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Target: q.Get("target"), Limit: lim + 1}
	if f.Since, err = s.timeParam(q.Get("since"), "since"); err != nil {
		return err
	}
	if f.Until, err = s.timeParam(q.Get("until"), "until"); err != nil {
		return err
	}
	if c := q.Get("cursor"); c != "" {
		// Entries come newest first; the cursor is the last id seen.
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil || id <= 0 {
			return badRequest("cursor", "invalid cursor %q", c)
		}
		f.BeforeID = id
	}
	entries, err := s.store.Audit(r.Context(), f)
	if err != nil {
		return err
	}
	next := func(last store.AuditEntry) string { return strconv.FormatInt(last.ID, 10) }
	return writeJSON(w, http.StatusOK, listPage(entries, lim, auditView, next))
}

func auditView(e store.AuditEntry) wire.AuditEntry {
	return wire.AuditEntry{ID: e.ID, At: wire.Time(e.At), Actor: e.Actor, Action: e.Action, Target: e.Target, Details: e.Details}
}

// timeParam reads an RFC 3339 time, or a duration meaning that long ago
// ("24h"); empty is the zero time.
func (s *server) timeParam(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return s.now().Add(-d), nil
	}
	return time.Time{}, badRequest(name, "%s: want an RFC 3339 time or a duration ago like 24h, got %q", name, v)
}
