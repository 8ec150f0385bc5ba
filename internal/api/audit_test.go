package api

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

// auditCoveredElsewhere names capability routes whose audit entries
// their own tests check (vuln_test.go...).
var auditCoveredElsewhere = map[string]bool{}

// Every state-changing route writes an audit entry naming the caller and
// the target, without secrets. The table must cover every non-GET route.
func TestAuditEveryMutation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		agent, err := e.st.CreateAgent(ctx, store.NewAgent{HostID: e.hosts["web-1"], CredentialID: "agt_aaaaaaaaaaaaaaaaaaaaaaaaaa"})
		if err != nil {
			t.Fatal(err)
		}
		var finding wire.List[wire.Finding]
		e.call(t, "GET", "/api/v1/findings?limit=1", store.RoleViewer, nil, 200, &finding)
		f := finding.Items[0]
		suppress := fmt.Sprintf("/api/v1/findings/%d/%s/suppress", f.HostID, f.ID)

		var secrets []string
		var enrollID, tokenID, userID int64
		steps := []struct {
			route  string // "METHOD pattern"
			as     store.Role
			do     func(t *testing.T)
			action string
			target func() string // nil: see below
		}{
			{"POST /api/v1/tasks", store.RoleOperator, func(t *testing.T) {
				e.call(t, "POST", "/api/v1/tasks", store.RoleOperator, map[string]any{"type": "inventory", "target": map[string]any{"all": true}}, 201, nil)
			}, "task.create", nil}, // the id is the store's: checked below
			{"POST /api/v1/weakpass/leaked", store.RoleOperator, func(t *testing.T) {
				e.call(t, "POST", "/api/v1/weakpass/leaked", store.RoleOperator, map[string]any{"passwords": []string{"Leaked-Pa55"}, "target": map[string]any{"all": true}}, 201, nil)
				secrets = append(secrets, "Leaked-Pa55")
			}, "task.create", nil},
			{"POST /api/v1/findings/{host}/{id}/suppress", store.RoleOperator, func(t *testing.T) {
				e.call(t, "POST", suppress, store.RoleOperator, map[string]string{"reason": "known"}, 200, nil)
			}, "finding.suppress", func() string { return fmt.Sprintf("host:%d/finding:%s", f.HostID, f.ID) }},
			{"DELETE /api/v1/findings/{host}/{id}/suppress", store.RoleOperator, func(t *testing.T) {
				e.call(t, "DELETE", suppress, store.RoleOperator, nil, 200, nil)
			}, "finding.unsuppress", func() string { return fmt.Sprintf("host:%d/finding:%s", f.HostID, f.ID) }},
			{"POST /api/v1/enrollment-tokens", store.RoleOperator, func(t *testing.T) {
				var tok wire.EnrollmentToken
				e.call(t, "POST", "/api/v1/enrollment-tokens", store.RoleOperator, map[string]any{"labels": map[string]string{"a": "b"}}, 201, &tok)
				enrollID = tok.ID
				secrets = append(secrets, tok.Token, tok.Token[strings.LastIndex(tok.Token, ".")+1:])
			}, "enrollment_token.create", func() string { return fmt.Sprintf("enrollment_token:%d", enrollID) }},
			{"DELETE /api/v1/enrollment-tokens/{id}", store.RoleOperator, func(t *testing.T) {
				e.call(t, "DELETE", fmt.Sprintf("/api/v1/enrollment-tokens/%d", enrollID), store.RoleOperator, nil, 204, nil)
			}, "enrollment_token.revoke", func() string { return fmt.Sprintf("enrollment_token:%d", enrollID) }},
			{"POST /api/v1/users", store.RoleAdmin, func(t *testing.T) {
				var u wire.User
				e.call(t, "POST", "/api/v1/users", store.RoleAdmin, map[string]string{"name": "bob", "role": "viewer"}, 201, &u)
				userID = u.ID
			}, "user.create", func() string { return fmt.Sprintf("user:%d", userID) }},
			{"POST /api/v1/api-tokens", store.RoleAdmin, func(t *testing.T) {
				var tok wire.APIToken
				e.call(t, "POST", "/api/v1/api-tokens", store.RoleAdmin, map[string]string{"name": "bob's", "role": "viewer", "user": "bob"}, 201, &tok)
				tokenID = tok.ID
				secrets = append(secrets, tok.Token)
			}, "api_token.create", func() string { return fmt.Sprintf("api_token:%d", tokenID) }},
			{"DELETE /api/v1/api-tokens/{id}", store.RoleAdmin, func(t *testing.T) {
				e.call(t, "DELETE", fmt.Sprintf("/api/v1/api-tokens/%d", tokenID), store.RoleAdmin, nil, 204, nil)
			}, "api_token.revoke", func() string { return fmt.Sprintf("api_token:%d", tokenID) }},
			{"POST /api/v1/users/{id}/disable", store.RoleAdmin, func(t *testing.T) {
				e.call(t, "POST", fmt.Sprintf("/api/v1/users/%d/disable", userID), store.RoleAdmin, nil, 204, nil)
			}, "user.disable", func() string { return fmt.Sprintf("user:%d", userID) }},
			{"POST /api/v1/agents/{id}/revoke", store.RoleAdmin, func(t *testing.T) {
				e.call(t, "POST", fmt.Sprintf("/api/v1/agents/%d/revoke", agent.ID), store.RoleAdmin, nil, 200, nil)
			}, "agent.revoke", func() string { return fmt.Sprintf("agent:%d", agent.ID) }},
		}

		covered := maps.Clone(auditCoveredElsewhere)
		for _, s := range steps {
			covered[s.route] = true
		}
		for _, rt := range newServer(e.st, Options{}).routes() {
			if rt.Method != "GET" && !covered[rt.Method+" "+rt.Path] {
				t.Errorf("state-changing route %s %s has no audit test", rt.Method, rt.Path)
			}
		}

		for _, s := range steps {
			t.Run(s.route, func(t *testing.T) {
				s.do(t)
				var log wire.List[wire.AuditEntry]
				e.call(t, "GET", "/api/v1/audit?limit=1", store.RoleAdmin, nil, 200, &log)
				if len(log.Items) != 1 {
					t.Fatal("no audit entry")
				}
				got := log.Items[0]
				var details map[string]any
				if err := json.Unmarshal(got.Details, &details); err != nil {
					t.Fatalf("details %s: %v", got.Details, err)
				}
				wantTarget := got.Target
				if s.target != nil {
					wantTarget = s.target()
				} else if !strings.HasPrefix(got.Target, "task:") || details["type"] != "inventory" && details["type"] != "weakpass-leaked" {
					t.Fatalf("task entry %+v", got)
				}
				if got.Actor != e.users[s.as].Name || got.Action != s.action || got.Target != wantTarget ||
					details["token_id"] == nil || got.At == nil {
					t.Fatalf("entry %+v (details %s); want actor %s, action %s, target %s", got, got.Details,
						e.users[s.as].Name, s.action, wantTarget)
				}
			})
		}

		// No secret reached the log.
		var all wire.List[wire.AuditEntry]
		body := e.call(t, "GET", "/api/v1/audit", store.RoleAdmin, nil, 200, &all)
		if len(all.Items) != len(steps) {
			t.Fatalf("%d audit entries for %d mutations", len(all.Items), len(steps))
		}
		for _, s := range secrets {
			if strings.Contains(string(body), s) {
				t.Fatalf("a secret is in the audit log: %s", body)
			}
		}
		if strings.Contains(string(body), "ward_et_") || strings.Contains(string(body), "ward_at_") {
			t.Fatalf("a token is in the audit log: %s", body)
		}
	})
}

