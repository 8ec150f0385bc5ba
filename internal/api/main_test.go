package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/testutil"
)

// The suite runs over a real store: SQLite in a temp dir always, and
// PostgreSQL when one answers (see testutil.RunWithPostgres): a database
// ward_api_test_<random> for the run, dropped at the end, with a schema
// per test. The store package's own harness is the same.

func TestMain(m *testing.M) {
	os.Exit(testutil.RunWithPostgres(m, "ward_api_test_"))
}

type backend struct {
	name  string
	fresh func(t testing.TB) string // DSN of a new, empty database
}

func backends() []backend {
	return []backend{{"sqlite", testutil.SQLiteDSN}, {"postgres", testutil.PostgresSchemaDSN}}
}

// each runs f as a subtest per backend, over a fresh seeded environment.
func each(t *testing.T, f func(t *testing.T, e *env)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, newEnv(t, b, nil)) })
	}
}

const testCAFingerprint = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// env is a server over a seeded store, with a token per role.
type env struct {
	st     *store.Store
	srv    *httptest.Server
	tokens map[store.Role]string
	users  map[store.Role]store.User
	hosts  map[string]int64 // by hostname
	logBuf *syncBuffer

	mu           sync.Mutex
	tasksQueued  []int64
	revoked      []string
	secretParams map[int64]json.RawMessage // KeepSecretParams
}

// newEnv opens a store, seeds it and serves the API; tweak adjusts the
// options.
func newEnv(t *testing.T, b backend, tweak func(*Options)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, b.fresh(t))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, tokens: map[store.Role]string{}, users: map[store.Role]store.User{}, hosts: map[string]int64{},
		logBuf: &syncBuffer{}, secretParams: map[int64]json.RawMessage{}}
	opts := Options{
		CAFingerprint: testCAFingerprint,
		OnTaskCreated: func(_ context.Context, id int64) {
			e.mu.Lock()
			e.tasksQueued = append(e.tasksQueued, id)
			e.mu.Unlock()
		},
		OnRevoke: func(id string) {
			e.mu.Lock()
			e.revoked = append(e.revoked, id)
			e.mu.Unlock()
		},
		KeepSecretParams: func(id int64, params json.RawMessage) {
			e.mu.Lock()
			e.secretParams[id] = params
			e.mu.Unlock()
		},
		TaskTypes: append(DefaultTaskTypes(), testLeakedType),
		Log:       slog.New(slog.NewTextHandler(e.logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if tweak != nil {
		tweak(&opts)
	}
	e.srv = httptest.NewServer(New(st, opts))
	t.Cleanup(e.srv.Close)
	for _, role := range []store.Role{store.RoleAdmin, store.RoleOperator, store.RoleViewer} {
		u, err := st.CreateUser(ctx, string(role)+"-user", role)
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := st.CreateAPIToken(ctx, u.ID, "test "+string(role), role, 0)
		if err != nil {
			t.Fatal(err)
		}
		e.users[role], e.tokens[role] = u, secret
	}
	e.seedFleet(t)
	return e
}

// seedFleet creates three hosts:
//
//	web-1  env=prod, role=web   log4j-core 2.14.1, redis on 0.0.0.0:6379, two findings
//	web-2  env=prod             log4j-core 2.17.1, redis on 127.0.0.1:6379
//	db-1   env=staging (rocky)  no inventory
func (e *env) seedFleet(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	add := func(name, osID string, labels map[string]string) int64 {
		id, err := e.st.UpsertHost(ctx, store.HostInfo{IdentityKey: "key-" + name, Hostname: name, OSID: osID, OSVersion: "12",
			Kernel: "6.1.0", Arch: "x86_64", Labels: labels})
		if err != nil {
			t.Fatal(err)
		}
		e.hosts[name] = id
		return id
	}
	web1 := add("web-1", "debian", map[string]string{"env": "prod", "role": "web"})
	web2 := add("web-2", "debian", map[string]string{"env": "prod"})
	add("db-1", "rocky", map[string]string{"env": "staging"})

	inv := func(name, log4j, redisAddr string) *model.Inventory {
		return &model.Inventory{
			SchemaVersion: model.SchemaVersion, ScannedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Root: "/", Live: true,
			Host: &model.Host{Hostname: name, OS: model.OSRelease{ID: "debian", Version: "12"}},
			Users: []model.User{
				{Name: "root", UID: 0, GID: 0, Shell: "/bin/bash", CanLogin: true, Password: model.PasswordSet},
				{Name: "app", UID: 1000, GID: 1000, Shell: "/usr/sbin/nologin", Password: model.PasswordLocked},
			},
			Packages: []model.Package{
				{Type: model.PkgMaven, Name: "log4j-core", Group: "org.apache.logging.log4j", Version: log4j, Location: "/opt/app/app.jar!/BOOT-INF/lib/log4j-core.jar"},
				{Type: model.PkgDeb, Name: "redis-server", Version: "5:7.0.15-1~deb12u1", Location: "/var/lib/dpkg/status"},
			},
			Sockets: []model.Socket{
				{Protocol: "tcp", State: "LISTEN", LocalAddr: redisAddr, LocalPort: 6379, PID: 100, ProcessName: "redis-server"},
				{Protocol: "tcp", State: "LISTEN", LocalAddr: "0.0.0.0", LocalPort: 22, PID: 50, ProcessName: "sshd"},
			},
			Applications: []model.Application{{Name: "redis", Category: "cache", Version: "7.0.15", Running: true}},
		}
	}
	if _, err := e.st.IngestInventory(ctx, "inv-web-1", web1, inv("web-1", "2.14.1", "0.0.0.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.IngestInventory(ctx, "inv-web-2", web2, inv("web-2", "2.17.1", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	findings := []model.Finding{
		{Kind: model.KindExposure, Rule: "inventory/wildcard-listener", Severity: model.SevHigh, Title: "redis listens on all addresses",
			Asset: model.AssetRef{Type: "socket", ID: "tcp/0.0.0.0:6379"}},
		{Kind: model.KindAccount, Rule: "inventory/root-login", Severity: model.SevMedium, Title: "root can log in",
			Asset: model.AssetRef{Type: "user", ID: "root"}},
	}
	if _, err := e.st.IngestFindings(ctx, "findings-web-1", web1, "posture", findings); err != nil {
		t.Fatal(err)
	}
}

// request sends a request as role ("" sends no token; any other string
// not a role is sent as the token itself) and returns status and body.
func (e *env) request(t *testing.T, method, path string, role store.Role, body any) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		tok, ok := e.tokens[role]
		if !ok {
			tok = string(role)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// call sends a request, fails the test unless the status is want, and
// decodes the body into out (if not nil).
func (e *env) call(t *testing.T, method, path string, role store.Role, body any, want int, out any) []byte {
	t.Helper()
	code, b, _ := e.request(t, method, path, role, body)
	if code != want {
		t.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, role, code, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return b
}

// apiError decodes an error body.
func apiError(t *testing.T, b []byte) (msg, field string) {
	t.Helper()
	var e struct{ Error, Field string }
	if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
		t.Fatalf("not a JSON error body: %s", b)
	}
	return e.Error, e.Field
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
