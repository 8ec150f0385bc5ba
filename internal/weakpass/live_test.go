package weakpass

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/ward-sec/ward/internal/rootfs"
)

// TestLiveYescryptUser creates a throw-away account with a yescrypt hash
// of a weak password (chpasswd -c YESCRYPT, as Debian 11+ hashes by
// default), runs the detector on this host's / and expects the finding;
// the account is removed whatever happens.
func TestLiveYescryptUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create an account")
	}
	if testing.Short() {
		t.Skip("cracks a yescrypt hash")
	}
	for _, bin := range []string{"/usr/sbin/useradd", "/usr/sbin/chpasswd", "/usr/sbin/userdel"} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s: %v", bin, err)
		}
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	user := "wardwp" + hex.EncodeToString(suffix)
	if out, err := exec.Command("/usr/sbin/useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("/usr/sbin/userdel", user).CombinedOutput(); err != nil {
			t.Errorf("userdel %s: %v: %s", user, err, out)
		}
	})
	cmd := exec.Command("/usr/sbin/chpasswd", "-c", "YESCRYPT")
	cmd.Stdin = strings.NewReader(user + ":123456\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chpasswd: %v: %s", err, out)
	}
	shadow, err := os.ReadFile("/etc/shadow")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(shadow), "\n"+user+":$y$") {
		t.Fatalf("%s has no yescrypt hash in /etc/shadow", user)
	}

	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Check(ctx, fsys, true, Options{Budget: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Rule == RuleWeak && f.Asset.ID == "shadow/"+user {
			if !contains(f.Evidence, "format: yescrypt") || !contains(f.Evidence, "password: 1*****6") {
				t.Errorf("evidence %v", f.Evidence)
			}
			return
		}
	}
	t.Errorf("no weak-password finding for %s; summary:\n%s", user, strings.Join(rep.Summary, "\n"))
}

// TestLiveDatabaseAccounts creates throw-away PostgreSQL (SCRAM-SHA-256)
// and MySQL/MariaDB (mysql_native_password) accounts with a weak password
// on this host's servers, runs the detector on / and expects both; the
// accounts are dropped whatever happens. Each server is skipped when it
// is not reachable as its superuser.
func TestLiveDatabaseAccounts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (the detector reads the databases as their superuser)")
	}
	if testing.Short() {
		t.Skip("cracks database hashes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	name := "wardwp" + hex.EncodeToString(suffix)
	var want []string
	if pg, err := pgx.Connect(ctx, "host=127.0.0.1 user=postgres dbname=postgres sslmode=disable connect_timeout=5"); err == nil {
		t.Cleanup(func() { pg.Close(context.Background()) }) // after the drop (cleanups run last first)
		if _, err := pg.Exec(ctx, "SET password_encryption = 'scram-sha-256'"); err != nil {
			t.Fatal(err)
		}
		if _, err := pg.Exec(ctx, "CREATE ROLE "+name+" LOGIN PASSWORD 'password'"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := pg.Exec(context.Background(), "DROP ROLE "+name); err != nil {
				t.Errorf("drop role %s: %v", name, err)
			}
		})
		want = append(want, "postgresql/"+name)
	} else {
		t.Logf("PostgreSQL not reachable as postgres: %v", err)
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr, cfg.Timeout = "root", "unix", "/run/mysqld/mysqld.sock", 5*time.Second
	if conn, err := mysql.NewConnector(cfg); err == nil {
		db := sql.OpenDB(conn)
		t.Cleanup(func() { db.Close() })
		if _, err := db.ExecContext(ctx, "CREATE USER '"+name+"'@'localhost' IDENTIFIED BY 'password'"); err == nil {
			t.Cleanup(func() {
				if _, err := db.ExecContext(context.Background(), "DROP USER '"+name+"'@'localhost'"); err != nil {
					t.Errorf("drop user %s: %v", name, err)
				}
			})
			want = append(want, "mysql/"+name+"@localhost")
		} else {
			t.Logf("MySQL not reachable as root: %v", err)
		}
	}
	if len(want) == 0 {
		t.Skip("no database server reachable")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	rep, err := Check(ctx, fsys, true, Options{Budget: 2 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Rule == RuleWeak {
			found[f.Asset.ID] = true
		}
	}
	for _, w := range want {
		if !found[w] {
			t.Errorf("no weak-password finding for %s; summary:\n%s", w, strings.Join(rep.Summary, "\n"))
		}
	}
}
