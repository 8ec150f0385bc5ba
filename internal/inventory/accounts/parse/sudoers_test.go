package parse

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cmnd is a compact SudoCmnd for test tables.
func cmnd(runas, command string, tags ...string) SudoCmnd {
	return SudoCmnd{RunAs: runas, Command: command, Tags: tags}
}

func TestParseSudoersEdgeCases(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		specs []SudoUserSpec
		errs  []int // lines with errors
	}{{
		name: "debian default",
		in:   "Defaults\tenv_reset\nDefaults\tsecure_path=\"/usr/sbin:/usr/bin\"\nroot\tALL=(ALL:ALL) ALL\n%sudo\tALL=(ALL:ALL) ALL\n",
		specs: []SudoUserSpec{
			{Users: []string{"root"}, Line: 3, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{cmnd("ALL:ALL", "ALL")}}}},
			{Users: []string{"%sudo"}, Line: 4, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{cmnd("ALL:ALL", "ALL")}}}},
		},
	}, {
		name: "tags carry over until changed; runas carries over",
		in:   "ray rushmore = (oper) NOPASSWD: /bin/kill, /bin/ls, PASSWD: /usr/bin/lprm, SETENV: /bin/env\n",
		specs: []SudoUserSpec{{Users: []string{"ray"}, Line: 1, Privileges: []SudoPrivilege{{Hosts: []string{"rushmore"}, Cmnds: []SudoCmnd{
			cmnd("oper", "/bin/kill", "NOPASSWD"),
			cmnd("oper", "/bin/ls", "NOPASSWD"),
			cmnd("oper", "/usr/bin/lprm", "PASSWD"),
			cmnd("oper", "/bin/env", "PASSWD", "SETENV"),
		}}}}},
	}, {
		name: "multiple tags on one command, tags without space",
		in:   "%dba ALL = (postgres) NOPASSWD:SETENV:NOEXEC: /usr/bin/psql\n",
		specs: []SudoUserSpec{{Users: []string{"%dba"}, Line: 1, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{
			cmnd("postgres", "/usr/bin/psql", "NOPASSWD", "NOEXEC", "SETENV"),
		}}}}},
	}, {
		name: "privileges separated by ':' reset tags; continuation lines",
		in: "bob\tSPARC = (OP) NOPASSWD: ALL : \\\n\tSGI = (OP) ALL\n" +
			"alice ALL = /bin/a, \\\n   /bin/b \\\n   -x\n",
		specs: []SudoUserSpec{
			{Users: []string{"bob"}, Line: 1, Privileges: []SudoPrivilege{
				{Hosts: []string{"SPARC"}, Cmnds: []SudoCmnd{cmnd("OP", "ALL", "NOPASSWD")}},
				{Hosts: []string{"SGI"}, Cmnds: []SudoCmnd{cmnd("OP", "ALL")}},
			}},
			{Users: []string{"alice"}, Line: 3, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{
				cmnd("", "/bin/a"), cmnd("", "/bin/b -x"),
			}}}},
		},
	}, {
		name: "escapes, negation, regex args, digests, uid and group ids",
		in: "ALL CDROM = NOPASSWD: /sbin/mount -o nosuid\\,nodev /dev/cd0a /CDROM, !/usr/bin/su\n" +
			"#1000 ALL = sha224:0GomF8mNN3wlDt1HD9XldjJ3SNgpFdbjO1+NsQ== /home/op/bin/backup\n" +
			"%#27, %:\"domain admins\" ALL = (:wheel) /usr/bin/passwd ^[a-z]+$\n",
		specs: []SudoUserSpec{
			{Users: []string{"ALL"}, Line: 1, Privileges: []SudoPrivilege{{Hosts: []string{"CDROM"}, Cmnds: []SudoCmnd{
				cmnd("", "/sbin/mount -o nosuid,nodev /dev/cd0a /CDROM", "NOPASSWD"),
				cmnd("", "!/usr/bin/su", "NOPASSWD"),
			}}}},
			{Users: []string{"#1000"}, Line: 2, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{
				cmnd("", "sha224:0GomF8mNN3wlDt1HD9XldjJ3SNgpFdbjO1+NsQ== /home/op/bin/backup"),
			}}}},
			{Users: []string{"%#27", "%:domain admins"}, Line: 3, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{
				cmnd(":wheel", "/usr/bin/passwd ^[a-z]+$"),
			}}}},
		},
	}, {
		name: "options carry over",
		in:   "web ALL = (www) CWD=/srv/www TIMEOUT=1h /usr/bin/php, CHROOT=/jail /bin/sh\n",
		specs: []SudoUserSpec{{Users: []string{"web"}, Line: 1, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{
			{RunAs: "www", Options: []string{"CWD=/srv/www", "TIMEOUT=1h"}, Command: "/usr/bin/php"},
			{RunAs: "www", Options: []string{"CWD=/srv/www", "TIMEOUT=1h", "CHROOT=/jail"}, Command: "/bin/sh"},
		}}}}},
	}, {
		name:  "comments and trailing comments; comment does not continue",
		in:    "# a comment \\\nroot ALL = ALL # trailing\n   # indented\n",
		specs: []SudoUserSpec{{Users: []string{"root"}, Line: 2, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{cmnd("", "ALL")}}}}},
	}, {
		name:  "bad entries are skipped, the rest is read",
		in:    "this is not sudoers\nroot ALL = (ALL\nbob ALL =\nok ALL = ALL\nUser_Alias lower = x\nx ALL = ALL junk\n",
		specs: []SudoUserSpec{{Users: []string{"ok"}, Line: 4, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{cmnd("", "ALL")}}}}},
		errs:  []int{1, 2, 3, 5, 6},
	}, {
		name:  "CRLF line endings",
		in:    "Defaults env_reset\r\nroot ALL=(ALL) ALL\r\n",
		specs: []SudoUserSpec{{Users: []string{"root"}, Line: 2, Privileges: []SudoPrivilege{{Hosts: []string{"ALL"}, Cmnds: []SudoCmnd{cmnd("ALL", "ALL")}}}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, errs := ParseSudoers([]byte(tt.in))
			if diff := cmp.Diff(tt.specs, s.Specs); diff != "" {
				t.Errorf("specs (-want +got):\n%s", diff)
			}
			var lines []int
			for _, e := range errs {
				lines = append(lines, e.Line)
			}
			if diff := cmp.Diff(tt.errs, lines); diff != "" {
				t.Errorf("error lines (-want +got):\n%s\n%v", diff, errs)
			}
		})
	}
}

