package probe

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/testutil"
)

// Secrets in scanned configuration never reach evidence or reasons,
// whether the probe passes or fails, with or without redact: true.
func TestSecretsNeverInEvidence(t *testing.T) {
	const secret = "S3cr3t-fixture-value"
	root := testutil.TempRoot(t, map[string]string{
		"etc/redis/redis.conf":                   "bind 127.0.0.1\nrequirepass " + secret + "\nmasterauth " + secret + "\n",
		"etc/tomcat/tomcat-users.xml":            `<user username="admin" password="` + secret + `" roles="manager-gui"/>` + "\n",
		"etc/tomcat/server.xml":                  `<Server port="8005" shutdown="` + secret + `">` + "\n",
		"etc/postgresql/16/main/postgresql.conf": "primary_conninfo = 'host=db user=rep password=" + secret + "'\n",
		"root/.docker/config.json":               `{"auths": {"r.example": {"auth": "` + secret + `"}}}` + "\n",
		"etc/mysql/my.cnf":                       "[client]\npassword = " + secret + "\n",
		"boot/grub/grub.cfg":                     "set superusers=\"root\"\npassword_pbkdf2 root grub.pbkdf2.sha512.10000." + secret + "\n",
		"boot/grub2/user.cfg":                    "GRUB2_PASSWORD=grub.pbkdf2.sha512.10000." + secret + "\n",
	})
	tg := NewTarget(context.Background(), root, false, "", inv())
	kv := func(key, op, value string, redact bool) policy.Probe {
		return policy.Probe{KeyValue: &policy.KeyValueProbe{Paths: []string{"/etc/redis/redis.conf"}, Syntax: "space", Key: key, Cmp: policy.Cmp{Op: op, Value: value}, Redact: redact}}
	}
	ct := func(path, re string, redact bool) policy.Probe {
		return policy.Probe{Content: &policy.ContentProbe{Paths: []string{path}, Match: re, Redact: redact}}
	}
	cases := []struct {
		name string
		p    policy.Probe
		want Status
		ev   string // expected evidence substring
	}{
		{"requirepass set", kv("requirepass", "match", `\S`, false), Pass, "requirepass <redacted>"},
		{"requirepass compared (fails)", kv("requirepass", "eq", "other", false), Fail, "<redacted>"},
		{"requirepass numeric compare", kv("requirepass", "ge", "8", false), Fail, "<redacted>"},
		{"forced redact on a plain key", kv("bind", "eq", "10.0.0.1", true), Fail, "bind <redacted>"},
		{"redis content line", ct("/etc/redis/redis.conf", `^requirepass\s`, false), Pass, "requirepass <redacted>"},
		{"masterauth content", ct("/etc/redis/redis.conf", `^masterauth`, false), Pass, "masterauth <redacted>"},
		{"tomcat users", ct("/etc/tomcat/tomcat-users.xml", `<user\b`, false), Pass, `password=<redacted>`},
		{"tomcat shutdown (redact: true)", ct("/etc/tomcat/server.xml", `<Server\b`, true), Pass, "<Server <redacted>"},
		{"postgres conninfo", ct("/etc/postgresql/*/main/postgresql.conf", `conninfo`, false), Pass, "password=<redacted>"},
		{"docker auths", ct("/root/.docker/config.json", `auth`, false), Pass, `"auth": <redacted>`},
		{"mysql password", ct("/etc/mysql/my.cnf", `password`, false), Pass, "password = <redacted>"},
		{"grub password hash", ct("/boot/grub/grub.cfg", `^\s*password_pbkdf2\s+\S+\s+grub\.pbkdf2\.`, false), Pass, "password_pbkdf2 root [redacted]"},
		{"grub2 user.cfg", ct("/boot/grub2/user.cfg", `^\s*GRUB2_PASSWORD=grub\.pbkdf2\.`, false), Pass, "GRUB2_PASSWORD=<redacted>"},
	}
	for _, c := range cases {
		r := tg.Eval(c.p)
		out, _ := json.Marshal(r)
		if strings.Contains(string(out), secret) || strings.Contains(string(out), "S3cr3t") {
			t.Errorf("%s: secret in result %s", c.name, out)
		}
		if r.Status != c.want || !strings.Contains(strings.Join(r.Evidence, "|"), c.ev) {
			t.Errorf("%s: %v %q %q, want %v with evidence %q", c.name, r.Status, r.Reason, r.Evidence, c.want, c.ev)
		}
	}
}

// Keys that merely contain a secret word keep their values: the evidence
// of ordinary checks stays useful.
func TestRedactKeepsOrdinaryLines(t *testing.T) {
	for _, l := range []string{
		"PASS_MAX_DAYS 90", "PasswordAuthentication no", "PermitEmptyPasswords no", "ServerTokens Prod",
		"server_tokens off;", "password_encryption = scram-sha-256", "validate_password.length = 14",
		"default_password_lifetime = 90", "host all all 10.0.0.0/8 password",
	} {
		if got := redactLine("/etc/x.conf", l, false); got != l {
			t.Errorf("%q redacted to %q", l, got)
		}
	}
	if got := redactLine("/etc/pam.d/common-password", "password requisite pam_pwquality.so retry=3", false); strings.Contains(got, Redacted) {
		t.Errorf("PAM line redacted: %q", got)
	}
	for _, k := range []string{"requirepass", "masterauth", "rootpw", "client_secret", "auth_token", "ssl_key_password"} {
		if !SecretKey(k) {
			t.Errorf("SecretKey(%q) = false", k)
		}
	}
	for _, k := range []string{"PASS_MAX_DAYS", "PasswordAuthentication", "ENCRYPT_METHOD", "bind"} {
		if SecretKey(k) {
			t.Errorf("SecretKey(%q) = true", k)
		}
	}
}
