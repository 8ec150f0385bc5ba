package baseline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/testutil"
)

// Distribution and middleware content on small fixture roots: the gates
// (a policy for another distribution or version is not-applicable with a
// reason, never fail) and the pass/fail of chosen checks, plus golden
// results for the whole policies.

type want struct {
	policy, check string
	status        baseline.Status
}

func expect(t *testing.T, rep *baseline.Report, ws []want) {
	t.Helper()
	for _, w := range ws {
		if c := status(rep, w.policy, w.check); c.Status != w.status {
			t.Errorf("%s/%s: %s (%s) %v, want %s", w.policy, w.check, c.Status, c.Reason, c.Evidence, w.status)
		}
	}
}

// allNA asserts every check of policy is not-applicable with a reason
// naming the gate.
func allNA(t *testing.T, rep *baseline.Report, policy, reason string) {
	t.Helper()
	for _, p := range rep.Policies {
		if p.Policy != policy {
			continue
		}
		if p.Counts[baseline.NotApplicable] != len(p.Checks) || len(p.Checks) == 0 {
			t.Errorf("%s: %v, want all %d not-applicable", policy, p.Counts, len(p.Checks))
		}
		if !strings.Contains(p.Checks[0].Reason, reason) {
			t.Errorf("%s: reason %q, want it to mention %q", policy, p.Checks[0].Reason, reason)
		}
		return
	}
	t.Errorf("policy %s not in the report", policy)
}

func TestUbuntuContent(t *testing.T) {
	needRoot(t)
	rep, _ := runBaseline(t, copyFixture(t, "content-ubuntu2404"), baseline.Options{Policies: []string{"ubuntu2404-l2", "ubuntu2204-l2", "debian12-l1"}})
	testutil.GoldenJSON(t, "results-content-ubuntu2404", compact(rep))
	allNA(t, rep, "ubuntu2204-l2", "not ubuntu 22.04")
	allNA(t, rep, "debian12-l1", "not debian 12")
	const p = "ubuntu2404-l2"
	expect(t, rep, []want{
		{p, "sshd-permit-root-login", baseline.Fail},
		{p, "sshd-x11-forwarding", baseline.Pass},
		{p, "apport-absent", baseline.Fail},
		{p, "motd-news-disabled", baseline.Pass},
		{p, "ufw-default-deny-incoming", baseline.Pass},
		{p, "ufw-enabled-config", baseline.Fail},
		{p, "ufw-loopback", baseline.Pass},
		{p, "ufw-iptables-persistent-absent", baseline.Fail},
		{p, "ufw-default-deny-routed", baseline.Fail},
		{p, "unattended-upgrades-installed", baseline.Pass},
		{p, "unattended-upgrades-enabled", baseline.Pass},
		{p, "apt-sources-authenticated", baseline.Fail},
		{p, "apt-no-unauthenticated", baseline.Pass},
		{p, "cloud-init-disable-root", baseline.Fail},
		{p, "cloud-init-no-ssh-pwauth", baseline.Fail},
		{p, "netplan-perms", baseline.Fail},
		{p, "snapd-absent", baseline.Fail},
		{p, "whoopsie-absent", baseline.Pass},
		{p, "sysctl-kernel-apparmor-restrict-unprivileged-userns", baseline.Pass},
		{p, "sysctl-net-ipv4-ip-forward", baseline.Fail},
		{p, "sysctl-kernel-randomize-va-space", baseline.Pass},
		{p, "login-defs-pass-max-days", baseline.Pass},
		{p, "default-umask", baseline.Pass},
		{p, "service-telnet-server-unused", baseline.Pass},
	})
}

func TestRHELContent(t *testing.T) {
	needRoot(t)
	rep, _ := runBaseline(t, copyFixture(t, "content-rocky9"), baseline.Options{Policies: []string{"rhel9-l2", "rhel8-l1", "ubuntu2404-l1"}})
	testutil.GoldenJSON(t, "results-content-rocky9", compact(rep))
	allNA(t, rep, "rhel8-l1", "not rhel")
	allNA(t, rep, "ubuntu2404-l1", "not ubuntu 24.04")
	const p = "rhel9-l2"
	expect(t, rep, []want{
		{p, "selinux-not-disabled", baseline.Pass},
		{p, "selinux-policy-targeted", baseline.Pass},
		{p, "selinux-enforcing", baseline.Fail},
		{p, "crypto-policy-not-legacy", baseline.Fail},
		{p, "crypto-policy-no-sha1", baseline.Fail},
		{p, "crypto-policy-sshd-not-overridden", baseline.Error}, // gated on openssh-server: no rpm database here
		{p, "dnf-gpgcheck", baseline.Pass},
		{p, "dnf-repo-gpgcheck", baseline.Fail},
		{p, "repos-gpgcheck-not-disabled", baseline.Fail},
		{p, "authselect-profile", baseline.Pass},
		{p, "authselect-with-faillock", baseline.Pass},
		{p, "authselect-without-nullok", baseline.Fail},
		{p, "pam-pam-faillock-auth", baseline.Pass},
		{p, "pam-unix-no-nullok-auth", baseline.Fail},
		{p, "pam-unix-strong-hash", baseline.Pass},
		{p, "faillock-deny", baseline.Pass},
		{p, "perms-shadow", baseline.Pass},
		{p, "sshd-permit-root-login", baseline.Error}, // likewise: unknown is never pass
		{p, "login-defs-pass-min-days", baseline.Fail},
	})
	// Without an rpm database the package checks cannot be answered:
	// error with the reason, never pass.
	if c := status(rep, p, "service-avahi-unused"); c.Status == baseline.Pass {
		t.Errorf("service-avahi-unused without package inventory: %s %s", c.Status, c.Reason)
	}
}

