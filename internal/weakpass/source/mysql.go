package source

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// dbTimeout bounds each database connection and query.
const dbTimeout = 5 * time.Second

// mysqlSockets are the distributions' MySQL/MariaDB socket paths.
var mysqlSockets = []string{"/run/mysqld/mysqld.sock", "/var/run/mysqld/mysqld.sock", "/var/lib/mysql/mysql.sock", "/tmp/mysql.sock"}

// MySQLAccount is one row of mysql.user / mysql.global_priv.
type MySQLAccount struct {
	User, Host string
	// Alternatives are the plugin/authentication string pairs the account
	// accepts (MariaDB's "auth_or" lists several).
	Alternatives []MySQLAuth
	Locked       bool
}

type MySQLAuth struct {
	Plugin, AuthString string
}

// ParseGlobalPriv reads MariaDB's mysql.global_priv JSON (10.4+).
func ParseGlobalPriv(user, host string, priv []byte) (MySQLAccount, error) {
	var p struct {
		Plugin     string `json:"plugin"`
		AuthString string `json:"authentication_string"`
		Locked     bool   `json:"account_locked"`
		AuthOr     []struct {
			Plugin     string `json:"plugin"`
			AuthString string `json:"authentication_string"`
		} `json:"auth_or"`
	}
	if err := json.Unmarshal(priv, &p); err != nil {
		return MySQLAccount{}, fmt.Errorf("global_priv of %s@%s: %v", user, host, err)
	}
	a := MySQLAccount{User: user, Host: host, Locked: p.Locked}
	main := MySQLAuth{Plugin: p.Plugin, AuthString: p.AuthString}
	if main.Plugin == "" {
		main.Plugin = "mysql_native_password"
	}
	if len(p.AuthOr) == 0 {
		a.Alternatives = []MySQLAuth{main}
		return a, nil
	}
	// An empty element of auth_or stands for the top-level pair.
	for _, alt := range p.AuthOr {
		if alt.Plugin == "" && alt.AuthString == "" {
			a.Alternatives = append(a.Alternatives, main)
			continue
		}
		a.Alternatives = append(a.Alternatives, MySQLAuth{Plugin: alt.Plugin, AuthString: alt.AuthString})
	}
	return a, nil
}

// mysqlCredentials turns an account into credentials to test, or says why
// it cannot be tested.
func mysqlCredentials(a MySQLAccount, path string) ([]Credential, []Unchecked) {
	name := a.User + "@" + a.Host
	base := Credential{Store: "mysql", Account: name, Path: path, Hints: nonEmpty(a.User)}
	if a.Locked {
		base.State = Locked
		return []Credential{base}, nil
	}
	var creds []Credential
	var un []Unchecked
	for _, alt := range a.Alternatives {
		c := base
		switch alt.Plugin {
		case "unix_socket", "auth_socket":
			continue // operating-system identity, no password
		case "mysql_native_password", "":
			switch {
			case alt.AuthString == "":
				c.State = Empty
			case alt.AuthString == "invalid" || !strings.HasPrefix(alt.AuthString, "*") || len(alt.AuthString) != 41:
				c.State = Locked // MariaDB's "invalid": no password can match
			default:
				c.Secret, c.Format = alt.AuthString, "mysql-native"
			}
		case "caching_sha2_password":
			if alt.AuthString == "" {
				c.State = Empty
			} else {
				c.Secret, c.Format = alt.AuthString, "mysql-caching-sha2"
			}
		case "mysql_old_password":
			if alt.AuthString == "" {
				c.State = Empty
			} else {
				un = append(un, Unchecked{Store: "mysql", Path: path, Account: name, Reason: "mysql_old_password (pre-4.1 hash, trivially weak): not tested"})
				continue
			}
		default:
			un = append(un, Unchecked{Store: "mysql", Path: path, Account: name, Reason: "authentication plugin " + alt.Plugin})
			continue
		}
		creds = append(creds, c)
	}
	return creds, un
}

func collectMySQL(ctx context.Context, e *Env, r *Result) {
	socks := e.MySQLSockets
	if socks == nil {
		socks = mysqlSockets
	}
	sock := ""
	for _, s := range socks {
		if fi, err := e.FS.Stat(s); err == nil && fi.Mode()&modeSocket != 0 {
			sock = s
			break
		}
	}
	if sock == "" {
		return // no server here
	}
	r.found("mysql")
	switch {
	case !e.Live:
		r.unchecked("mysql", sock, "", "MySQL (not the running host: the database files are not read)")
		return
	case !e.Root:
		r.unchecked("mysql", sock, "", "MySQL (no socket access: not running as root)")
		return
	}
	accounts, path, err := readMySQL(ctx, sock, "root", "")
	if err != nil {
		// Debian's maintenance account, where root needs a password.
		if data, rerr := e.FS.ReadFile("/etc/mysql/debian.cnf", maxConfigBytes); rerr == nil {
			user, pw := debianMaint(data)
			if user != "" && pw != "" {
				var derr error
				if accounts, path, derr = readMySQL(ctx, sock, user, pw); derr == nil {
					err = nil
				}
			}
		}
	}
	if err != nil {
		e.warn(sock, "MySQL: %v", err)
		r.unchecked("mysql", sock, "", "MySQL (no socket access: %v)", err)
		return
	}
	for _, a := range accounts {
		c, un := mysqlCredentials(a, path)
		r.Credentials = append(r.Credentials, c...)
		r.Unchecked = append(r.Unchecked, un...)
	}
}

// readMySQL connects as root through the socket (unix_socket/auth_socket
// authentication) and reads the accounts.
func readMySQL(ctx context.Context, sock, user, password string) ([]MySQLAccount, string, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = user, password, "unix", sock
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = dbTimeout, dbTimeout, dbTimeout
	cfg.AllowNativePasswords = true
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, "", err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	// MariaDB 10.4+: the whole truth is in global_priv (auth_or, locks).
	if rows, err := db.QueryContext(ctx, "SELECT User, Host, Priv FROM mysql.global_priv"); err == nil {
		defer rows.Close()
		var out []MySQLAccount
		for rows.Next() {
			var user, host string
			var priv []byte
			if err := rows.Scan(&user, &host, &priv); err != nil {
				return nil, "", err
			}
			a, err := ParseGlobalPriv(user, host, priv)
			if err != nil {
				return nil, "", err
			}
			out = append(out, a)
		}
		return out, "mysql.global_priv", rows.Err()
	}
	rows, err := db.QueryContext(ctx, "SELECT user, host, plugin, authentication_string, account_locked FROM mysql.user")
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []MySQLAccount
	for rows.Next() {
		var user, host, plugin, locked string
		var auth []byte // caching_sha2 strings are binary
		if err := rows.Scan(&user, &host, &plugin, &auth, &locked); err != nil {
			return nil, "", err
		}
		out = append(out, MySQLAccount{User: user, Host: host, Locked: locked == "Y",
			Alternatives: []MySQLAuth{{Plugin: plugin, AuthString: string(auth)}}})
	}
	return out, "mysql.user", rows.Err()
}

// debianMaint reads the [client] account of /etc/mysql/debian.cnf.
func debianMaint(data []byte) (user, password string) {
	section := ""
	for _, line := range splitLines(data) {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			section = strings.Trim(t, "[] ")
			continue
		}
		if section != "client" {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "user":
			user = unquote(strings.TrimSpace(v))
		case "password":
			password = unquote(strings.TrimSpace(v))
		}
	}
	return user, password
}
