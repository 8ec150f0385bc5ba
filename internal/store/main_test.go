package store

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/testutil"
)

// The suite runs against SQLite (a file in a temp dir) always and against
// PostgreSQL when one is reachable (see testutil.RunWithPostgres): a
// database ward_test_<random> for the run, dropped afterwards, with a
// schema per test.

func TestMain(m *testing.M) {
	os.Exit(testutil.RunWithPostgres(m, "ward_test_"))
}

// backend is one database kind the suite runs on.
type backend struct {
	name string
	// fresh returns the DSN of a new, empty database.
	fresh func(t testing.TB) string
}

func backends() []backend {
	return []backend{{"sqlite", testutil.SQLiteDSN}, {"postgres", testutil.PostgresSchemaDSN}}
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
