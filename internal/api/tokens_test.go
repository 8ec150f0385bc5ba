package api

import (
	"context"
	"fmt"
	"github.com/ward-sec/ward/internal/enroll"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

func TestEnrollmentTokens(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var tok wire.EnrollmentToken
		e.call(t, "POST", "/api/v1/enrollment-tokens", store.RoleOperator,
			map[string]any{"ttl": "2h", "max_uses": 3, "labels": map[string]string{"env": "prod"}, "description": "rack 4"}, 201, &tok)
		prefix := "ward1." + testCAFingerprint + "."
		if !strings.HasPrefix(tok.Token, prefix) || tok.MaxUses != 3 || tok.Status != "active" || tok.Labels["env"] != "prod" {
			t.Fatalf("token %+v", tok)
		}
		if d := tok.ExpiresAt.Sub(*tok.CreatedAt); d != 2*time.Hour {
			t.Fatalf("expires after %s", d)
		}
		// It parses as an enrollment token and its secret is the one the store accepts.
		parsed, err := enroll.ParseToken(tok.Token)
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		if _, err := e.st.ConsumeEnrollmentTokenHash(ctx, parsed.SecretHash()); err != nil {
			t.Fatalf("consume: %v", err)
		}

		// Defaults: one use, 24 hours.
		var def wire.EnrollmentToken
		e.call(t, "POST", "/api/v1/enrollment-tokens", store.RoleOperator, nil, 201, &def)
		if def.MaxUses != 1 || def.ExpiresAt.Sub(*def.CreatedAt) != 24*time.Hour {
			t.Fatalf("defaults %+v", def)
		}

		// The list has no secrets and counts uses.
		var list wire.List[wire.EnrollmentToken]
		body := e.call(t, "GET", "/api/v1/enrollment-tokens", store.RoleOperator, nil, 200, &list)
		if strings.Contains(string(body), "ward_et_") || len(list.Items) != 2 || list.Items[1].Uses != 1 {
			t.Fatalf("list %s", body)
		}

		e.call(t, "DELETE", fmt.Sprintf("/api/v1/enrollment-tokens/%d", tok.ID), store.RoleOperator, nil, 204, nil)
		e.call(t, "GET", "/api/v1/enrollment-tokens", store.RoleOperator, nil, 200, &list)
		if list.Items[1].Status != "revoked" || list.Items[1].RevokedAt == nil {
			t.Fatalf("after revoke %+v", list.Items[1])
		}
		if _, err := e.st.ConsumeEnrollmentToken(ctx, strings.TrimPrefix(tok.Token, prefix)); err == nil {
			t.Fatal("revoked token consumed")
		}
		e.call(t, "DELETE", "/api/v1/enrollment-tokens/999", store.RoleOperator, nil, 404, nil)

		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"ttl": "forever"}, "ttl"},
			{map[string]any{"ttl": "-1h"}, "ttl"},
			{map[string]any{"ttl": "10000h"}, "ttl"},
			{map[string]any{"max_uses": -1}, "max_uses"},
			{map[string]any{"labels": map[string]string{"": "x"}}, "labels"},
			{map[string]any{"secret": "x"}, "secret"},
		} {
			code, body, _ := e.request(t, "POST", "/api/v1/enrollment-tokens", store.RoleOperator, tc.body)
			if _, field := apiError(t, body); code != 400 || field != tc.field {
				t.Errorf("%v: %d %s, want 400 naming %s", tc.body, code, body, tc.field)
			}
		}
	})
}

func TestEnrollmentTokenNeedsCAFingerprint(t *testing.T) {
	e := newEnv(t, backends()[0], func(o *Options) { o.CAFingerprint = "" })
	code, body, _ := e.request(t, "POST", "/api/v1/enrollment-tokens", store.RoleOperator, nil)
	if code != 500 || strings.Contains(string(body), "CAFingerprint") {
		t.Fatalf("%d %s", code, body)
	}
	if toks, _ := e.st.EnrollmentTokens(context.Background()); len(toks) != 0 {
		t.Fatal("a token was created without a CA fingerprint")
	}
}

