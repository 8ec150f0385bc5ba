package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestSCARules(t *testing.T) {
	root := testutil.TempRoot(t, map[string]string{
		"etc/ssh/sshd_config":          "# PermitRootLogin yes\nPermitRootLogin no\nMaxAuthTries 3\n",
		"etc/audit/rules.d/a.rules":    "-w /etc/passwd -p wa\n-e 2\n",
		"etc/audit/rules.d/b.disabled": "-e 1\n",
		"proc/sys/net/ipv4/ip_forward": "0\n",
		"etc/shadow":                   "root:abDEFghIJklmn:19000:0:99999:7:::\n",
	})
	tg := NewTarget(context.Background(), root, false, "", inv("openssh-server"))
	for rule, want := range map[string]Status{
		`f:/etc/ssh/sshd_config`: Pass,
		`f:/etc/missing`:         Fail,
		`not f:/etc/missing`:     Pass,
		`f:/etc/ssh/sshd_config -> r:^\s*permitrootlogin\s+no`:           Pass, // case-insensitive, like OS_Regex
		`f:/etc/ssh/sshd_config -> r:PermitRootLogin && !r:^#`:           Pass,
		`f:/etc/ssh/sshd_config -> r:PermitRootLogin\s+yes && !r:^#`:     Fail,
		`not f:/etc/ssh/sshd_config -> r:^PermitRootLogin\s+yes`:         Pass,
		`f:/etc/ssh/sshd_config -> n:^MaxAuthTries\s+(\d+) compare <= 4`: Pass,
		`f:/etc/ssh/sshd_config -> n:^MaxAuthTries\s+(\d+) compare > 4`:  Fail,
		`f:/proc/sys/net/ipv4/ip_forward -> 0`:                           Pass,
		`d:/etc/audit/rules.d -> r:\.rules$ -> r:^-e 2`:                  Pass,
		`d:/etc/audit/rules.d -> r:\.rules$ -> r:^-e 1`:                  Fail,
		`c:sshd -T -> r:^permitrootlogin no`:                             Pass,
		`c:dpkg-query -s openssh-server -> r:install ok installed`:       Pass,
		`c:modprobe -n -v cramfs -> r:install`:                           Error,
		`c:sh -c "grep x /etc/passwd" -> r:x`:                            Error,
		`r:HKLM\SOFTWARE -> x`:                                           Error,
		`p:sshd`:                                                         NA,
		`q:bad`:                                                          Error,
	} {
		if r := tg.Eval(policy.Probe{SCA: rule}); r.Status != want {
			t.Errorf("%s: %v %s, want %v", rule, r.Status, r.Reason, want)
		}
	}
}

func TestSCAEvidenceHidesShadow(t *testing.T) {
	tg := NewTarget(context.Background(), testutil.TempRoot(t, map[string]string{"etc/shadow": "root:abDEFghIJklmn:19000:0:99999:7:::\n"}), false, "", nil)
	r := tg.Eval(policy.Probe{SCA: `f:/etc/shadow -> r:^root:`})
	if r.Status != Pass || strings.Contains(strings.Join(r.Evidence, " "), "abDEF") {
		t.Errorf("%v %q", r.Status, r.Evidence)
	}
}

func FuzzParseSCARule(f *testing.F) {
	for _, s := range []string{`not c:sshd -T -> r:^x && !r:y`, `d:/etc -> r:\.conf$ -> n:^a\s(\d+) compare >= 3`, `f:/x -> literal`, `r:HKLM`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseSCARule(s); err == nil && r.Type != 'r' {
			r.line("a line")
		}
	})
}