func TestParseSudoersIncludesAndAliases(t *testing.T) {
	in := `User_Alias ADMINS = alice, bob : OPS = carol, ADMINS
User_Alias	SOME = ALL, !mallory
Cmnd_Alias	SHELLS = /bin/sh, /bin/bash
Cmd_Alias	NGINX = /usr/bin/systemctl reload nginx, \
		/usr/sbin/nginx -t
Host_Alias	SPARC = bigtime, eclipse, moet, anchor:\
		SGI = grolsch, dandelion
#include /etc/sudoers.local
@include "sudoers.d/with space"
#includedir /etc/sudoers.d
@includedir	/etc/sudoers.d/extra
#includes are comments unless exactly spelled
`
	s, errs := ParseSudoers([]byte(in))
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	wantInc := []SudoInclude{
		{Path: "/etc/sudoers.local", Line: 8},
		{Path: "sudoers.d/with space", Line: 9},
		{Path: "/etc/sudoers.d", Dir: true, Line: 10},
		{Path: "/etc/sudoers.d/extra", Dir: true, Line: 11},
	}
	if diff := cmp.Diff(wantInc, s.Includes); diff != "" {
		t.Errorf("includes (-want +got):\n%s", diff)
	}
	wantAl := []SudoAlias{
		{Kind: "User_Alias", Name: "ADMINS", Members: []string{"alice", "bob"}, Line: 1},
		{Kind: "User_Alias", Name: "OPS", Members: []string{"carol", "ADMINS"}, Line: 1},
		{Kind: "User_Alias", Name: "SOME", Members: []string{"ALL", "!mallory"}, Line: 2},
		{Kind: "Cmnd_Alias", Name: "SHELLS", Members: []string{"/bin/sh", "/bin/bash"}, Line: 3},
		{Kind: "Cmnd_Alias", Name: "NGINX", Members: []string{"/usr/bin/systemctl reload nginx", "/usr/sbin/nginx -t"}, Line: 4},
		{Kind: "Host_Alias", Name: "SPARC", Members: []string{"bigtime", "eclipse", "moet", "anchor"}, Line: 6},
		{Kind: "Host_Alias", Name: "SGI", Members: []string{"grolsch", "dandelion"}, Line: 6},
	}
	if diff := cmp.Diff(wantAl, s.Aliases); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}

	al := SudoAliases{}
	if dups := al.Add(s.Aliases); len(dups) != 0 {
		t.Errorf("dups = %v", dups)
	}
	if dups := al.Add([]SudoAlias{{Kind: "User_Alias", Name: "OPS", Members: []string{"eve"}}}); len(dups) != 1 {
		t.Errorf("redefinition not reported: %v", dups)
	}
	expand := []struct {
		kind, name string
		want       []string
		ok         bool
	}{
		{"User_Alias", "ADMINS", []string{"alice", "bob"}, true},
		{"User_Alias", "OPS", []string{"carol", "alice", "bob"}, true}, // nested, first definition kept
		{"User_Alias", "SOME", nil, false},                             // negation: not simple
		{"User_Alias", "NOPE", nil, false},
		{"Cmnd_Alias", "NGINX", []string{"/usr/bin/systemctl reload nginx", "/usr/sbin/nginx -t"}, true},
	}
	for _, e := range expand {
		got, ok := al.Expand(e.kind, e.name)
		if ok != e.ok || !cmp.Equal(got, e.want) {
			t.Errorf("Expand(%s) = %v, %v; want %v, %v", e.name, got, ok, e.want, e.ok)
		}
	}
}

