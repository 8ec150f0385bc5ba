package source

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/ward-sec/ward/internal/rootfs"
)

// FileSecret is a plaintext password in a configuration file.
type FileSecret struct {
	Line int
	// Key names the setting ("password", "DB_PASSWORD", "machine db1").
	Key string
	// Account is the user the password goes with, where the file says.
	Account string
	Value   string
}

// ParseMyCnf parses a MySQL option file (.my.cnf, debian.cnf):
// password= and user= of each section.
func ParseMyCnf(data []byte) []FileSecret {
	var out []FileSecret
	section, user := "", ""
	start := 0
	flush := func() {
		for i := start; i < len(out); i++ {
			if out[i].Account == "" {
				out[i].Account = user
			}
		}
		start, user = len(out), ""
	}
	for i, line := range splitLines(data) {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		if t[0] == '[' {
			flush()
			section = strings.Trim(t, "[] ")
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = unquote(strings.TrimSpace(v))
		switch k {
		case "user":
			user = v
		case "password", "pass":
			if v != "" {
				key := "password"
				if section != "" {
					key = "[" + section + "] password"
				}
				out = append(out, FileSecret{Line: i + 1, Key: key, Value: v})
			}
		}
	}
	flush()
	return out
}

// ParsePgpass parses ~/.pgpass: host:port:database:user:password with
// \: and \\ escapes.
func ParsePgpass(data []byte) ([]FileSecret, []Problem) {
	var out []FileSecret
	var probs []Problem
	for i, line := range splitLines(data) {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var fields []string
		var b strings.Builder
		for j := 0; j < len(line); j++ {
			c := line[j]
			if c == '\\' && j+1 < len(line) {
				b.WriteByte(line[j+1])
				j++
				continue
			}
			if c == ':' && len(fields) < 4 {
				fields = append(fields, b.String())
				b.Reset()
				continue
			}
			b.WriteByte(c)
		}
		fields = append(fields, b.String())
		if len(fields) != 5 {
			probs = append(probs, Problem{i + 1, fmt.Sprintf("want host:port:database:user:password, found %d fields", len(fields))})
			continue
		}
		if fields[4] == "" {
			continue
		}
		out = append(out, FileSecret{Line: i + 1, Key: fields[0] + ":" + fields[1] + ":" + fields[2], Account: fields[3], Value: fields[4]})
	}
	return out, probs
}

// ParseNetrc parses ~/.netrc: machine/default entries with login and
// password tokens; macdef bodies are skipped.
func ParseNetrc(data []byte) []FileSecret {
	var out []FileSecret
	lines := splitLines(data)
	machine, login := "", ""
	start := 0
	flush := func() {
		for i := start; i < len(out); i++ {
			if out[i].Account == "" {
				out[i].Account = login
			}
		}
		start, login = len(out), ""
	}
	inMacro := false
	for i, line := range lines {
		if inMacro {
			if strings.TrimSpace(line) == "" {
				inMacro = false
			}
			continue
		}
		toks := strings.Fields(line)
		for j := 0; j < len(toks); j++ {
			switch toks[j] {
			case "machine":
				flush()
				if j+1 < len(toks) {
					machine = toks[j+1]
					j++
				}
			case "default":
				flush()
				machine = "default"
			case "login":
				if j+1 < len(toks) {
					login = toks[j+1]
					j++
				}
			case "password":
				if j+1 < len(toks) {
					out = append(out, FileSecret{Line: i + 1, Key: "machine " + machine, Value: toks[j+1]})
					j++
				}
			case "account":
				j++
			case "macdef":
				inMacro = true
				j = len(toks)
			}
		}
	}
	flush()
	return out
}

var (
	// KEY=value (.env, .properties) and key: value (YAML) whose key names
	// a password.
	assignRE = regexp.MustCompile(`^\s*(?:-\s+)?(?:export\s+)?([A-Za-z0-9_.\-]*(?i:password|passwd|_pass|_pwd|\.pwd|pass))\s*[=:]\s*(.*?)\s*$`)
	// define('DB_PASSWORD', 'secret'); in wp-config.php.
	defineRE = regexp.MustCompile(`define\s*\(\s*['"]([A-Z_]*PASSWORD)['"]\s*,\s*(['"])((?:[^'"\\]|\\.)*)['"]\s*\)`)
)

// ParseAppConfig finds obvious password settings in an application
// configuration (.env, *.properties, application.yml, wp-config.php).
func ParseAppConfig(data []byte) []FileSecret {
	var out []FileSecret
	for i, line := range splitLines(data) {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' || strings.HasPrefix(t, "//") || t[0] == ';' {
			continue
		}
		if m := defineRE.FindStringSubmatch(t); m != nil {
			if v := m[3]; !placeholder(v) {
				out = append(out, FileSecret{Line: i + 1, Key: m[1], Value: v})
			}
			continue
		}
		if m := assignRE.FindStringSubmatch(line); m != nil {
			v := m[2]
			if c := strings.Index(v, " #"); c >= 0 && !strings.HasPrefix(v, `"`) && !strings.HasPrefix(v, "'") {
				v = strings.TrimSpace(v[:c])
			}
			v = unquote(v)
			if placeholder(v) {
				continue
			}
			out = append(out, FileSecret{Line: i + 1, Key: m[1], Value: v})
		}
	}
	return out
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// placeholder is a value that is not a password: empty, a variable
// reference or a mask.
func placeholder(v string) bool {
	switch {
	case v == "", v == "null", v == "~", strings.Trim(v, "*x") == "":
		return true
	case strings.HasPrefix(v, "${"), strings.HasPrefix(v, "$("), strings.HasPrefix(v, "%("), strings.HasPrefix(v, "{{"),
		strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">"), strings.HasPrefix(v, "ENC("), strings.HasPrefix(v, "getenv("),
		strings.HasPrefix(v, "env("), strings.HasPrefix(v, "$_ENV"), strings.HasPrefix(v, "!vault"):
		return true
	}
	return false
}

