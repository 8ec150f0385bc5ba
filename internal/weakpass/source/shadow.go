package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Problem is a malformed record of a parsed file.
type Problem struct {
	Line int
	Msg  string
}

// ShadowEntry is one account of a shadow(5) or passwd(5)-style file.
type ShadowEntry struct {
	Line    int
	User    string
	Hash    string
	State   State
	Scheme  string // crypt scheme ("yescrypt", "sha512crypt"...), when testable
	Invalid string // why the hash cannot be tested (malformed, unknown id)
}

// ParseShadow parses /etc/shadow (name:password:...; nine fields) and
// the passwd-format files of FTP virtual users (name:password[:...]).
// Every line is accounted for: an account, or a Problem.
func ParseShadow(data []byte) ([]ShadowEntry, []Problem) {
	var out []ShadowEntry
	var probs []Problem
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		s := strings.TrimRight(string(line), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		// NIS compat entries (+user, +@group, -user) carry no password here.
		if s[0] == '+' || s[0] == '-' {
			continue
		}
		f := strings.Split(s, ":")
		if len(f) < 2 {
			probs = append(probs, Problem{n, "malformed line: no password field"})
			continue
		}
		if f[0] == "" {
			probs = append(probs, Problem{n, "malformed line: empty user name"})
			continue
		}
		e := ShadowEntry{Line: n, User: f[0], Hash: f[1]}
		switch {
		case e.Hash == "":
			e.State = Empty
		case e.Hash[0] == '!' || e.Hash[0] == '*' || e.Hash == "x" || e.Hash == "LK" || e.Hash == "NP":
			// "!", "!!", "*", "!$6$..." (locked with usermod -L), "*LK*".
			e.State = Locked
		default:
			scheme, err := CryptScheme(e.Hash)
			if err != nil {
				e.Invalid = err.Error()
				probs = append(probs, Problem{n, fmt.Sprintf("account %s: %v", e.User, err)})
			}
			e.Scheme = scheme
		}
		out = append(out, e)
	}
	return out, probs
}

const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var crypt64 = func() (t [256]bool) {
	for i := 0; i < len(cryptAlphabet); i++ {
		t[cryptAlphabet[i]] = true
	}
	return t
}()

func isCrypt64(s string) bool {
	for i := 0; i < len(s); i++ {
		if !crypt64[s[i]] {
			return false
		}
	}
	return true
}

// WeakSchemes are crypt schemes weak in themselves, whatever the password:
// cheap to brute-force (DES also truncates passwords to 8 characters).
var WeakSchemes = map[string]string{
	"descrypt":  "DES crypt (passwords truncated to 8 characters, 56-bit key)",
	"bsdicrypt": "BSDi extended DES crypt",
	"md5crypt":  "MD5 crypt (fast to brute-force)",
	"apr1":      "Apache APR1 MD5 (fast to brute-force)",
	"nt":        "NT hash (unsalted MD4)",
}