func TestMiddlewareContent(t *testing.T) {
	needRoot(t)
	mw := []string{"nginx", "apache-httpd", "tomcat", "mysql", "postgresql", "redis", "docker"}
	rep, findings := runBaseline(t, copyFixture(t, "content-middleware"), baseline.Options{Policies: mw})
	testutil.GoldenJSON(t, "results-content-middleware", compact(rep))
	fail := func(p string, checks ...string) []want {
		var ws []want
		for _, c := range checks {
			ws = append(ws, want{p, c, baseline.Fail})
		}
		return ws
	}
	var ws []want
	ws = append(ws, fail("nginx", "nginx-server-tokens-off", "nginx-no-autoindex", "nginx-tls-protocols", "nginx-ssl-ciphers", "nginx-user-not-root",
		"nginx-access-log-on", "nginx-keepalive-timeout")...)
	ws = append(ws, fail("apache-httpd", "apache-server-tokens-prod", "apache-server-signature-off", "apache-trace-off", "apache-no-indexes",
		"apache-mod-autoindex-off", "apache-tls-protocols", "apache-ssl-ciphers", "apache-timeout")...)
	ws = append(ws, fail("tomcat", "tomcat-shutdown-port-disabled", "tomcat-shutdown-command", "tomcat-ajp-secret-required", "tomcat-manager-remote-restricted",
		"tomcat-examples-removed", "tomcat-users-perms", "tomcat-no-x-powered-by", "tomcat-no-trace", "tomcat-auto-deploy-off")...)
	ws = append(ws, fail("mysql", "mysql-local-infile-off", "mysql-bind-address", "mysql-no-log-raw", "mysql-not-root", "mysql-no-history-file", "mysql-datadir-perms")...)
	ws = append(ws, fail("postgresql", "pg-listen-addresses", "pg-hba-no-trust-remote", "pg-hba-no-trust-local", "pg-hba-no-weak-password-methods",
		"pg-password-encryption", "pg-ssl-on", "pg-log-connections", "pg-hba-perms")...)
	ws = append(ws, fail("redis", "redis-bind", "redis-protected-mode", "redis-config-disabled", "redis-conf-perms")...)
	ws = append(ws, fail("docker", "docker-icc-disabled", "docker-no-insecure-registries", "docker-tcp-socket-tls", "docker-no-experimental",
		"docker-userns-remap", "docker-log-limits", "docker-daemon-json-perms")...)
	ws = append(ws,
		want{"nginx", "nginx-hidden-files-denied", baseline.Fail},
		want{"apache-httpd", "apache-mod-dav-off", baseline.Pass},
		want{"tomcat", "tomcat-docs-removed", baseline.Pass},
		want{"tomcat", "tomcat-listings-off", baseline.Manual},
		want{"redis", "redis-requirepass-not-empty", baseline.Pass},
		want{"redis", "redis-flushall-disabled", baseline.Pass},
		want{"redis", "redis-requirepass-set", baseline.Pass},
		want{"docker", "docker-log-level", baseline.Pass},
	)
	expect(t, rep, ws)
	// Secrets in the scanned configuration never reach results or findings.
	out, _ := json.Marshal(rep)
	fo, _ := json.Marshal(findings)
	for _, secret := range []string{"redis-fixture-secret-42", "tomcat-fixture-pw", "fixture history"} {
		if strings.Contains(string(out), secret) || strings.Contains(string(fo), secret) {
			t.Errorf("secret %q appears in the results", secret)
		}
	}

	// Where none of the servers is configured, every middleware policy is
	// not-applicable, with the missing configuration as the reason.
	rep, _ = runBaseline(t, copyFixture(t, "content-ubuntu2404"), baseline.Options{Policies: mw})
	for _, p := range mw {
		allNA(t, rep, p, "does not exist")
	}
}

