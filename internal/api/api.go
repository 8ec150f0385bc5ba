// Package api is Ward's HTTPS JSON API (/api/v1), served by `ward server`
// over the store: hosts and their inventories, fleet queries, tasks,
// findings, enrollment and API tokens, users, agent revocation and the
// audit log. The request and response bodies are in package wire; the
// OpenAPI document (openapi.json, kept in step with the routes by a test)
// is served at /api/v1/openapi.json.
//
// Every /api/v1 call but the OpenAPI document needs an API token
// (Authorization: Bearer ward_at_...). Roles nest: a viewer reads, an
// operator also creates tasks, triages findings and manages enrollment
// tokens, an admin also manages API tokens and users, revokes agents and
// reads the audit log. Every call that changes state appends to the audit
// log.
package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/vuln/fleet"
)

// Options configures New. Only the store is required.
type Options struct {
	// CAFingerprint is the lowercase hex SHA-256 of the Ward CA
	// certificate; enrollment tokens are handed out as
	// ward1.<CAFingerprint>.<secret>.
	CAFingerprint string
	// OnTaskCreated is called after a task is created (and, for a one-off
	// task, its runs queued), so the server can dispatch them. It runs
	// inside the request, before the answer: hand slow work to a goroutine.
	// ctx is not cancelled when the request ends.
	OnTaskCreated func(ctx context.Context, taskID int64)
	// OnRevoke is called after an agent is revoked with its credential id
	// (the identity it uses on the message bus), so the messaging layer can
	// refresh its revocation list and drop the agent's connections. It
	// runs inside the request, like OnTaskCreated.
	OnRevoke func(agentID string)
	// KeepSecretParams receives the params of a task type with
	// SecretParams, after the task is recorded and before its runs are
	// queued; the server keeps them in memory for dispatch. Without it
	// such task types are refused.
	KeepSecretParams func(taskID int64, params json.RawMessage)
	// TaskTypes are the task types POST /tasks accepts (default:
	// DefaultTaskTypes()).
	TaskTypes []TaskType
	// Log receives request failures and 500 details (default: discard).
	Log *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Vuln is the fleet's advisory database and matcher (vuln.go); nil:
	// the vulnerability endpoints answer 503.
	Vuln *fleet.Matcher
}

// MaxBodyBytes caps every request body.
const MaxBodyBytes = 1 << 20

// Prefix is where the API lives.
const Prefix = "/api/v1"

// server holds the handlers' shared state.
type server struct {
	store     *store.Store
	opts      Options
	log       *slog.Logger
	now       func() time.Time
	taskTypes map[string]TaskType
	mux       *http.ServeMux
}

// New returns the handler serving /api/v1/... and /healthz. The enrollment
// endpoint (/api/v1/enroll) is not part of it: mount it beside this
// handler on a mux of the caller's.
func New(st *store.Store, opts Options) http.Handler {
	return newServer(st, opts)
}

func newServer(st *store.Store, opts Options) *server {
	s := &server{store: st, opts: opts, log: opts.Log, now: opts.Now, taskTypes: map[string]TaskType{}}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	types := opts.TaskTypes
	if types == nil {
		types = DefaultTaskTypes()
	}
	for _, t := range types {
		s.taskTypes[t.Name] = t
	}
	s.mux = http.NewServeMux()
	for _, rt := range s.routes() {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	return s
}

// route is one endpoint. Role is the least role that may call it; empty
// means no authentication.
type route struct {
	Method  string
	Path    string
	Role    store.Role
	Handler func(w http.ResponseWriter, r *http.Request) error
}

// routes is the whole API; the OpenAPI test walks it.
func (s *server) routes() []route {
	const (
		public   store.Role = ""
		viewer              = store.RoleViewer
		operator            = store.RoleOperator
		admin               = store.RoleAdmin
	)
	p := func(path string) string { return Prefix + path }
	rs := []route{
		{"GET", "/healthz", public, s.healthz},
		{"GET", p("/openapi.json"), public, s.openAPI},
		{"GET", p("/whoami"), viewer, s.whoami},

		{"GET", p("/hosts"), viewer, s.listHosts},
		{"GET", p("/hosts/{id}"), viewer, s.getHost},
		{"GET", p("/hosts/{id}/inventory"), viewer, s.getInventory},

		{"GET", p("/query/software"), viewer, s.querySoftware},
		{"GET", p("/query/ports"), viewer, s.queryPorts},
		{"GET", p("/query/apps"), viewer, s.queryApps},
		{"GET", p("/query/accounts"), viewer, s.queryAccounts},

		{"GET", p("/task-types"), viewer, s.listTaskTypes},
		{"GET", p("/tasks"), viewer, s.listTasks},
		{"POST", p("/tasks"), operator, s.createTask},
		{"GET", p("/tasks/{id}"), viewer, s.getTask},

		{"GET", p("/findings"), viewer, s.listFindings},
		{"POST", p("/findings/{host}/{id}/suppress"), operator, s.suppressFinding},
		{"DELETE", p("/findings/{host}/{id}/suppress"), operator, s.unsuppressFinding},

		{"GET", p("/enrollment-tokens"), operator, s.listEnrollmentTokens},
		{"POST", p("/enrollment-tokens"), operator, s.createEnrollmentToken},
		{"DELETE", p("/enrollment-tokens/{id}"), operator, s.revokeEnrollmentToken},

		{"GET", p("/api-tokens"), admin, s.listAPITokens},
		{"POST", p("/api-tokens"), admin, s.createAPIToken},
		{"DELETE", p("/api-tokens/{id}"), admin, s.revokeAPIToken},

		{"GET", p("/users"), admin, s.listUsers},
		{"POST", p("/users"), admin, s.createUser},
		{"POST", p("/users/{id}/disable"), admin, s.disableUser},

		{"POST", p("/agents/{id}/revoke"), admin, s.revokeAgent},

		{"GET", p("/audit"), admin, s.listAudit},
	}
	for _, set := range routeSets {
		rs = append(rs, set(s)...)
	}
	return rs
}

// routeSets add the routes of a capability (vuln, baseline, weakpass,
// malware), each registered from its own file's init with its paths in
// openapi/<capability>.json.
var routeSets []func(s *server) []route

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Answers carry secrets (tokens) and fleet data: never cache them,
	// never let a browser reinterpret them.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.noRoute(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// noRoute answers an unknown path (404) or method (405) in JSON rather
// than ServeMux's plain text.
func (s *server) noRoute(w http.ResponseWriter, r *http.Request) {
	probe := &statusProbe{header: http.Header{}}
	s.mux.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeError(w, &Error{Status: http.StatusMethodNotAllowed, Msg: "method " + r.Method + " not allowed on " + r.URL.Path})
		return
	}
	writeError(w, &Error{Status: http.StatusNotFound, Msg: "no such endpoint: " + r.Method + " " + r.URL.Path})
}

// statusProbe records what ServeMux's own error handler would answer.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(code int)        { p.status = code }

func (s *server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("api: health check: database unreachable", "err", err)
		return writeJSON(w, http.StatusServiceUnavailable, wire.Health{Status: "unavailable", Database: "unreachable"})
	}
	return writeJSON(w, http.StatusOK, wire.Health{Status: "ok", Database: s.store.Backend()})
}
