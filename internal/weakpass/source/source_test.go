package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

// fixture is the shared fixture root of the weakpass packages.
const fixture = "../testdata/root"

type goldenCred struct {
	Credential
	Secret string `json:"secret,omitempty"`
}

type goldenResult struct {
	Credentials []goldenCred `json:"credentials"`
	Exposures   []Exposure   `json:"exposures"`
	Unchecked   []Unchecked  `json:"unchecked"`
	Stores      []string     `json:"stores"`
	Warnings    []string     `json:"warnings"`
}

func TestCollectFixture(t *testing.T) {
	var warnings []string
	e := &Env{FS: fixtureRoot(t), Warn: func(p, f string, a ...any) {
		warnings = append(warnings, p+": "+fmt.Sprintf(f, a...))
	}}
	r := Collect(context.Background(), e)
	got := goldenResult{Exposures: r.Exposures, Unchecked: r.Unchecked, Stores: r.Stores, Warnings: warnings}
	for _, c := range r.Credentials {
		got.Credentials = append(got.Credentials, goldenCred{c, c.Secret})
	}
	testutil.GoldenJSON(t, "collect", got)

	// Spot checks of what the golden file must say.
	has := func(store, account string, state State) bool {
		for _, c := range r.Credentials {
			if c.Store == store && c.Account == account && c.State == state {
				return true
			}
		}
		return false
	}
	for _, want := range []struct {
		store, account string
		state          State
	}{
		{"shadow", "root", Test}, {"shadow", "guest", Empty}, {"shadow", "locked", Locked},
		{"redis", "cache", Empty}, {"redis", "default", Test}, {"tomcat", "tomcat", Test}, {"tomcat", "legacy", Empty},
		{"openldap", "cn=admin,dc=example,dc=org", Test}, {"snmp", "community (rocommunity)", Test},
		{"proftpd", "ftpupload", Test}, {"vsftpd", "virtual1", Test}, {"htpasswd", "admin", Test}, {"htpasswd", "ops", Test},
	} {
		if !has(want.store, want.account, want.state) {
			t.Errorf("no %s account %q in state %q", want.store, want.account, want.state)
		}
	}
	for _, w := range []string{"/etc/shadow: line 12: malformed line", "/etc/shadow: line 13: account trunc: truncated or malformed sha512crypt",
		"/etc/shadow: line 14: account weird: unknown hash scheme $9z$", "/etc/redis/users.acl: line 5",
		"/etc/nginx/.htpasswd: line 3: account broken"} {
		if !containsPrefix(warnings, w) {
			t.Errorf("no warning %q in %q", w, warnings)
		}
	}
	for _, ex := range r.Exposures {
		if ex.Path == "/etc/ssh/ssh_host_ed25519_key" {
			t.Error("sshd host key reported")
		}
		if ex.Path == "/home/alice/.ssh/id_ed25519" {
			t.Error("passphrase-protected key reported unencrypted")
		}
	}
}

func containsPrefix(list []string, p string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// TestNoSecretsInJSON: the Result's JSON (what reports and the agent
// send) never carries a secret.
func TestNoSecretsInJSON(t *testing.T) {
	r := Collect(context.Background(), &Env{FS: fixtureRoot(t)})
	data := fmt.Sprintf("%+v", mustJSON(t, r))
	for _, c := range r.Credentials {
		// (a secret equal to the account name, "tomcat", is no leak)
		if c.State == Test && !strings.Contains(c.Account, c.Secret) && strings.Contains(data, c.Secret) {
			t.Errorf("secret of %s/%s in the JSON", c.Store, c.Account)
		}
	}
}

func TestCryptScheme(t *testing.T) {
	for _, tc := range []struct{ hash, scheme, err string }{
		{"$y$j9T$Z7oW/6y7gzGl25eraIaCs1$6l4JvHRx/Yc4Xgkn050TXEk6gj5Pc6eIOsE5OCSSipC", "yescrypt", ""},
		{"$y$j9T$Z7oW/6y7gzGl25eraIaCs1$6l4JvHRx", "yescrypt", "truncated"},
		{"$6$rounds=10000$lLpO4MlTT/G0M4yj$I5MM5iON0TdrcQwtwkm8WPzQgRTBiyxFbsPm2J2UflrE5Ad3PH4G8afV9fQlSHaD/ga5rf1CkXe7eZgfCZCFy1", "sha512crypt", ""},
		{"$6$rounds=abc$lLpO4MlTT/G0M4yj$I5MM5iON0TdrcQwtwkm8WPzQgRTBiyxFbsPm2J2UflrE5Ad3PH4G8afV9fQlSHaD/ga5rf1CkXe7eZgfCZCFy1", "sha512crypt", "rounds"},
		{"$5$saltsalt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF7.jE7E5", "sha256crypt", ""},
		{"$1$abcdefgh$IGbGxLcmb6uB8c6KSsPB5.", "md5crypt", ""},
		{"$apr1$abcdefgh$IGbGxLcmb6uB8c6KSsPB5.", "apr1", ""},
		{"$2b$10$abcdefghijklmnopqrstuu5Ry6YnFh7x7Rr5aF3I5Zp0ZCBlDxT0S", "bcrypt", ""},
		{"$2b$99$abcdefghijklmnopqrstuu5Ry6YnFh7x7Rr5aF3I5Zp0ZCBlDxT0S", "bcrypt", "cost"},
		{"$gy$j9T$Z7oW/6y7gzGl25eraIaCs1$6l4JvHRx/Yc4Xgkn050TXEk6gj5Pc6eIOsE5OCSSipC", "gost-yescrypt", ""},
		{"$7$CU..../....abcdefghijklmno$Bf8NlKRmEC6vY7vNgtHJlbBJmjDaHX0UuM7IZ6GHEs6", "scrypt", ""},
		{"IdyK4mdGevCYY", "descrypt", ""},
		{"IdyK4md", "descrypt", "truncated"},
		{"_J9..CCCCXBrJUJV154M", "bsdicrypt", ""},
		{"$9z$salt$hash", "", "unknown hash scheme $9z$"},
		{"$$", "", "unknown"},
		{"not a hash at all", "", "unrecognised"},
	} {
		scheme, err := CryptScheme(tc.hash)
		if scheme != tc.scheme {
			t.Errorf("%s: scheme %q, want %q", tc.hash, scheme, tc.scheme)
		}
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.hash, err, tc.err)
		}
	}
}

