package source

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"

	"github.com/jackc/pgx/v5"
)

const modeSocket = fs.ModeSocket

// postgresHosts are where the local PostgreSQL is reached: the socket
// directories, then the loopback address.
var postgresHosts = []string{"/var/run/postgresql", "/run/postgresql", "/tmp", "127.0.0.1"}

// PostgresRole is one row of pg_authid.
type PostgresRole struct {
	Name     string
	Password *string // nil: no password
	CanLogin bool
}

// postgresCredential turns a role into a credential, or says why it
// cannot be tested.
func postgresCredential(role PostgresRole) (Credential, string) {
	c := Credential{Store: "postgresql", Account: role.Name, Path: "pg_authid", Hints: []string{role.Name, "postgres"}}
	switch {
	case !role.CanLogin:
		c.State = Locked
	case role.Password == nil || *role.Password == "":
		// No password: password authentication fails; pg_hba decides
		// whether trust/peer lets the role in, which is not a password.
		c.State = Locked
	case strings.HasPrefix(*role.Password, "md5") && len(*role.Password) == 35:
		c.Secret, c.Format = *role.Password, "postgresql-md5"
	case strings.HasPrefix(*role.Password, "SCRAM-SHA-256$"):
		c.Secret, c.Format = *role.Password, "postgresql-scram-sha-256"
	default:
		// Pre-10 unencrypted passwords are stored as is.
		c.Secret, c.Plain = *role.Password, true
	}
	return c, ""
}

func collectPostgres(ctx context.Context, e *Env, r *Result) {
	hosts := e.PostgresHosts
	if hosts == nil {
		hosts = postgresHosts
	}
	// A server here: a socket, or its configuration.
	present := false
	for _, h := range hosts {
		if strings.HasPrefix(h, "/") {
			if m, _ := e.FS.Glob(h + "/.s.PGSQL.*"); len(m) > 0 {
				present = true
			}
		}
	}
	if m, _ := e.FS.Glob("/etc/postgresql/*/main/postgresql.conf"); len(m) > 0 {
		present = true
	}
	if !present {
		return
	}
	r.found("postgresql")
	switch {
	case !e.Live:
		r.unchecked("postgresql", "pg_authid", "", "PostgreSQL (not the running host: the database files are not read)")
		return
	case !e.Root:
		r.unchecked("postgresql", "pg_authid", "", "PostgreSQL (no superuser access: not running as root)")
		return
	}
	var errs []string
	for _, h := range hosts {
		roles, err := readPostgres(ctx, h)
		if err != nil {
			errs = append(errs, h+": "+err.Error())
			continue
		}
		for _, role := range roles {
			c, why := postgresCredential(role)
			if why != "" {
				r.unchecked("postgresql", "pg_authid", role.Name, "%s", why)
				continue
			}
			r.Credentials = append(r.Credentials, c)
		}
		return
	}
	// Peer authentication (the Debian/RHEL default on the socket) admits
	// only the postgres OS user: ask psql as that user.
	roles, err := readPostgresAsUser(ctx)
	if err == nil {
		for _, role := range roles {
			c, _ := postgresCredential(role)
			r.Credentials = append(r.Credentials, c)
		}
		return
	}
	errs = append(errs, "psql as postgres: "+err.Error())
	msg := strings.Join(errs, "; ")
	e.warn("pg_authid", "PostgreSQL: %s", msg)
	r.unchecked("postgresql", "pg_authid", "", "PostgreSQL (no superuser access: %s)", msg)
}

// readPostgres connects as the postgres superuser (peer or trust
// authentication; Ward holds no database password).
func readPostgres(ctx context.Context, host string) ([]PostgresRole, error) {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	cfg, err := pgx.ParseConfig("user=postgres dbname=postgres sslmode=disable connect_timeout=5")
	if err != nil {
		return nil, err
	}
	cfg.Host, cfg.Port = host, 5432
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, "SELECT rolname, rolpassword, rolcanlogin FROM pg_authid")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PostgresRole
	for rows.Next() {
		var role PostgresRole
		if err := rows.Scan(&role.Name, &role.Password, &role.CanLogin); err != nil {
			return nil, err
		}
		out = append(out, role)
	}
	return out, rows.Err()
}

// Allow-listed binaries for readPostgresAsUser (absolute paths, argv
// only, no shell).
const (
	runuserBin = "/usr/sbin/runuser"
	psqlBin    = "/usr/bin/psql"
)

// readPostgresAsUser runs psql as the postgres user through runuser,
// with unit/record separators no role name contains.
func readPostgresAsUser(ctx context.Context) ([]PostgresRole, error) {
	for _, b := range []string{runuserBin, psqlBin} {
		if _, err := os.Stat(b); err != nil {
			return nil, fmt.Errorf("%s not found", b)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, runuserBin, "-u", "postgres", "--", psqlBin, "-X", "-A", "-t", "-q",
		"-F", "\x1f", "-R", "\x1e", "-d", "postgres", "-c",
		"SELECT rolname, coalesce(rolpassword, ''), rolpassword IS NULL, rolcanlogin FROM pg_authid")
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "PGCONNECT_TIMEOUT=5"}
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 512}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return parsePsqlRoles(string(out))
}

// parsePsqlRoles reads readPostgresAsUser's output.
func parsePsqlRoles(out string) ([]PostgresRole, error) {
	var roles []PostgresRole
	for _, rec := range strings.Split(strings.TrimRight(out, "\n"), "\x1e") {
		rec = strings.Trim(rec, "\n")
		if rec == "" {
			continue
		}
		f := strings.Split(rec, "\x1f")
		if len(f) != 4 {
			return nil, fmt.Errorf("unexpected psql output (%d fields)", len(f))
		}
		role := PostgresRole{Name: f[0], CanLogin: f[3] == "t"}
		if f[2] != "t" {
			pw := f[1]
			role.Password = &pw
		}
		roles = append(roles, role)
	}
	return roles, nil
}

type limitedWriter struct {
	w interface{ WriteString(string) (int, error) }
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.WriteString(string(p[:k]))
		l.n -= k
	}
	return len(p), nil
}
