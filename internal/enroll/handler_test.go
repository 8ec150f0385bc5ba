package enroll

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/pki"
)

type testEnv struct {
	ca     *pki.CA
	store  *fakeStore
	h      http.Handler
	mu     sync.Mutex
	audits []AuditEvent
	csr    []byte
	facts  HostFacts
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	ca, err := pki.NewCA("Test CA", pki.CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.GenerateAgentKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewAgentCSR(key)
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{ca: ca, store: newFakeStore(), csr: csr,
		facts: HostFacts{Hostname: "web-1", MachineID: "m1", OS: "debian 12", Kernel: "6.1.0", IdentityKey: IdentityKey("", "", "m1")}}
	e.h, err = NewHandler(HandlerConfig{
		Store:    e.store,
		CA:       ca,
		NATSURLs: []string{"tls://127.0.0.1:4443"},
		Audit: func(_ context.Context, ev AuditEvent) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.audits = append(e.audits, ev)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *testEnv) lastAudit(t *testing.T) AuditEvent {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.audits) == 0 {
		t.Fatal("no audit event")
	}
	return e.audits[len(e.audits)-1]
}

func (e *testEnv) body(token string) string {
	b, _ := json.Marshal(Request{Token: token, CSRPEM: string(e.csr), Host: e.facts, Labels: map[string]string{"role": "web", "env": "dev"}})
	return string(b)
}

func (e *testEnv) post(body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func errorMessage(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error == "" {
		t.Fatalf("error response %q is not {\"error\": ...}", rec.Body.String())
	}
	return eb.Error
}

func TestHandlerEnrolls(t *testing.T) {
	e := newTestEnv(t)
	token := e.store.addToken(e.ca.Fingerprint(), fakeToken{labels: map[string]string{"env": "prod"}, expires: time.Now().Add(time.Hour), maxUses: 1})
	rec := e.post(e.body(token))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var res Result
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	csr, _ := pki.ParseCSR(e.csr)
	if err := checkResult(&res, e.ca.Fingerprint(), csr); err != nil {
		t.Fatalf("result does not check out: %v", err)
	}
	if got := e.store.labels[res.AgentID]; got["env"] != "prod" || got["role"] != "web" {
		t.Errorf("labels %v: want the host's role and the token's env (token wins)", got)
	}
	if e.store.agents[res.AgentID] != e.facts {
		t.Errorf("registered facts %+v, want %+v", e.store.agents[res.AgentID], e.facts)
	}
	if e.store.certs[res.AgentID] == "" {
		t.Error("issued certificate not recorded")
	}
	ev := e.lastAudit(t)
	if ev.Outcome != OutcomeEnrolled || ev.AgentID != res.AgentID || ev.Hostname != "web-1" {
		t.Errorf("audit %+v", ev)
	}
}

func TestHandlerRefusals(t *testing.T) {
	hour := time.Hour
	tests := []struct {
		name string
		// body builds the request body, given the env.
		body        func(e *testEnv) string
		contentType string
		method      string
		status      int
		outcome     string
		consumed    bool // whether the store was asked to consume a token
	}{
		{name: "forged token (right CA, unknown secret)", status: 401, outcome: OutcomeDenied, consumed: true,
			body: func(e *testEnv) string { text, _, _ := NewToken(e.ca.Fingerprint()); return e.body(text) }},
		{name: "token for another server's CA", status: 401, outcome: OutcomeDenied,
			body: func(e *testEnv) string {
				return e.body(e.store.addToken(testFP, fakeToken{expires: time.Now().Add(hour), maxUses: 1}))
			}},
		{name: "malformed token", status: 401, outcome: OutcomeDenied,
			body: func(e *testEnv) string { return e.body("ward1.nope") }},
		{name: "expired token", status: 410, outcome: OutcomeDenied, consumed: true,
			body: func(e *testEnv) string {
				return e.body(e.store.addToken(e.ca.Fingerprint(), fakeToken{expires: time.Now().Add(-hour), maxUses: 1}))
			}},
		{name: "used-up token", status: 410, outcome: OutcomeDenied, consumed: true,
			body: func(e *testEnv) string {
				return e.body(e.store.addToken(e.ca.Fingerprint(), fakeToken{expires: time.Now().Add(hour), maxUses: 3, uses: 3}))
			}},
		{name: "revoked token", status: 401, outcome: OutcomeDenied, consumed: true,
			body: func(e *testEnv) string {
				return e.body(e.store.addToken(e.ca.Fingerprint(), fakeToken{expires: time.Now().Add(hour), maxUses: 1, revoked: true}))
			}},
		{name: "malformed JSON", status: 400, outcome: OutcomeRejected,
			body: func(e *testEnv) string { return `{"token": "x", ` }},
		{name: "unknown field", status: 400, outcome: OutcomeRejected,
			body: func(e *testEnv) string { return strings.Replace(e.body(e.validToken()), `{`, `{"admin": true, `, 1) }},
		{name: "two JSON objects", status: 400, outcome: OutcomeRejected,
			body: func(e *testEnv) string { b := e.body(e.validToken()); return b + b }},
		{name: "oversized body", status: 413, outcome: OutcomeRejected,
			body: func(e *testEnv) string {
				return `{"token": "` + strings.Repeat("a", MaxRequestBytes) + `"}`
			}},
		{name: "corrupt CSR does not use the token", status: 400, outcome: OutcomeRejected,
			body: func(e *testEnv) string {
				b := strings.Replace(e.body(e.validToken()), "-----END", "AAAA-----END", 1)
				return b
			}},
		{name: "missing identity key", status: 400, outcome: OutcomeRejected,
			body: func(e *testEnv) string { e.facts.IdentityKey = ""; return e.body(e.validToken()) }},
		{name: "control characters in hostname", status: 400, outcome: OutcomeRejected,
			body: func(e *testEnv) string { e.facts.Hostname = "a\x1b[2J"; return e.body(e.validToken()) }},
		{name: "bad label key", status: 400, outcome: OutcomeRejected,
			body: func(e *testEnv) string {
				b, _ := json.Marshal(Request{Token: e.validToken(), CSRPEM: string(e.csr), Host: e.facts, Labels: map[string]string{"a b": "c"}})
				return string(b)
			}},
		{name: "no token", status: 400, outcome: OutcomeRejected,
			body: func(e *testEnv) string { return `{"csr_pem": "x"}` }},
		{name: "wrong content type", status: 415, outcome: OutcomeRejected, contentType: "text/plain",
			body: func(e *testEnv) string { return e.body(e.validToken()) }},
		{name: "GET", status: 405, outcome: OutcomeRejected, method: http.MethodGet,
			body: func(e *testEnv) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			method, ct := tt.method, tt.contentType
			if method == "" {
				method = http.MethodPost
			}
			if ct == "" {
				ct = "application/json; charset=utf-8"
			}
			req := httptest.NewRequest(method, Path, strings.NewReader(tt.body(e)))
			req.Header.Set("Content-Type", ct)
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			msg := errorMessage(t, rec)
			ev := e.lastAudit(t)
			if ev.Outcome != tt.outcome || ev.Status != tt.status || ev.Reason == "" {
				t.Errorf("audit %+v, want outcome %s status %d with a reason", ev, tt.outcome, tt.status)
			}
			if (e.store.consume > 0) != tt.consumed {
				t.Errorf("ConsumeToken called %d times, want consumed=%v", e.store.consume, tt.consumed)
			}
			if len(e.store.agents) != 0 {
				t.Error("an agent was registered")
			}
			if tt.status == 401 && msg != "enrollment token rejected" {
				t.Errorf("401 message %q tells the client more than that the token was rejected", msg)
			}
		})
	}
}

// validToken adds a good token to the store.
func (e *testEnv) validToken() string {
	return e.store.addToken(e.ca.Fingerprint(), fakeToken{expires: time.Now().Add(time.Hour), maxUses: 1})
}

func TestHandlerTokenMaxUses(t *testing.T) {
	e := newTestEnv(t)
	token := e.store.addToken(e.ca.Fingerprint(), fakeToken{expires: time.Now().Add(time.Hour), maxUses: 2})
	for i, want := range []int{200, 200, 410, 410} {
		if rec := e.post(e.body(token)); rec.Code != want {
			t.Fatalf("use %d: status %d, want %d: %s", i+1, rec.Code, want, rec.Body)
		}
	}
	if got := e.store.uses(token); got != 2 {
		t.Errorf("token used %d times, want 2", got)
	}
}

type failingStore struct{ *fakeStore }

func (failingStore) RegisterAgent(context.Context, HostFacts, map[string]string) (string, string, error) {
	return "", "", errors.New("database is locked")
}

func TestHandlerStoreFailureIs500(t *testing.T) {
	e := newTestEnv(t)
	h, _ := NewHandler(HandlerConfig{Store: failingStore{e.store}, CA: e.ca, NATSURLs: []string{"tls://x:1"},
		Audit: func(_ context.Context, ev AuditEvent) { e.audits = append(e.audits, ev) }})
	req := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(e.body(e.validToken())))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "database") {
		t.Fatalf("status %d body %s: want 500 without internals", rec.Code, rec.Body)
	}
	if ev := e.lastAudit(t); ev.Outcome != OutcomeError || !strings.Contains(ev.Reason, "database is locked") {
		t.Errorf("audit %+v", ev)
	}
}

// *pki.CA is the Signer the server uses.
var _ Signer = (*pki.CA)(nil)

func TestNewHandlerNeedsItsParts(t *testing.T) {
	if _, err := NewHandler(HandlerConfig{}); err == nil {
		t.Error("NewHandler without store and CA succeeded")
	}
	ca, _ := pki.NewCA("x", time.Hour)
	if _, err := NewHandler(HandlerConfig{Store: newFakeStore(), CA: ca}); err == nil {
		t.Error("NewHandler without NATS URLs succeeded")
	}
}
