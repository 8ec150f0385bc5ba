package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The suite runs against SQLite (a file in a temp dir) always and against
// PostgreSQL when one is reachable: WARD_TEST_POSTGRES (an admin DSN),
// default postgres://postgres@127.0.0.1:5432/postgres (trust auth, as on
// the project's machines and CI). TestMain creates a database
// ward_test_<random> for the run and drops it afterwards; each test gets
// its own schema in it.

// pgEnv holds the PostgreSQL test database of this run (set once by
// TestMain, read-only afterwards).
var pgEnv struct {
	dsn  string // of the run's database; "" when PostgreSQL is unavailable
	skip string // why
	seq  atomic.Int64
}

func TestMain(m *testing.M) {
	drop := setupPostgres()
	code := m.Run()
	if drop != nil {
		drop()
	}
	os.Exit(code)
}

func setupPostgres() (drop func()) {
	admin := os.Getenv("WARD_TEST_POSTGRES")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	adb, err := sql.Open("pgx", admin)
	if err == nil {
		err = adb.PingContext(ctx)
	}
	if err != nil {
		pgEnv.skip = fmt.Sprintf("PostgreSQL unreachable at %s (%v); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", redact(admin), err)
		if adb != nil {
			adb.Close()
		}
		return nil
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "ward_test_" + hex.EncodeToString(b)
	if _, err := adb.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		pgEnv.skip = fmt.Sprintf("cannot create test database: %v", err)
		adb.Close()
		return nil
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	pgEnv.dsn = u.String()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adb.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", name, err)
		}
		adb.Close()
	}
}

// backend is one database kind the suite runs on.
type backend struct {
	name string
	// fresh returns the DSN of a new, empty database.
	fresh func(t testing.TB) string
}

func backends() []backend {
	return []backend{
		{"sqlite", func(t testing.TB) string {
			return "sqlite://" + filepath.Join(t.TempDir(), "ward.db")
		}},
		{"postgres", func(t testing.TB) string {
			if pgEnv.dsn == "" {
				t.Skip(pgEnv.skip)
			}
			schema := fmt.Sprintf("t%d_%d", os.Getpid(), pgEnv.seq.Add(1))
			ctx := context.Background()
			adb, err := sql.Open("pgx", pgEnv.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer adb.Close()
			if _, err := adb.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
				t.Fatalf("create schema: %v", err)
			}
			u, _ := url.Parse(pgEnv.dsn)
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}},
	}
}

// each runs f as a subtest per backend.
func each(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// open opens a fresh store of the backend, closed at the end of the test.
func (b backend) open(t testing.TB, opts ...Option) *Store {
	t.Helper()
	return openDSN(t, b.fresh(t), opts...)
}

func openDSN(t testing.TB, dsn string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// count returns the rows of a table.
func count(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.reader().queryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// host creates a host for tests.
func host(t testing.TB, s *Store, name string, labels map[string]string) int64 {
	t.Helper()
	id, err := s.UpsertHost(context.Background(), HostInfo{IdentityKey: "id-" + name, Hostname: name, OSID: "debian", OSVersion: "12", Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
