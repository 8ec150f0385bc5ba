package source

import (
	"context"
	"strings"
)

// SNMPSecret is a community string or an SNMPv3 user's passphrase.
type SNMPSecret struct {
	Line int
	// Account: "community (rocommunity)" or the v3 user name.
	Account string
	Secret  string
}

// ParseSnmpdConf parses snmpd.conf for rocommunity/rwcommunity(6),
// com2sec(6) and createUser directives.
func ParseSnmpdConf(data []byte) ([]SNMPSecret, []Problem) {
	var out []SNMPSecret
	var probs []Problem
	for i, line := range splitLines(data) {
		n := i + 1
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		args, err := redisArgs(t) // same quoting rules as net-snmp's copy_nword
		if err != nil {
			probs = append(probs, Problem{n, err.Error()})
			continue
		}
		switch d := strings.ToLower(args[0]); d {
		case "rocommunity", "rwcommunity", "rocommunity6", "rwcommunity6":
			if len(args) < 2 {
				probs = append(probs, Problem{n, d + " without a community"})
				continue
			}
			out = append(out, SNMPSecret{Line: n, Account: "community (" + d + ")", Secret: args[1]})
		case "com2sec", "com2sec6":
			// com2sec [-Cn CONTEXT] NAME SOURCE COMMUNITY
			a := args[1:]
			if len(a) >= 2 && a[0] == "-Cn" {
				a = a[2:]
			}
			if len(a) < 3 {
				probs = append(probs, Problem{n, d + " needs NAME SOURCE COMMUNITY"})
				continue
			}
			out = append(out, SNMPSecret{Line: n, Account: "community (" + d + " " + a[0] + ")", Secret: a[2]})
		case "createuser":
			// createUser [-e ENGINEID] NAME (MD5|SHA...) AUTHPASS [DES|AES PRIVPASS]
			a := args[1:]
			if len(a) >= 2 && a[0] == "-e" {
				a = a[2:]
			}
			if len(a) >= 3 {
				out = append(out, SNMPSecret{Line: n, Account: a[0], Secret: a[2]})
			}
		}
	}
	return out, probs
}

func collectSNMP(_ context.Context, e *Env, r *Result) {
	for _, p := range []string{"/etc/snmp/snmpd.conf", "/etc/snmpd.conf", "/usr/local/etc/snmp/snmpd.conf", "/var/lib/snmp/snmpd.conf", "/var/net-snmp/snmpd.conf"} {
		data, ok := readFile(e, r, "snmp", p)
		if !ok {
			continue
		}
		r.found("snmp")
		secrets, probs := ParseSnmpdConf(data)
		for _, pr := range probs {
			e.warn(p, "line %d: %s", pr.Line, pr.Msg)
		}
		for _, s := range secrets {
			r.Credentials = append(r.Credentials, Credential{Store: "snmp", Account: s.Account, Path: p, Line: s.Line,
				Secret: s.Secret, Plain: true, Hints: []string{"snmp", "public", "private"}})
		}
	}
}