func TestAPITokensAndUsers(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var u wire.User
		e.call(t, "POST", "/api/v1/users", store.RoleAdmin, map[string]string{"name": "ci", "role": "operator"}, 201, &u)
		if u.Name != "ci" || u.Role != "operator" {
			t.Fatalf("user %+v", u)
		}
		code, body, _ := e.request(t, "POST", "/api/v1/users", store.RoleAdmin, map[string]string{"name": "ci", "role": "viewer"})
		if _, field := apiError(t, body); code != 409 || field != "name" {
			t.Fatalf("duplicate user: %d %s", code, body)
		}

		var tok wire.APIToken
		e.call(t, "POST", "/api/v1/api-tokens", store.RoleAdmin, map[string]string{"name": "pipeline", "role": "viewer", "user": "ci", "ttl": "720h"}, 201, &tok)
		if !strings.HasPrefix(tok.Token, "ward_at_") || tok.User != "ci" || tok.Role != "viewer" || tok.ExpiresAt == nil {
			t.Fatalf("token %+v", tok)
		}
		e.tokens["ci"] = tok.Token
		var who wire.Whoami
		e.call(t, "GET", "/api/v1/whoami", "ci", nil, 200, &who)
		if who.User != "ci" || who.Role != "viewer" || who.TokenID != tok.ID {
			t.Fatalf("whoami %+v", who)
		}
		// Default owner: the caller.
		var own wire.APIToken
		e.call(t, "POST", "/api/v1/api-tokens", store.RoleAdmin, map[string]string{"name": "mine", "role": "admin"}, 201, &own)
		if own.User != "admin-user" {
			t.Fatalf("default owner %+v", own)
		}

		for _, tc := range []struct {
			body  map[string]string
			field string
		}{
			{map[string]string{"name": "x", "role": "admin", "user": "ci"}, "role"}, // above the user's
			{map[string]string{"name": "x", "role": "root"}, "role"},
			{map[string]string{"role": "viewer"}, "name"},
			{map[string]string{"name": "x", "role": "viewer", "user": "nobody"}, "user"},
			{map[string]string{"name": "x", "role": "viewer", "ttl": "0s"}, "ttl"},
		} {
			code, body, _ := e.request(t, "POST", "/api/v1/api-tokens", store.RoleAdmin, tc.body)
			if _, field := apiError(t, body); code != 400 || field != tc.field {
				t.Errorf("%v: %d %s, want 400 naming %s", tc.body, code, body, tc.field)
			}
		}

		var list wire.List[wire.APIToken]
		body = e.call(t, "GET", "/api/v1/api-tokens", store.RoleAdmin, nil, 200, &list)
		if len(list.Items) != 5 || list.Items[0].ID != own.ID || strings.Contains(string(body), "ward_at_") {
			t.Fatalf("token list %s", body)
		}
		e.call(t, "GET", "/api/v1/api-tokens?user=ci", store.RoleAdmin, nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].Name != "pipeline" {
			t.Fatalf("ci's tokens %+v", list)
		}

		e.call(t, "DELETE", fmt.Sprintf("/api/v1/api-tokens/%d", tok.ID), store.RoleAdmin, nil, 204, nil)
		e.call(t, "GET", "/api/v1/whoami", "ci", nil, 401, nil)
		e.call(t, "DELETE", "/api/v1/api-tokens/999", store.RoleAdmin, nil, 404, nil)

		var users wire.List[wire.User]
		e.call(t, "GET", "/api/v1/users", store.RoleAdmin, nil, 200, &users)
		if len(users.Items) != 4 {
			t.Fatalf("users %+v", users)
		}
		e.call(t, "POST", fmt.Sprintf("/api/v1/users/%d/disable", e.users[store.RoleViewer].ID), store.RoleAdmin, nil, 204, nil)
		e.call(t, "GET", "/api/v1/hosts", store.RoleViewer, nil, 401, nil)
		e.call(t, "POST", fmt.Sprintf("/api/v1/users/%d/disable", e.users[store.RoleAdmin].ID), store.RoleAdmin, nil, 400, nil)
		e.call(t, "POST", "/api/v1/users/999/disable", store.RoleAdmin, nil, 404, nil)
	})
}

func TestRevokeAgent(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a1, err := e.st.CreateAgent(ctx, store.NewAgent{HostID: e.hosts["web-1"], CredentialID: "agt_aaaaaaaaaaaaaaaaaaaaaaaaaa"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateAgent(ctx, store.NewAgent{HostID: e.hosts["web-2"], CredentialID: "agt_bbbbbbbbbbbbbbbbbbbbbbbbbb"}); err != nil {
			t.Fatal(err)
		}
		var got wire.Agent
		e.call(t, "POST", fmt.Sprintf("/api/v1/agents/%d/revoke", a1.ID), store.RoleAdmin, nil, 200, &got)
		if got.RevokedAt == nil || got.CredentialID != a1.CredentialID {
			t.Fatalf("revoked %+v", got)
		}
		// By credential id too, and again (idempotent).
		e.call(t, "POST", "/api/v1/agents/agt_bbbbbbbbbbbbbbbbbbbbbbbbbb/revoke", store.RoleAdmin, nil, 200, &got)
		e.call(t, "POST", "/api/v1/agents/agt_bbbbbbbbbbbbbbbbbbbbbbbbbb/revoke", store.RoleAdmin, nil, 200, &got)
		e.mu.Lock()
		revoked := fmt.Sprint(e.revoked)
		e.mu.Unlock()
		if revoked != "[agt_aaaaaaaaaaaaaaaaaaaaaaaaaa agt_bbbbbbbbbbbbbbbbbbbbbbbbbb agt_bbbbbbbbbbbbbbbbbbbbbbbbbb]" {
			t.Fatalf("OnRevoke calls %s", revoked)
		}
		h, _ := e.st.Host(ctx, e.hosts["web-1"])
		if h.AgentStatus != store.AgentRevoked {
			t.Fatalf("host agent status %s", h.AgentStatus)
		}
		e.call(t, "POST", "/api/v1/agents/999/revoke", store.RoleAdmin, nil, 404, nil)
		e.call(t, "POST", "/api/v1/agents/agt_nobody/revoke", store.RoleAdmin, nil, 404, nil)
	})
}