func TestParseGlobalPriv(t *testing.T) {
	for _, tc := range []struct {
		priv   string
		states []State
		un     int
	}{
		{`{"plugin":"mysql_native_password","authentication_string":"","account_locked":true}`, []State{Locked}, 0},
		{`{"plugin":"mysql_native_password","authentication_string":"invalid","auth_or":[{},{"plugin":"unix_socket"}]}`, []State{Locked}, 0},
		{`{"plugin":"mysql_native_password","authentication_string":"","auth_or":[{"plugin":"unix_socket"},{}]}`, []State{Empty}, 0},
		{`{"plugin":"mysql_native_password","authentication_string":"*825BFFE53A9A201FC92B6318C78C817EA0148FEC"}`, []State{Test}, 0},
		{`{"plugin":"ed25519","authentication_string":"abc"}`, nil, 1},
		{`{"plugin":"unix_socket"}`, nil, 0},
	} {
		a, err := ParseGlobalPriv("u", "localhost", []byte(tc.priv))
		if err != nil {
			t.Fatal(err)
		}
		creds, un := mysqlCredentials(a, "mysql.global_priv")
		var states []State
		for _, c := range creds {
			states = append(states, c.State)
		}
		if fmt.Sprint(states) != fmt.Sprint(tc.states) || len(un) != tc.un {
			t.Errorf("%s: states %v unchecked %v, want %v and %d", tc.priv, states, un, tc.states, tc.un)
		}
	}
	if _, err := ParseGlobalPriv("u", "h", []byte("{")); err == nil || !strings.Contains(err.Error(), "u@h") {
		t.Errorf("bad JSON: %v", err)
	}
}

func TestPostgresCredential(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		role   PostgresRole
		state  State
		format string
	}{
		{PostgresRole{Name: "app", Password: s("md5a3556571e93b0d20722ba62be61e8c2d"), CanLogin: true}, Test, "postgresql-md5"},
		{PostgresRole{Name: "app", Password: s("SCRAM-SHA-256$4096:c2FsdA==$a:b"), CanLogin: true}, Test, "postgresql-scram-sha-256"},
		{PostgresRole{Name: "nologin", Password: s("md5a3556571e93b0d20722ba62be61e8c2d")}, Locked, ""},
		{PostgresRole{Name: "postgres", CanLogin: true}, Locked, ""},
	} {
		c, _ := postgresCredential(tc.role)
		if c.State != tc.state || c.Format != tc.format {
			t.Errorf("%+v: state %q format %q", tc.role, c.State, c.Format)
		}
	}
}

func TestCheckPrivateKey(t *testing.T) {
	for _, tc := range []struct {
		file string
		want KeyProtection
	}{
		{"root/.ssh/id_ed25519", Unencrypted},
		{"home/alice/.ssh/id_ed25519", Encrypted},
		{"home/alice/.ssh/deploy_rsa", Unencrypted},
		{"etc/passwd", NotAKey},
	} {
		data, err := os.ReadFile(filepath.Join(fixture, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := CheckPrivateKey(data)
		if got != tc.want {
			t.Errorf("%s: %v (%v), want %v", tc.file, got, err, tc.want)
		}
	}
	legacy := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"
	if got, _, _ := CheckPrivateKey([]byte(legacy)); got != Encrypted {
		t.Errorf("legacy encrypted PEM: %v", got)
	}
	if got, _, _ := CheckPrivateKey([]byte("-----BEGIN OPENSSH PRIVATE KEY-----\ngarbage\n-----END OPENSSH PRIVATE KEY-----\n")); got != Unparsable {
		t.Errorf("garbage key: %v", got)
	}
}

func TestNotLiveDatabases(t *testing.T) {
	// A mounted image with database servers: reported unchecked, never silent.
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, map[string]string{"etc/postgresql/15/main/postgresql.conf": "port = 5432\n"})
	r := Collect(context.Background(), &Env{FS: testutil.OpenRoot(t, dir)})
	if len(r.Unchecked) != 1 || r.Unchecked[0].Store != "postgresql" || !strings.Contains(r.Unchecked[0].Reason, "not the running host") {
		t.Errorf("unchecked: %+v", r.Unchecked)
	}
}