func TestSudoAliasCyclesAndBlowup(t *testing.T) {
	al := SudoAliases{}
	al.Add([]SudoAlias{
		{Kind: "User_Alias", Name: "A", Members: []string{"B"}},
		{Kind: "User_Alias", Name: "B", Members: []string{"A", "x"}},
		{Kind: "User_Alias", Name: "SELF", Members: []string{"SELF"}},
	})
	for _, n := range []string{"A", "B", "SELF"} {
		if m, ok := al.Expand("User_Alias", n); ok {
			t.Errorf("cycle %s expanded to %v", n, m)
		}
	}
	// Each level names the next one 40 times: without memoisation this is
	// 40^15 walks.
	var defs []SudoAlias
	for i := 0; i < 15; i++ {
		next := "L" + string(rune('A'+i+1))
		var members []string
		for j := 0; j < 40; j++ {
			members = append(members, next)
		}
		defs = append(defs, SudoAlias{Kind: "User_Alias", Name: "L" + string(rune('A'+i)), Members: members})
	}
	defs = append(defs, SudoAlias{Kind: "User_Alias", Name: "L" + string(rune('A'+15)), Members: []string{"leaf"}})
	big := SudoAliases{}
	big.Add(defs)
	if m, ok := big.Expand("User_Alias", "LA"); !ok || len(m) != 1 || m[0] != "leaf" {
		t.Errorf("deep alias = %v, %v", m, ok)
	}
}

// TestParseSudoersUpstreamExample parses the sample sudoers shipped with
// sudo (testdata/sudoers.example): every entry must parse.
func TestParseSudoersUpstreamExample(t *testing.T) {
	data, err := os.ReadFile("testdata/sudoers.example")
	if err != nil {
		t.Fatal(err)
	}
	s, errs := ParseSudoers(data)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(s.Aliases) != 23 || len(s.Specs) != 20 {
		t.Errorf("%d aliases, %d specs; want 23, 20", len(s.Aliases), len(s.Specs))
	}
	find := func(user string) SudoUserSpec {
		for _, sp := range s.Specs {
			if strings.Join(sp.Users, ",") == user {
				return sp
			}
		}
		t.Fatalf("no spec for %s", user)
		return SudoUserSpec{}
	}
	if got := find("operator").Privileges[0].Cmnds; len(got) != 8 || got[6].Command != "sudoedit /etc/printcap" || got[7].Command != "/usr/oper/bin/" {
		t.Errorf("operator commands = %+v", got)
	}
	if got := find("jen").Privileges[0].Hosts; !cmp.Equal(got, []string{"ALL", "!SERVERS"}) {
		t.Errorf("jen hosts = %v", got)
	}
	if got := find("WEBADMIN").Privileges[0].Cmnds; len(got) != 2 || got[1].RunAs != "root" || got[1].Command != "/usr/bin/su www" {
		t.Errorf("WEBADMIN commands = %+v", got)
	}
	if got := find("FULLTIMERS").Privileges[0].Cmnds[0]; !got.NoPasswd() || got.RunAs != "ALL:ALL" {
		t.Errorf("FULLTIMERS = %+v", got)
	}
	for _, a := range s.Aliases {
		if a.Name == "DUMPS" {
			want := "sha224:0GomF8mNN3wlDt1HD9XldjJ3SNgpFdbjO1+NsQ== /home/operator/bin/start_backups"
			if len(a.Members) != 6 || a.Members[5] != want {
				t.Errorf("DUMPS = %q", a.Members)
			}
		}
	}
}