// CryptScheme names the crypt(3) scheme of a hash and checks its shape:
// a truncated hash or an unknown $id$ is an error naming it.
func CryptScheme(h string) (string, error) {
	if !strings.HasPrefix(h, "$") {
		switch {
		case len(h) == 13 && isCrypt64(h):
			return "descrypt", nil
		case len(h) == 20 && h[0] == '_' && isCrypt64(h[1:]):
			return "bsdicrypt", nil
		case len(h) < 13 && isCrypt64(h):
			return "descrypt", fmt.Errorf("truncated DES crypt hash (%d of 13 characters)", len(h))
		}
		return "", fmt.Errorf("unrecognised hash (not crypt(3) format)")
	}
	parts := strings.Split(h, "$") // "", id, ...
	id := parts[1]
	last := parts[len(parts)-1]
	want := func(scheme string, fields, hashLen int) (string, error) {
		if len(parts) != fields || len(last) != hashLen || !isCrypt64(last) {
			return scheme, fmt.Errorf("truncated or malformed %s hash", scheme)
		}
		return scheme, nil
	}
	switch id {
	case "1":
		return want("md5crypt", 4, 22)
	case "apr1":
		return want("apr1", 4, 22)
	case "5", "6":
		scheme, n := "sha256crypt", 43
		if id == "6" {
			scheme, n = "sha512crypt", 86
		}
		fields := 4
		if len(parts) > 2 && strings.HasPrefix(parts[2], "rounds=") {
			if _, err := strconv.Atoi(strings.TrimPrefix(parts[2], "rounds=")); err != nil {
				return scheme, fmt.Errorf("malformed %s rounds %q", scheme, parts[2])
			}
			fields = 5
		}
		return want(scheme, fields, n)
	case "2a", "2b", "2y", "2x":
		if len(parts) != 4 || len(parts[2]) != 2 || len(last) != 53 {
			return "bcrypt", fmt.Errorf("truncated or malformed bcrypt hash")
		}
		if c, err := strconv.Atoi(parts[2]); err != nil || c < 4 || c > 31 {
			return "bcrypt", fmt.Errorf("malformed bcrypt cost %q", parts[2])
		}
		return "bcrypt", nil
	case "y":
		return want("yescrypt", 5, 43)
	case "gy":
		return want("gost-yescrypt", 5, 43)
	case "7":
		if len(parts) != 4 || len(parts[2]) < 14 || len(last) != 43 {
			return "scrypt", fmt.Errorf("truncated or malformed scrypt ($7$) hash")
		}
		return "scrypt", nil
	case "sha1":
		return want("sha1crypt", 5, 28)
	case "md5":
		return "sunmd5", nil
	case "3":
		if len(parts) != 4 || len(last) != 32 {
			return "nt", fmt.Errorf("truncated or malformed NT hash")
		}
		return "nt", nil
	}
	if len(id) > 8 {
		id = id[:8] + "…"
	}
	return "", fmt.Errorf("unknown hash scheme $%s$", id)
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// collectShadow reads /etc/shadow, and /etc/passwd for hashes kept there
// (systems without shadow passwords).
func collectShadow(_ context.Context, e *Env, r *Result) {
	gecos := passwdGECOS(e)
	data, ok := readFile(e, r, "shadow", "/etc/shadow")
	if ok {
		r.found("shadow")
		addShadow(e, r, "shadow", "/etc/shadow", data, gecos)
	}
	// Group passwords (newgrp); almost always locked.
	if data, ok := readFile(e, r, "gshadow", "/etc/gshadow"); ok {
		addShadow(e, r, "gshadow", "/etc/gshadow", data, nil)
	}
	// Samba keeps NT hashes in a TDB database Ward does not read.
	for _, p := range []string{"/var/lib/samba/private/passdb.tdb", "/var/lib/samba/passdb.tdb", "/etc/samba/passdb.tdb"} {
		if e.FS.Exists(p) {
			r.found("samba")
			r.unchecked("samba", p, "", "Samba tdbsam password database (NT hashes) is not read")
		}
	}
	// Hashes left in /etc/passwd (no shadow file, or pwunconv).
	if pw, err := e.FS.ReadFile("/etc/passwd", maxConfigBytes); err == nil {
		entries, _ := ParseShadow(pw)
		for _, en := range entries {
			if en.State == Locked {
				continue
			}
			// An empty field here means no password at all: pam_unix reads
			// the shadow entry only when the field is "x".
			if en.Invalid != "" {
				r.unchecked("passwd", "/etc/passwd", en.User, "line %d: %s", en.Line, en.Invalid)
				continue
			}
			r.Credentials = append(r.Credentials, credentialOf("passwd", "/etc/passwd", en, gecos))
		}
	}
}

func addShadow(e *Env, r *Result, store, path string, data []byte, hints map[string][]string) {
	entries, probs := ParseShadow(data)
	for _, p := range probs {
		e.warn(path, "line %d: %s", p.Line, p.Msg)
	}
	for _, en := range entries {
		if en.Invalid != "" {
			r.unchecked(store, path, en.User, "line %d: %s", en.Line, en.Invalid)
			continue
		}
		c := credentialOf(store, path, en, hints)
		if store == "gshadow" && c.State == Empty {
			// gshadow(5): an empty field lets only members in, no password.
			c.State = Locked
		}
		r.Credentials = append(r.Credentials, c)
	}
}

func credentialOf(store, path string, en ShadowEntry, hints map[string][]string) Credential {
	return Credential{Store: store, Account: en.User, Path: path, Line: en.Line, Secret: en.Hash, State: en.State,
		Format: "", Hints: hints[en.User]}
}

// passwdGECOS maps user names to the words of their GECOS field (full
// name, room...), mutation seeds for the cracker.
func passwdGECOS(e *Env) map[string][]string {
	out := map[string][]string{}
	data, err := e.FS.ReadFile("/etc/passwd", maxConfigBytes)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 5 || f[0] == "" {
			continue
		}
		for _, w := range strings.FieldsFunc(f[4], func(r rune) bool { return r == ',' || r == ' ' }) {
			if len(w) >= 3 {
				out[f[0]] = append(out[f[0]], w)
			}
		}
	}
	return out
}
