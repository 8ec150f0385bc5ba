package source

import (
	"context"
	"os"
	"testing"

	"github.com/ward-sec/ward/internal/rootfs"
)

func TestParsePsqlRoles(t *testing.T) {
	out := "postgres\x1f\x1ft\x1ft\x1eapp\x1fmd5a3556571e93b0d20722ba62be61e8c2d\x1ff\x1ft\x1ereader\x1f\x1ff\x1ff\n"
	roles, err := parsePsqlRoles(out)
	if err != nil || len(roles) != 3 {
		t.Fatalf("%+v %v", roles, err)
	}
	if roles[0].Password != nil || !roles[0].CanLogin || roles[1].Password == nil || *roles[1].Password != "md5a3556571e93b0d20722ba62be61e8c2d" ||
		roles[2].CanLogin || roles[2].Password == nil {
		t.Errorf("%+v", roles)
	}
	if _, err := parsePsqlRoles("a\x1fb\x1e"); err == nil {
		t.Error("short record accepted")
	}
}

func TestDebianMaint(t *testing.T) {
	u, p := debianMaint([]byte("# Automatically generated\n[client]\nhost     = localhost\nuser     = debian-sys-maint\npassword = \"s3cr3t\"\nsocket   = /run/mysqld/mysqld.sock\n[mysql_upgrade]\nuser = other\n"))
	if u != "debian-sys-maint" || p != "s3cr3t" {
		t.Errorf("%q %q", u, p)
	}
}

// TestLiveDatabases reads this host's MySQL/MariaDB and PostgreSQL
// accounts when they run here and the test runs as root: every store
// found is read, or says why not.
func TestLiveDatabases(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	r := &Result{}
	e := &Env{FS: fsys, Live: true, Root: true}
	collectMySQL(context.Background(), e, r)
	collectPostgres(context.Background(), e, r)
	if len(r.Stores) == 0 {
		t.Skip("no MySQL/MariaDB or PostgreSQL on this host")
	}
	for _, u := range r.Unchecked {
		if u.Account == "" {
			t.Errorf("store not read: %+v", u)
		}
	}
	counts := map[string]int{}
	for _, c := range r.Credentials {
		counts[c.Store]++
	}
	for _, s := range r.Stores {
		if counts[s] == 0 {
			t.Errorf("%s found but no accounts read", s)
		}
	}
	t.Logf("stores %v, accounts %v", r.Stores, counts)
}
