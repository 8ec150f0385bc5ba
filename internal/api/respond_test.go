package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/store"
)

func TestStrictJSON(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		huge := `{"type": "inventory", "target": {"all": true}, "params": {"full": true}, "schedule": "` +
			strings.Repeat(" ", MaxBodyBytes) + `"}`
		tests := []struct {
			name      string
			body      string
			wantCode  int
			wantField string
			wantMsg   string
		}{
			{"unknown field", `{"type": "inventory", "target": {"all": true}, "priority": 5}`, 400, "priority", `unknown field "priority"`},
			{"unknown nested field", `{"type": "inventory", "target": {"all": true, "everything": true}}`, 400, "everything", "unknown field"},
			{"wrong type", `{"type": "inventory", "target": {"hosts": "web-1"}}`, 400, "target.hosts", "must be an array"},
			{"malformed", `{"type": "inventory",`, 400, "", "malformed JSON"},
			{"trailing data", `{"type": "inventory", "target": {"all": true}} {}`, 400, "", "after the JSON value"},
			{"not an object", `["inventory"]`, 400, "", "must be an object"},
			{"empty body", ``, 400, "", "empty"},
			{"oversized body", huge, 413, "", "larger than"},
			{"unknown task param", `{"type": "inventory", "target": {"all": true}, "params": {"fast": true}}`, 400, "params", `unknown parameter "fast"`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				code, body, _ := e.request(t, "POST", "/api/v1/tasks", store.RoleOperator, tc.body)
				if code != tc.wantCode {
					t.Fatalf("status %d, want %d: %s", code, tc.wantCode, body)
				}
				msg, field := apiError(t, body)
				if field != tc.wantField || !strings.Contains(msg, tc.wantMsg) {
					t.Fatalf("error %q field %q; want %q in the message, field %q", msg, field, tc.wantMsg, tc.wantField)
				}
			})
		}
		if tasks, _ := e.st.Tasks(context.Background(), store.TaskFilter{}); len(tasks) != 0 {
			t.Fatalf("rejected bodies created %d tasks", len(tasks))
		}
	})
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	code, body, _ := e.request(t, "GET", "/api/v1/nothing-here", store.RoleAdmin, nil)
	if msg, _ := apiError(t, body); code != 404 || !strings.Contains(msg, "no such endpoint") {
		t.Fatalf("unknown path: %d %s", code, body)
	}
	code, body, h := e.request(t, "PUT", "/api/v1/hosts", store.RoleAdmin, nil)
	if msg, _ := apiError(t, body); code != 405 || !strings.Contains(msg, "not allowed") || !strings.Contains(h.Get("Allow"), "GET") {
		t.Fatalf("wrong method: %d %s (Allow %q)", code, body, h.Get("Allow"))
	}
}

// A 500 tells the client only a request id; the detail is in the log.
func TestInternalErrorsHideDetail(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	// Break the database under the server: verification works off a pool
	// that is now closed.
	e.st.Close()
	code, body, h := e.request(t, "GET", "/api/v1/hosts", store.RoleViewer, nil)
	if code != http.StatusInternalServerError {
		t.Fatalf("status %d: %s", code, body)
	}
	msg, _ := apiError(t, body)
	id := h.Get("X-Request-Id")
	if id == "" || !strings.Contains(msg, id) || strings.Contains(strings.ToLower(msg), "sql") || strings.Contains(msg, "closed") {
		t.Fatalf("500 body %s (request id %q)", body, id)
	}
	if log := e.logBuf.String(); !strings.Contains(log, id) || !strings.Contains(log, "closed") {
		t.Fatalf("log lacks the request id or the cause:\n%s", log)
	}
	// Health reports the database.
	if code, body, _ := e.request(t, "GET", "/healthz", "", nil); code != http.StatusServiceUnavailable {
		t.Fatalf("healthz with a closed database: %d %s", code, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	_, _, h := e.request(t, "POST", "/api/v1/enrollment-tokens", store.RoleOperator, map[string]any{})
	if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("headers: %v", h)
	}
}
