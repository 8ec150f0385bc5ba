package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/store"
)

func TestAuthMatrix(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// A revoked token of an admin.
		revoked, tok, err := e.st.CreateAPIToken(ctx, e.users[store.RoleAdmin].ID, "old", store.RoleAdmin, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.RevokeAPIToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		task := map[string]any{"type": "inventory", "target": map[string]any{"all": true}}
		tests := []struct {
			name   string
			method string
			path   string
			as     store.Role
			body   any
			want   int
		}{
			{"no token", "GET", "/api/v1/hosts", "", nil, 401},
			{"unknown token", "GET", "/api/v1/hosts", "ward_at_nosuchtoken", nil, 401},
			{"not a ward token", "GET", "/api/v1/hosts", "hunter2", nil, 401},
			{"revoked token", "GET", "/api/v1/hosts", store.Role(revoked), nil, 401},
			{"viewer reads hosts", "GET", "/api/v1/hosts", store.RoleViewer, nil, 200},
			{"viewer reads findings", "GET", "/api/v1/findings", store.RoleViewer, nil, 200},
			{"viewer cannot create tasks", "POST", "/api/v1/tasks", store.RoleViewer, task, 403},
			{"viewer cannot list enrollment tokens", "GET", "/api/v1/enrollment-tokens", store.RoleViewer, nil, 403},
			{"viewer cannot create enrollment tokens", "POST", "/api/v1/enrollment-tokens", store.RoleViewer, map[string]any{}, 403},
			{"operator creates enrollment tokens", "POST", "/api/v1/enrollment-tokens", store.RoleOperator, map[string]any{}, 201},
			{"operator cannot create API tokens", "POST", "/api/v1/api-tokens", store.RoleOperator, map[string]any{"name": "x", "role": "viewer"}, 403},
			{"operator cannot list API tokens", "GET", "/api/v1/api-tokens", store.RoleOperator, nil, 403},
			{"operator cannot read the audit log", "GET", "/api/v1/audit", store.RoleOperator, nil, 403},
			{"operator cannot revoke agents", "POST", "/api/v1/agents/1/revoke", store.RoleOperator, nil, 403},
			{"operator cannot create users", "POST", "/api/v1/users", store.RoleOperator, map[string]any{"name": "x", "role": "viewer"}, 403},
			{"admin reads the audit log", "GET", "/api/v1/audit", store.RoleAdmin, nil, 200},
			{"admin lists API tokens", "GET", "/api/v1/api-tokens", store.RoleAdmin, nil, 200},
			{"health needs no token", "GET", "/healthz", "", nil, 200},
			{"OpenAPI needs no token", "GET", "/api/v1/openapi.json", "", nil, 200},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				code, body, h := e.request(t, tc.method, tc.path, tc.as, tc.body)
				if code != tc.want {
					t.Fatalf("status %d, want %d: %s", code, tc.want, body)
				}
				if code >= 400 {
					msg, _ := apiError(t, body)
					if code == 401 && h.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
					if code == 403 && !strings.Contains(msg, "role") {
						t.Errorf("403 message does not name the role: %q", msg)
					}
				}
			})
		}
		// The viewer's refused task left nothing behind; nor did the 401s.
		if tasks, _ := e.st.Tasks(ctx, store.TaskFilter{}); len(tasks) != 0 {
			t.Fatalf("refused task creation left %d tasks", len(tasks))
		}
		// And the operator can.
		e.call(t, "POST", "/api/v1/tasks", store.RoleOperator, task, 201, nil)
	})
}

// Every authenticated route refuses a missing token, and one role below
// its own: a route added without thought to its role fails here.
func TestEveryRouteEnforcesItsRole(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	below := map[store.Role]store.Role{store.RoleAdmin: store.RoleOperator, store.RoleOperator: store.RoleViewer}
	for _, rt := range newServer(e.st, Options{}).routes() {
		if rt.Role == "" {
			continue
		}
		path := strings.NewReplacer("{id}", "1", "{host}", "1").Replace(rt.Path)
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			if code, body, _ := e.request(t, rt.Method, path, "", nil); code != http.StatusUnauthorized {
				t.Errorf("without a token: %d %s", code, body)
			}
			if lower, ok := below[rt.Role]; ok {
				if code, body, _ := e.request(t, rt.Method, path, lower, nil); code != http.StatusForbidden {
					t.Errorf("as %s: %d %s", lower, code, body)
				}
			}
		})
	}
}

func TestDisabledUserTokenRefused(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	if err := e.st.DisableUser(context.Background(), e.users[store.RoleViewer].ID); err != nil {
		t.Fatal(err)
	}
	e.call(t, "GET", "/api/v1/hosts", store.RoleViewer, nil, 401, nil)
}

func TestWhoami(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	var got struct {
		User, Role string
	}
	e.call(t, "GET", "/api/v1/whoami", store.RoleOperator, nil, 200, &got)
	if got.User != "operator-user" || got.Role != "operator" {
		t.Fatalf("whoami: %+v", got)
	}
}
