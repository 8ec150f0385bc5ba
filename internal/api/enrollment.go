package api

import (
	"errors"
	"github.com/ward-sec/ward/internal/enroll"
	"net/http"
	"strconv"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

// Bounds of enrollment tokens: short-lived, few uses, by default one host.
const (
	defaultEnrollTTL = 24 * time.Hour
	maxEnrollTTL     = 365 * 24 * time.Hour
	maxEnrollUses    = 100000
	maxDescription   = 200
)

func (s *server) createEnrollmentToken(w http.ResponseWriter, r *http.Request) error {
	var req wire.CreateEnrollmentToken
	if err := decodeJSON(r, &req, true); err != nil {
		return err
	}
	ttl := defaultEnrollTTL
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d <= 0 || d > maxEnrollTTL {
			return badRequest("ttl", "ttl must be a duration from 1s to %s (e.g. \"24h\"), got %q", maxEnrollTTL, req.TTL)
		}
		ttl = d
	}
	uses := req.MaxUses
	switch {
	case uses == 0:
		uses = 1
	case uses < 0 || uses > maxEnrollUses:
		return badRequest("max_uses", "max_uses must be from 1 to %d, got %d", maxEnrollUses, uses)
	}
	if len(req.Description) > maxDescription {
		return badRequest("description", "description must be at most %d bytes", maxDescription)
	}
	if err := checkLabels("labels", req.Labels); err != nil {
		return err
	}
	if s.opts.CAFingerprint == "" {
		// Without it the token would be useless to an agent.
		return errors.New("api: Options.CAFingerprint is not set; cannot issue enrollment tokens")
	}
	p := principal(r)
	// The token text carries the CA fingerprint, so the agent pins this
	// server before it sends the secret; the store keeps only the hash.
	text, hash, err := enroll.NewToken(s.opts.CAFingerprint)
	if err != nil {
		return err
	}
	t, err := s.store.CreateEnrollmentTokenHash(r.Context(), hash, store.NewEnrollmentToken{Description: req.Description,
		Labels: req.Labels, MaxUses: uses, TTL: ttl, CreatedBy: p.UserName})
	if err != nil {
		return err
	}
	s.audit(r, auditEnrollTokenCreate, enrollTarget(t.ID), map[string]any{"ttl": ttl.String(), "max_uses": uses,
		"labels": req.Labels, "description": req.Description})
	out := s.enrollView(t)
	out.Token = text
	return writeJSON(w, http.StatusCreated, out)
}

func (s *server) listEnrollmentTokens(w http.ResponseWriter, r *http.Request) error {
	tokens, err := s.store.EnrollmentTokens(r.Context())
	if err != nil {
		return err
	}
	// Few enough to list whole: tokens are made by hand.
	out := wire.List[wire.EnrollmentToken]{Items: []wire.EnrollmentToken{}}
	for _, t := range tokens {
		out.Items = append(out.Items, s.enrollView(t))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) revokeEnrollmentToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.store.RevokeEnrollmentToken(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no enrollment token with id %d", id)
	}
	if err != nil {
		return err
	}
	s.audit(r, auditEnrollTokenRevoke, enrollTarget(id), nil)
	return noContent(w)
}

func enrollTarget(id int64) string { return "enrollment_token:" + strconv.FormatInt(id, 10) }

func (s *server) enrollView(t store.EnrollmentToken) wire.EnrollmentToken {
	status := "active"
	switch {
	case !t.RevokedAt.IsZero():
		status = "revoked"
	case t.Uses >= t.MaxUses:
		status = "used-up"
	case !t.ExpiresAt.After(s.now()):
		status = "expired"
	}
	return wire.EnrollmentToken{ID: t.ID, Description: t.Description, Labels: t.Labels, MaxUses: t.MaxUses, Uses: t.Uses,
		Status: status, ExpiresAt: wire.Time(t.ExpiresAt), CreatedBy: t.CreatedBy, CreatedAt: wire.Time(t.CreatedAt),
		RevokedAt: wire.Time(t.RevokedAt)}
}
