package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// PostgresDSN creates an empty database on the test PostgreSQL server
// (WARD_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres
// with trust auth, as on the project's machines and CI) and drops it when
// the test ends. The test is skipped, saying why, when no server answers.
func PostgresDSN(t testing.TB) string {
	t.Helper()
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
		t.Skipf("PostgreSQL unreachable (%v); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "ward_t_" + hex.EncodeToString(b)
	if _, err := adb.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		adb.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adb.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
		adb.Close()
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}
