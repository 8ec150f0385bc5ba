package source

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
)

// LDAPRootPW is a rootpw / olcRootPW of an OpenLDAP database.
type LDAPRootPW struct {
	Line   int
	RootDN string
	Value  string
}

// ParseSlapdConf parses slapd.conf: each "database" section's rootdn and
// rootpw.
func ParseSlapdConf(data []byte) ([]LDAPRootPW, []Problem) {
	var out []LDAPRootPW
	var probs []Problem
	rootdn := ""
	for i, line := range splitLines(data) {
		n := i + 1
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		key, val, _ := strings.Cut(strings.Join(strings.Fields(t), " "), " ")
		switch strings.ToLower(key) {
		case "database":
			rootdn = ""
		case "rootdn":
			rootdn = strings.Trim(val, `"`)
		case "rootpw":
			v := strings.Trim(val, `"`)
			if v == "" {
				probs = append(probs, Problem{n, "rootpw without a value"})
				continue
			}
			out = append(out, LDAPRootPW{Line: n, RootDN: rootdn, Value: v})
		}
	}
	return out, probs
}

// ParseSlapdLDIF parses one cn=config LDIF file (slapd.d) for
// olcRootDN/olcRootPW, unfolding continuation lines and decoding
// base64 ("::") values.
func ParseSlapdLDIF(data []byte) ([]LDAPRootPW, []Problem) {
	type attr struct {
		line      int
		key, val  string
		base64Val bool
	}
	var attrs []attr
	for i, line := range splitLines(data) {
		if strings.HasPrefix(line, " ") && len(attrs) > 0 {
			attrs[len(attrs)-1].val += line[1:]
			continue
		}
		if line == "" || line[0] == '#' {
			attrs = append(attrs, attr{line: i + 1}) // entry separator
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		a := attr{line: i + 1, key: k}
		if strings.HasPrefix(v, ":") {
			a.base64Val, v = true, v[1:]
		}
		a.val = strings.TrimLeft(v, " ")
		attrs = append(attrs, a)
	}
	var out []LDAPRootPW
	var probs []Problem
	entryStart, rootdn := 0, ""
	endEntry := func() {
		// olcRootDN may come after olcRootPW in the entry.
		for i := entryStart; i < len(out); i++ {
			if out[i].RootDN == "" {
				out[i].RootDN = rootdn
			}
		}
		entryStart, rootdn = len(out), ""
	}
	for _, a := range attrs {
		val := a.val
		if a.base64Val {
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
			if err != nil {
				probs = append(probs, Problem{a.line, fmt.Sprintf("%s: invalid base64 value", a.key)})
				continue
			}
			val = string(b)
		}
		switch strings.ToLower(a.key) {
		case "", "dn":
			endEntry()
		case "olcrootdn":
			rootdn = val
		case "olcrootpw":
			if val == "" {
				probs = append(probs, Problem{a.line, "olcRootPW without a value"})
				continue
			}
			out = append(out, LDAPRootPW{Line: a.line, RootDN: rootdn, Value: val})
		}
	}
	endEntry()
	return out, probs
}

// ldapCredential turns a rootpw value into a credential: {SCHEME}hash,
// {CLEARTEXT}pw or a bare plaintext.
func ldapCredential(p string, pw LDAPRootPW) (Credential, string) {
	account := pw.RootDN
	if account == "" {
		account = "rootdn"
	}
	c := Credential{Store: "openldap", Account: account, Path: p, Line: pw.Line, Hints: []string{"ldap", "admin", "secret"}}
	v := pw.Value
	if !strings.HasPrefix(v, "{") {
		c.Secret, c.Plain = v, true
		return c, ""
	}
	end := strings.IndexByte(v, '}')
	if end < 0 {
		return c, "malformed {SCHEME} value"
	}
	scheme := strings.ToUpper(v[1:end])
	switch scheme {
	case "CLEARTEXT":
		c.Secret, c.Plain = v[end+1:], true
	case "CRYPT":
		c.Secret = v[end+1:]
		if _, err := CryptScheme(c.Secret); err != nil {
			return c, "{CRYPT}: " + err.Error()
		}
	case "SSHA", "SHA", "MD5", "SMD5", "SSHA256", "SSHA512", "SHA256", "SHA512", "PBKDF2", "PBKDF2-SHA256", "PBKDF2-SHA512", "ARGON2":
		c.Secret = v // the cracker reads LDAP {SCHEME} values
	default:
		return c, fmt.Sprintf("unknown LDAP password scheme {%s}", trunc(scheme))
	}
	return c, ""
}

func collectSlapd(_ context.Context, e *Env, r *Result) {
	add := func(p string, pws []LDAPRootPW, probs []Problem) {
		for _, pr := range probs {
			e.warn(p, "line %d: %s", pr.Line, pr.Msg)
		}
		for _, pw := range pws {
			c, bad := ldapCredential(p, pw)
			if bad != "" {
				e.warn(p, "line %d: %s", pw.Line, bad)
				r.unchecked("openldap", p, c.Account, "line %d: %s", pw.Line, bad)
				continue
			}
			r.Credentials = append(r.Credentials, c)
		}
	}
	for _, p := range []string{"/etc/ldap/slapd.conf", "/etc/openldap/slapd.conf", "/usr/local/etc/openldap/slapd.conf"} {
		if data, ok := readFile(e, r, "openldap", p); ok {
			r.found("openldap")
			pws, probs := ParseSlapdConf(data)
			add(p, pws, probs)
		}
	}
	for _, g := range []string{"/etc/ldap/slapd.d/cn=config/olcDatabase=*.ldif", "/etc/openldap/slapd.d/cn=config/olcDatabase=*.ldif"} {
		files, _ := e.FS.Glob(g)
		for _, p := range files {
			if data, ok := readFile(e, r, "openldap", p); ok {
				r.found("openldap")
				pws, probs := ParseSlapdLDIF(data)
				add(p, pws, probs)
			}
		}
	}
}
