package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// The test PostgreSQL server is WARD_TEST_POSTGRES, default
// postgres://postgres@127.0.0.1:5432/postgres with trust auth, as on the
// project's machines and CI. A test needing it is skipped, saying why,
// when no server answers.

const startHint = "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"

// PostgresDSN creates an empty database on the test PostgreSQL server
// and drops it when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn, drop, reachable, err := createDatabase("ward_t_")
	if err != nil {
		if !reachable {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Log(err)
		}
	})
	return dsn
}

// pgRun is the PostgreSQL database of a test binary's run (set once by
// RunWithPostgres, read-only afterwards).
var pgRun struct {
	started bool
	dsn     string // "" when PostgreSQL is unavailable
	skip    string // why
	seq     atomic.Int64
}

// RunWithPostgres runs a package's tests (call it from TestMain) with a
// database prefix+<random> on the test PostgreSQL server, in which
// PostgresSchemaDSN hands out a schema per test; the database is dropped
// when they end. It returns m.Run's exit code.
func RunWithPostgres(m *testing.M, prefix string) int {
	dsn, drop, _, err := createDatabase(prefix)
	if err != nil {
		pgRun.skip = err.Error()
	}
	pgRun.dsn, pgRun.started = dsn, true
	code := m.Run()
	if err == nil {
		if err := drop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	return code
}

// PostgresSchemaDSN creates an empty schema in the run's database (see
// RunWithPostgres) and returns a DSN whose search_path is it. Cheaper than
// a database per test; the schemas go with the run's database.
func PostgresSchemaDSN(t testing.TB) string {
	t.Helper()
	if !pgRun.started {
		t.Fatal("PostgresSchemaDSN needs TestMain to call testutil.RunWithPostgres")
	}
	if pgRun.dsn == "" {
		t.Skip(pgRun.skip)
	}
	schema := fmt.Sprintf("t%d_%d", os.Getpid(), pgRun.seq.Add(1))
	adb, err := sql.Open("pgx", pgRun.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	if _, err := adb.ExecContext(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	u, _ := url.Parse(pgRun.dsn)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// SQLiteDSN returns the DSN of a new SQLite database in the test's temp
// dir.
func SQLiteDSN(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "ward.db")
}

// createDatabase creates a database prefix+<random> on the test server;
// drop drops it. reachable says whether the server answered.
func createDatabase(prefix string) (dsn string, drop func() error, reachable bool, err error) {
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
		if adb != nil {
			adb.Close()
		}
		return "", nil, false, fmt.Errorf("PostgreSQL unreachable at %s (%v); %s", redacted(admin), err, startHint)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if _, err := adb.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		adb.Close()
		return "", nil, true, fmt.Errorf("cannot create test database: %v", err)
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String(), func() error {
		defer adb.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adb.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			return fmt.Errorf("drop test database %s: %v", name, err)
		}
		return nil
	}, true, nil
}

func redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable dsn)"
	}
	return u.Redacted()
}
