// Package config parses the host configuration files baseline probes read:
// sshd_config, key-value files (login.defs, pwquality.conf, ini-style
// systemd files), PAM stacks, sysctl.d, fstab/mounts and modprobe.d.
// Parsers are pure functions over bytes: no file system, fuzzable.
package config

import (
	"bufio"
	"bytes"
	"strings"
)

// MaxLine bounds one line; longer lines are cut (config files have none).
const MaxLine = 64 << 10

// lines calls fn with each line (1-based number), comments and blank lines
// included; a trailing "\r" is dropped.
func lines(data []byte, fn func(n int, line string)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		fn(n, strings.TrimSuffix(sc.Text(), "\r"))
	}
	// A line longer than MaxLine stops the scanner: the rest is ignored,
	// which only loses lines no real config file has.
}

// stripComment removes a "#" comment that starts the line (after blanks).
func isComment(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || t[0] == '#' || t[0] == ';'
}

// unquote strips one pair of matching surrounding quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// Assignment is one key=value line of a config file.
type Assignment struct {
	Key   string
	Value string
	Line  int
}

// ParseKeyValue reads assignments in one of three syntaxes:
// "space" (Key value...; login.defs, chrony), "equals" (key = value;
// pwquality.conf, auditd.conf, /etc/default/grub with shell quotes) and
// "ini" (equals inside [section]; only lines of section are returned).
func ParseKeyValue(data []byte, syntax, section string) []Assignment {
	var out []Assignment
	cur := ""
	lines(data, func(n int, l string) {
		if isComment(l) {
			return
		}
		t := strings.TrimSpace(l)
		if syntax == "ini" && strings.HasPrefix(t, "[") {
			if end := strings.IndexByte(t, ']'); end > 0 {
				cur = strings.TrimSpace(t[1:end])
			}
			return
		}
		if syntax == "ini" && cur != section {
			return
		}
		var k, v string
		switch syntax {
		case "space":
			k, v, _ = strings.Cut(t, " ")
			if strings.ContainsRune(k, '\t') {
				k, v, _ = strings.Cut(t, "\t")
			}
		default:
			var ok bool
			k, v, ok = strings.Cut(t, "=")
			if !ok {
				return
			}
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if syntax != "space" {
			if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
				if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
					v = v[1 : end+1]
				}
			} else if i := strings.Index(v, " #"); i >= 0 {
				v = strings.TrimSpace(v[:i])
			}
		}
		if k == "" {
			return
		}
		out = append(out, Assignment{Key: k, Value: v, Line: n})
	})
	return out
}
