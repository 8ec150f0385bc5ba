package weakpass

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
	"github.com/ward-sec/ward/internal/weakpass/crack"
	"github.com/ward-sec/ward/internal/weakpass/source"
)

const fixture = "testdata/root"

// testWords are the fixture's weak passwords plus decoys; with the
// built-in lists off, the golden file does not move with them.
var testWords = []string{"password", "123456", "letmein", "qwerty", "abc123", "changeme", "tomcat", "public", "private",
	"secret", "admin", "upload", "welcome", "monitor123", "admin123", "shop2024", "decoy1", "decoy2"}

func checkFixture(t *testing.T) *Report {
	t.Helper()
	var warnings []string
	rep, err := Check(context.Background(), fixtureRoot(t), false,
		Options{Wordlists: [][]string{testWords}, NoBuiltin: true, NoMutations: true},
		func(p, f string, a ...any) { warnings = append(warnings, p+": "+fmt.Sprintf(f, a...)) })
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) == 0 {
		t.Error("no warnings for the fixture's malformed lines")
	}
	return rep
}

func TestCheckFixture(t *testing.T) {
	rep := checkFixture(t)
	golden := *rep
	golden.Details.Accounts = nil
	for _, a := range rep.Details.Accounts {
		if a.Status == "cracked" {
			a.Tried = 0 // parallel workers may test a few more before they stop
		}
		golden.Details.Accounts = append(golden.Details.Accounts, a)
	}
	testutil.GoldenJSON(t, "check", golden)

	byRule := map[string][]string{}
	for _, f := range rep.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f.Asset.ID)
		for _, ev := range f.Evidence {
			for _, w := range testWords[:16] {
				if ev == "password: "+w {
					t.Errorf("%s: password in clear without --show-passwords", f.Asset.ID)
				}
			}
		}
	}
	for rule, want := range map[string][]string{
		RuleWeak: {"shadow/root", "shadow/alice", "shadow/bob", "shadow/carol", "shadow/dave", "tomcat/tomcat",
			"snmp/community (rocommunity)", "snmp/community (rwcommunity)", "proftpd/ftpupload", "vsftpd/virtual1",
			"openldap/cn=admin,dc=example,dc=com", "openldap/rootdn", "openldap/cn=admin,dc=example,dc=org",
			"htpasswd/admin", "htpasswd/ops", "redis/default"},
		RuleEmpty:      {"shadow/guest", "redis/cache", "tomcat/legacy"},
		RuleScheme:     {"shadow/carol", "shadow/dave", "proftpd/ftpupload", "vsftpd/virtual1", "htpasswd/admin", "htpasswd/ops"},
		RuleNotChecked: {"credentials"},
	} {
		for _, w := range want {
			if !contains(byRule[rule], w) {
				t.Errorf("no %s finding for %s (have %v)", rule, w, byRule[rule])
			}
		}
	}
	for _, strong := range []string{"shadow/erin", "shadow/frank", "redis/worker", "tomcat/deployer", "proftpd/ftpadmin"} {
		if contains(byRule[RuleWeak], strong) {
			t.Errorf("strong password of %s reported weak", strong)
		}
	}
	joined := strings.Join(rep.Summary, "\n")
	for _, want := range []string{"accounts per store: ", "shadow 11", "not checked: shadow trunc", "not checked: shadow weird"} {
		if strings.Contains(joined, "not checked: redis default") {
			t.Error("the Redis ACL sha256 digest is not checked")
		}
		if !strings.Contains(joined, want) {
			t.Errorf("summary lacks %q:\n%s", want, joined)
		}
	}
}

func TestShowPasswords(t *testing.T) {
	root := testutil.TempRoot(t, map[string]string{"etc/shadow": "root:$1$.rx/Wm6I$G1S8UQoHdZjd6TiPm7hNZ/:19700::::::\n"})
	for show, want := range map[bool]string{true: "password: password", false: "password: p*****d"} {
		rep, err := Check(context.Background(), root, false, Options{Wordlists: [][]string{{"password"}}, NoBuiltin: true, NoMutations: true, ShowPasswords: show}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) < 1 || !contains(rep.Findings[0].Evidence, want) {
			t.Errorf("show %v: findings %+v", show, rep.Findings)
		}
		if got := rep.Details.Accounts[0].Password; got != strings.TrimPrefix(want, "password: ") {
			t.Errorf("show %v: details password %q", show, got)
		}
	}
}

func TestLeakedFixture(t *testing.T) {
	out, err := Leaked(context.Background(), fixtureRoot(t), false, []string{"letmein", "not-used-anywhere"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range out.Findings {
		got = append(got, f.Asset.ID)
		if f.Rule != RuleLeaked || f.Severity != model.SevCritical {
			t.Errorf("finding %+v", f)
		}
		for _, ev := range f.Evidence {
			if strings.Contains(ev, "letmein") {
				t.Errorf("password in evidence %q", ev)
			}
		}
	}
	// letmein: bob's sha512crypt (rounds=10000) and alice's .my.cnf.
	want := []string{"shadow/bob", "config-file/alice ([client] password)"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("leaked matches %v, want %v", got, want)
	}
	if out.Tested < 20 {
		t.Errorf("tested %d credentials", out.Tested)
	}
}

func TestCheckLeakedPasswords(t *testing.T) {
	for _, tc := range []struct {
		pws []string
		err string
	}{
		{nil, "no passwords"},
		{[]string{"a", ""}, "password 2 is empty"},
		{[]string{strings.Repeat("x", 300)}, "longer than"},
		{[]string{"\xff"}, "UTF-8"},
		{make([]string, 101), "at most 100"},
		{[]string{"ok"}, ""},
	} {
		err := CheckLeakedPasswords(tc.pws)
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%d passwords: %v, want %q", len(tc.pws), err, tc.err)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"password": "p*****d", "abc": "*****", "": "*****", "pässwörd": "p*****d"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestRawDigests(t *testing.T) {
	c := source.Credential{Store: "tomcat", Account: "admin", Format: "raw-sha256",
		Secret: "5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8"} // sha256("password")
	unchecked := crack.Result{ID: "0", Status: crack.Unchecked, Reason: "not checked: unknown"}
	r, ok := rawFallback(c, unchecked, rawCandidates(c, Options{}, "web1"))
	if !ok || r.Status != crack.Cracked || r.Password != "password" || r.Reason != "default credential" {
		t.Errorf("builtin: %+v %v", r, ok)
	}
	r, _ = rawFallback(c, unchecked, rawCandidates(c, Options{NoBuiltin: true, NoMutations: true}, ""))
	if r.Status != crack.NotCracked || r.Tried != 0 {
		t.Errorf("no candidates: %+v", r)
	}
	c.Secret = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
	if r, _ := rawFallback(c, unchecked, []rawList{{"leaked password", []string{"x", "password"}}}); r.Status != crack.Cracked || r.Tried != 2 {
		t.Errorf("leaked: %+v", r)
	}
	// The cracker's own answer stands; other formats are not touched.
	if _, ok := rawFallback(c, crack.Result{Status: crack.NotCracked}, nil); ok {
		t.Error("overrode a cracker result")
	}
	c.Format = "mysql-native"
	if _, ok := rawFallback(c, unchecked, nil); ok {
		t.Error("took a non-raw format")
	}
	c.Format, c.Secret = "raw-sha1", "zz"
	if _, ok := rawFallback(c, unchecked, nil); ok {
		t.Error("took a malformed digest")
	}
}