// appConfigNames says which files ParseAppConfig reads.
func appConfigName(name string) bool {
	switch {
	case name == ".env", strings.HasPrefix(name, ".env.") && !strings.HasSuffix(name, ".example") && !strings.HasSuffix(name, ".sample"),
		name == "wp-config.php":
		return true
	case strings.HasPrefix(name, "application") &&
		(strings.HasSuffix(name, ".properties") || strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")):
		return true
	case name == "grafana.ini", (strings.HasPrefix(name, "docker-compose") || strings.HasPrefix(name, "compose")) &&
		(strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")):
		return true
	}
	return false
}

// appConfigRoots are where applications live; walked to appConfigDepth.
var appConfigRoots = []string{"/var/www", "/srv", "/opt", "/home", "/root", "/usr/local", "/etc"}

const (
	appConfigDepth = 6
	// maxWalkEntries bounds the walk of each root.
	maxWalkEntries = 200000
)

var skipDirs = map[string]bool{"node_modules": true, ".git": true, ".cache": true, "__pycache__": true, ".npm": true, ".cargo": true, "go": true, ".rustup": true}

var errWalkLimit = errors.New("walk limit")

func collectConfigFiles(ctx context.Context, e *Env, r *Result) {
	add := func(p string, secrets []FileSecret, account string) {
		mode := ""
		if fi, err := e.FS.Stat(p); err == nil {
			mode = fmt.Sprintf("%04o", fi.Mode().Perm())
		}
		for _, s := range secrets {
			acct := s.Account
			if acct == "" {
				acct = account
			}
			r.found("config-files")
			r.Exposures = append(r.Exposures, Exposure{Kind: "plaintext-password", Path: p, Line: s.Line, Key: s.Key, Account: acct, Mode: mode})
			name := s.Key
			if acct != "" {
				name = acct + " (" + s.Key + ")"
			}
			r.Credentials = append(r.Credentials, Credential{Store: "config-file", Account: name, Path: p, Line: s.Line,
				Secret: s.Value, Plain: true, Hints: nonEmpty(acct)})
		}
	}
	read := func(p string) ([]byte, bool) {
		data, err := e.FS.ReadFile(p, maxConfigBytes)
		if err != nil {
			if !isNotExist(err) {
				e.warn(p, "%v", err)
				r.unchecked("config-files", p, "", "unreadable: %v", err)
			}
			return nil, false
		}
		return data, true
	}
	for _, p := range []string{"/etc/mysql/debian.cnf", "/etc/my.cnf", "/etc/mysql/my.cnf"} {
		if data, ok := read(p); ok {
			add(p, ParseMyCnf(data), "")
		}
	}
	for _, h := range homeDirs(e) {
		owner := path.Base(h)
		if _, err := e.FS.ReadDir(h); err != nil {
			if !isNotExist(err) && !errors.Is(err, fs.ErrInvalid) {
				r.unchecked("config-files", h, "", "home directory not readable: %v", err)
			}
			continue
		}
		if data, ok := read(path.Join(h, ".my.cnf")); ok {
			add(path.Join(h, ".my.cnf"), ParseMyCnf(data), "")
		}
		if data, ok := read(path.Join(h, ".pgpass")); ok {
			p := path.Join(h, ".pgpass")
			s, probs := ParsePgpass(data)
			for _, pr := range probs {
				e.warn(p, "line %d: %s", pr.Line, pr.Msg)
			}
			add(p, s, "")
		}
		if data, ok := read(path.Join(h, ".netrc")); ok {
			add(path.Join(h, ".netrc"), ParseNetrc(data), owner)
		}
	}
	for _, root := range appConfigRoots {
		n := 0
		err := e.FS.Walk(ctx, root, rootfs.WalkOptions{MaxDepth: appConfigDepth}, func(p string, d fs.DirEntry) error {
			if n++; n > maxWalkEntries {
				return errWalkLimit
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if d.IsDir() {
				if skipDirs[d.Name()] {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			switch {
			case appConfigName(d.Name()):
				if data, ok := read(p); ok {
					add(p, ParseAppConfig(data), "")
				}
			case strings.Contains(d.Name(), "htpasswd"):
				if data, ok := read(p); ok {
					addHtpasswd(e, r, p, data)
				}
			}
			return nil
		}, nil)
		switch {
		case errors.Is(err, errWalkLimit):
			r.unchecked("config-files", root, "", "more than %d entries: the rest of %s was not searched for configuration files", maxWalkEntries, root)
		case err != nil && !isNotExist(err) && ctx.Err() == nil:
			e.warn(root, "%v", err)
		}
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// ParseHtpasswd parses an Apache/nginx htpasswd file: user:hash with
// crypt(3) hashes (apr1, bcrypt, DES...) or {SHA} (base64 SHA-1).
func ParseHtpasswd(data []byte) ([]ShadowEntry, []Problem) {
	entries, probs := ParseShadow(data)
	var keep []Problem
	for i, en := range entries {
		if en.Invalid != "" && strings.HasPrefix(en.Hash, "{SHA}") && len(en.Hash) == 33 {
			entries[i].Invalid, entries[i].Scheme = "", "ldap-sha"
		}
	}
	for _, p := range probs {
		if !strings.Contains(p.Msg, "unrecognised hash") || !hasSHAEntry(entries, p.Line) {
			keep = append(keep, p)
		}
	}
	return entries, keep
}

func hasSHAEntry(entries []ShadowEntry, line int) bool {
	for _, en := range entries {
		if en.Line == line && en.Scheme == "ldap-sha" {
			return true
		}
	}
	return false
}

func addHtpasswd(e *Env, r *Result, p string, data []byte) {
	r.found("htpasswd")
	entries, probs := ParseHtpasswd(data)
	for _, pr := range probs {
		e.warn(p, "line %d: %s", pr.Line, pr.Msg)
	}
	for _, en := range entries {
		if en.Invalid != "" {
			r.unchecked("htpasswd", p, en.User, "line %d: %s", en.Line, en.Invalid)
			continue
		}
		c := credentialOf("htpasswd", p, en, nil)
		c.Hints = []string{"admin", "web"}
		r.Credentials = append(r.Credentials, c)
	}
}