// Auto selection picks the distribution policies by os-release and the
// middleware policies by installed package.
func TestContentAutoSelection(t *testing.T) {
	needRoot(t)
	cases := map[string][]string{
		"content-ubuntu2404": {"ubuntu2404-l2"},
		"content-rocky9":     {"rhel9-l2"},
		"content-middleware": {"debian12-l2", "nginx", "apache-httpd", "tomcat", "mysql", "postgresql", "redis", "docker"},
	}
	for root, wantIDs := range cases {
		rep, _ := runBaseline(t, copyFixture(t, root), baseline.Options{Level: "2"})
		got := map[string]bool{}
		for _, p := range rep.Policies {
			got[p.Policy] = true
		}
		for _, id := range wantIDs {
			if !got[id] {
				t.Errorf("%s: auto selection %v lacks %s", root, keys(got), id)
			}
		}
		for _, other := range []string{"ubuntu2204-l2", "rhel8-l2", "ubuntu2404-l1"} {
			if got[other] {
				t.Errorf("%s: auto selection picked %s", root, other)
			}
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Ubuntu 22.04 and the RHEL 8 family: a few pass/fail results each, and the
// other version of the same distribution is not-applicable.
func TestUbuntu2204AndRHEL8Content(t *testing.T) {
	needRoot(t)
	rep, _ := runBaseline(t, copyFixture(t, "content-ubuntu2204"), baseline.Options{Policies: []string{"ubuntu2204-l2", "ubuntu2404-l1"}})
	testutil.GoldenJSON(t, "results-content-ubuntu2204", compact(rep))
	allNA(t, rep, "ubuntu2404-l1", "not ubuntu 24.04")
	const u = "ubuntu2204-l2"
	expect(t, rep, []want{
		{u, "sshd-permit-root-login", baseline.Pass},
		// the cloud-init drop-in is read through Include and wins
		{u, "sshd-password-authentication", baseline.Fail},
		{u, "pam-unix-no-nullok-auth", baseline.Fail},
		{u, "pam-pam-faillock-auth", baseline.Fail},
		{u, "pam-unix-strong-hash", baseline.Pass},
		{u, "pam-pam-pwquality-password", baseline.Pass},
		{u, "pwquality-minlen", baseline.Pass},
		{u, "apport-absent", baseline.Pass}, // installed but enabled=0
		{u, "login-defs-pass-max-days", baseline.Fail},
		{u, "default-umask", baseline.Fail},
		{u, "unattended-upgrades-installed", baseline.Fail},
	})

	rep, _ = runBaseline(t, copyFixture(t, "content-alma8"), baseline.Options{Policies: []string{"rhel8-l2", "rhel9-l1"}})
	testutil.GoldenJSON(t, "results-content-alma8", compact(rep))
	allNA(t, rep, "rhel9-l1", "not rhel/rocky/almalinux 9")
	const r = "rhel8-l2"
	expect(t, rep, []want{
		{r, "selinux-not-disabled", baseline.Fail},
		{r, "selinux-policy-targeted", baseline.Pass},
		{r, "crypto-policy-not-legacy", baseline.Pass},
		{r, "crypto-policy-no-sha1", baseline.Pass},
		{r, "dnf-gpgcheck", baseline.Fail},
		// RHEL 8's shadow-utils has no yescrypt: SHA512 is required
		{r, "login-defs-encrypt-method", baseline.Fail},
		{r, "pam-unix-strong-hash", baseline.Fail},
		{r, "pam-pam-faillock-auth", baseline.Fail},
		{r, "login-defs-pass-max-days", baseline.Pass},
		{r, "default-umask", baseline.Pass},
		{r, "perms-shadow", baseline.Fail}, // 0600, RHEL wants 0000
	})
}

// Tomcat unpacked from the Apache tarball under /opt/apache-tomcat-<version>
// is found by the policy's globbed file gate (it used to be
// not-applicable), and its shutdown word and user passwords stay out of
// the results.
func TestTomcatUnderOpt(t *testing.T) {
	needRoot(t)
	rep, findings := runBaseline(t, copyFixture(t, "tomcat-opt"), baseline.Options{Policies: []string{"tomcat"}})
	const p = "tomcat"
	expect(t, rep, []want{
		{p, "tomcat-shutdown-port-disabled", baseline.Pass},
		{p, "tomcat-shutdown-command", baseline.Pass},
		{p, "tomcat-ajp-secret-required", baseline.Pass},
		{p, "tomcat-examples-removed", baseline.Pass},
		{p, "tomcat-server-xml-perms", baseline.Pass},
		{p, "tomcat-users-perms", baseline.Fail},
		{p, "tomcat-no-x-powered-by", baseline.Fail},
		{p, "tomcat-access-log", baseline.Pass},
		{p, "tomcat-auto-deploy-off", baseline.Pass},
	})
	if c := status(rep, p, "tomcat-users-perms"); !strings.Contains(c.Reason, "/opt/apache-tomcat-9.0.85/conf/tomcat-users.xml") {
		t.Errorf("tomcat-users-perms reason %q should name the file under /opt", c.Reason)
	}
	out, _ := json.Marshal(rep)
	fo, _ := json.Marshal(findings)
	for _, secret := range []string{"opt-fixture-shutdown-word", "opt-fixture-pw"} {
		if strings.Contains(string(out), secret) || strings.Contains(string(fo), secret) {
			t.Errorf("secret %q appears in the results", secret)
		}
	}
}
