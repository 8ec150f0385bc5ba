package api

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

const maxNameLen = 100

func (s *server) createAPIToken(w http.ResponseWriter, r *http.Request) error {
	var req wire.CreateAPIToken
	if err := decodeJSON(r, &req, false); err != nil {
		return err
	}
	if req.Name == "" || len(req.Name) > maxNameLen {
		return badRequest("name", "name is required (at most %d bytes): say what the token is for", maxNameLen)
	}
	role := store.Role(req.Role)
	if !role.Valid() {
		return badRequest("role", "role must be admin, operator or viewer, got %q", req.Role)
	}
	var ttl time.Duration
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d <= 0 {
			return badRequest("ttl", "ttl must be a positive duration (e.g. \"720h\"), got %q", req.TTL)
		}
		ttl = d
	}
	owner := req.User
	if owner == "" {
		owner = principal(r).UserName
	}
	u, err := s.store.UserByName(r.Context(), owner)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return badRequest("user", "no user %q (create it with POST /api/v1/users)", owner)
	case err != nil:
		return err
	case !u.DisabledAt.IsZero():
		return badRequest("user", "user %q is disabled", owner)
	case !u.Role.Allows(role):
		return badRequest("role", "role %s is more than user %q has (%s)", role, owner, u.Role)
	}
	secret, t, err := s.store.CreateAPIToken(r.Context(), u.ID, req.Name, role, ttl)
	if err != nil {
		return err
	}
	s.audit(r, auditAPITokenCreate, apiTokenTarget(t.ID), map[string]any{"name": t.Name, "role": t.Role, "user": u.Name,
		"ttl": req.TTL})
	out := apiTokenView(t, u.Name)
	out.Token = secret
	return writeJSON(w, http.StatusCreated, out)
}

func (s *server) listAPITokens(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	only := r.URL.Query().Get("user")
	out := wire.List[wire.APIToken]{Items: []wire.APIToken{}}
	for _, u := range users {
		if only != "" && u.Name != only {
			continue
		}
		tokens, err := s.store.APITokens(r.Context(), u.ID)
		if err != nil {
			return err
		}
		for _, t := range tokens {
			out.Items = append(out.Items, apiTokenView(t, u.Name))
		}
	}
	slices.SortFunc(out.Items, func(a, b wire.APIToken) int { return cmp.Compare(b.ID, a.ID) })
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) revokeAPIToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.store.RevokeAPIToken(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no API token with id %d", id)
	}
	if err != nil {
		return err
	}
	s.audit(r, auditAPITokenRevoke, apiTokenTarget(id), nil)
	return noContent(w)
}

func apiTokenTarget(id int64) string { return "api_token:" + strconv.FormatInt(id, 10) }

func apiTokenView(t store.APIToken, user string) wire.APIToken {
	return wire.APIToken{ID: t.ID, Name: t.Name, Role: string(t.Role), User: user, UserID: t.UserID,
		CreatedAt: wire.Time(t.CreatedAt), ExpiresAt: wire.Time(t.ExpiresAt), LastUsedAt: wire.Time(t.LastUsedAt),
		RevokedAt: wire.Time(t.RevokedAt)}
}
