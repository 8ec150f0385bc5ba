package api

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
)

func (s *server) listFindings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, err := pageLimit(q)
	if err != nil {
		return err
	}
	f := store.FindingFilter{Kind: model.Kind(q.Get("kind")), Rule: q.Get("rule"), Scope: q.Get("scope"), Limit: lim + 1}
	if v := q.Get("severity"); v != "" {
		if f.MinSeverity, err = model.ParseSeverity(v); err != nil {
			return badRequest("severity", "%v", err)
		}
	}
	if v := q.Get("host"); v != "" {
		if f.HostID, err = strconv.ParseInt(v, 10, 64); err != nil || f.HostID <= 0 {
			return badRequest("host", "host must be a host id, got %q", v)
		}
	}
	switch st := store.FindingStatus(q.Get("status")); st {
	case "", store.FindingOpen, store.FindingResolved, store.FindingSuppressed:
		f.Status = st
	default:
		return badRequest("status", "status must be open, resolved or suppressed, got %q", st)
	}
	if c := q.Get("cursor"); c != "" {
		if f.AfterHostID, f.AfterFindingID, err = decodeFindingCursor(c); err != nil {
			return err
		}
	}
	recs, err := s.store.Findings(r.Context(), f)
	if err != nil {
		return err
	}
	next := func(last store.FindingRecord) string { return encodeFindingCursor(last.HostID, last.Finding.ID) }
	return writeJSON(w, http.StatusOK, listPage(recs, lim, findingView, next))
}

// Findings page by (host, finding id); the cursor carries both, opaque.
func encodeFindingCursor(hostID int64, findingID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(hostID, 10) + ":" + findingID))
}

func decodeFindingCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		host, id, ok := strings.Cut(string(b), ":")
		n, err := strconv.ParseInt(host, 10, 64)
		if ok && err == nil && n > 0 {
			return n, id, nil
		}
	}
	return 0, "", badRequest("cursor", "invalid cursor %q", c)
}

func (s *server) suppressFinding(w http.ResponseWriter, r *http.Request) error {
	var req wire.SuppressFinding
	if err := decodeJSON(r, &req, true); err != nil {
		return err
	}
	return s.setSuppressed(w, r, true, req.Reason)
}

func (s *server) unsuppressFinding(w http.ResponseWriter, r *http.Request) error {
	return s.setSuppressed(w, r, false, "")
}

func (s *server) setSuppressed(w http.ResponseWriter, r *http.Request, suppress bool, reason string) error {
	hostID, err := pathID(r, "host")
	if err != nil {
		return err
	}
	findingID := r.PathValue("id")
	if _, err := s.finding(r, hostID, findingID); err != nil {
		return err
	}
	if err := s.store.SuppressFinding(r.Context(), hostID, findingID, suppress); err != nil {
		return err
	}
	rec, err := s.finding(r, hostID, findingID)
	if err != nil {
		return err
	}
	action, details := auditFindingUnsuppress, map[string]any{"rule": rec.Finding.Rule}
	if suppress {
		action, details["reason"] = auditFindingSuppress, reason
	}
	s.audit(r, action, "host:"+strconv.FormatInt(hostID, 10)+"/finding:"+findingID, details)
	return writeJSON(w, http.StatusOK, findingView(rec))
}

// finding loads a finding, answering 404 for an unknown one.
func (s *server) finding(r *http.Request, hostID int64, findingID string) (store.FindingRecord, error) {
	rec, err := s.store.Finding(r.Context(), hostID, findingID)
	if errors.Is(err, store.ErrNotFound) {
		return rec, notFound("host %d has no finding %q", hostID, findingID)
	}
	return rec, err
}

func findingView(rec store.FindingRecord) wire.Finding {
	return wire.Finding{HostID: rec.HostID, Finding: rec.Finding, Scope: rec.Scope, Status: string(rec.Status),
		FirstSeen: wire.Time(rec.FirstSeen), LastSeen: wire.Time(rec.LastSeen), ResolvedAt: wire.Time(rec.ResolvedAt)}
}
