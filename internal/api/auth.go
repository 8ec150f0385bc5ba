package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

// authenticate verifies the request's bearer token. A missing, unknown,
// expired or revoked token is a 401; why exactly is only logged, so a
// caller cannot probe which tokens exist.
func (s *server) authenticate(r *http.Request) (store.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return store.Principal{}, &Error{Status: http.StatusUnauthorized, Msg: "missing Authorization: Bearer <API token> header"}
	}
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return store.Principal{}, &Error{Status: http.StatusUnauthorized, Msg: "Authorization header must be \"Bearer <API token>\""}
	}
	p, err := s.store.VerifyAPIToken(r.Context(), token)
	if errors.Is(err, store.ErrTokenInvalid) {
		s.log.Info("api: rejected API token", "remote", r.RemoteAddr, "path", r.URL.Path, "why", err)
		return store.Principal{}, &Error{Status: http.StatusUnauthorized, Msg: "invalid, expired or revoked API token"}
	}
	if err != nil {
		return store.Principal{}, err
	}
	return p, nil
}

// authorize checks the principal's role includes need.
func authorize(p store.Principal, need store.Role) error {
	if p.Role.Allows(need) {
		return nil
	}
	return &Error{Status: http.StatusForbidden, Msg: "this needs the " + string(need) + " role; your token has " + string(p.Role)}
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p store.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principal is the authenticated caller (zero on public routes).
func principal(r *http.Request) store.Principal {
	p, _ := r.Context().Value(principalKey{}).(store.Principal)
	return p
}

func (s *server) whoami(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	return writeJSON(w, http.StatusOK, wire.Whoami{User: p.UserName, Role: string(p.Role), TokenID: p.TokenID})
}