func TestAuditFiltersAndPages(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	for range 3 {
		e.call(t, "POST", "/api/v1/enrollment-tokens", store.RoleOperator, nil, 201, nil)
	}
	e.call(t, "POST", "/api/v1/users", store.RoleAdmin, map[string]string{"name": "bob", "role": "viewer"}, 201, nil)

	var log wire.List[wire.AuditEntry]
	e.call(t, "GET", "/api/v1/audit?actor=operator-user", store.RoleAdmin, nil, 200, &log)
	if len(log.Items) != 3 {
		t.Fatalf("by actor: %+v", log)
	}
	e.call(t, "GET", "/api/v1/audit?action=user.create&since=1h", store.RoleAdmin, nil, 200, &log)
	if len(log.Items) != 1 || log.Items[0].Actor != "admin-user" {
		t.Fatalf("by action: %+v", log)
	}
	e.call(t, "GET", "/api/v1/audit?until=2000-01-01T00:00:00Z", store.RoleAdmin, nil, 200, &log)
	if len(log.Items) != 0 {
		t.Fatalf("until 2000: %+v", log)
	}
	var ids []int64
	cursor := ""
	for range 10 {
		var page wire.List[wire.AuditEntry]
		e.call(t, "GET", "/api/v1/audit?limit=3&cursor="+cursor, store.RoleAdmin, nil, 200, &page)
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if fmt.Sprint(ids) != "[4 3 2 1]" {
		t.Fatalf("paged ids %v", ids)
	}
	for _, q := range []string{"?since=yesterday", "?cursor=-1", "?limit=abc"} {
		if code, body, _ := e.request(t, "GET", "/api/v1/audit"+q, store.RoleAdmin, nil); code != 400 {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}
