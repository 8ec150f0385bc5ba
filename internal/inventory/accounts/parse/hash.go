package parse

import (
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// hashPrefixes maps crypt(5) prefixes to libxcrypt's method names. Longer
// prefixes come first where one is a prefix of another.
var hashPrefixes = []struct{ prefix, scheme string }{
	{"$y$", "yescrypt"},
	{"$gy$", "gost-yescrypt"},
	{"$7$", "scrypt"},
	{"$2a$", "bcrypt"},
	{"$2b$", "bcrypt"},
	{"$2x$", "bcrypt"},
	{"$2y$", "bcrypt"},
	{"$6$", "sha512crypt"},
	{"$5$", "sha256crypt"},
	{"$1$", "md5crypt"},
	{"$apr1$", "apr1"},
	{"$md5", "sunmd5"},
	{"$sha1$", "sha1crypt"},
	{"$3$", "nt"},
}

// ClassifyPassword turns a password field (from shadow, or from passwd when
// it is not shadowed) into a state and a hash scheme. The field itself is
// not kept anywhere: callers must drop it after this call.
//
// Rules, matching what pam_unix does with the field:
//   - ""                        → empty (login without a password)
//   - a crypt hash              → set
//   - "!" or "*" before a hash  → locked (passwd -l / usermod -L; the hash is kept)
//   - "*", "!", "!!", "!*", "x", "NP", anything else that is no hash
//     → disabled (no password can ever match; "!" alone is what useradd
//     writes for an account that never had one)
func ClassifyPassword(field string) (model.PasswordState, string) {
	if field == "" {
		return model.PasswordEmpty, ""
	}
	rest := strings.TrimLeft(field, "!*")
	if scheme := HashScheme(rest); scheme != "" {
		if len(rest) != len(field) {
			return model.PasswordLocked, scheme
		}
		return model.PasswordSet, scheme
	}
	return model.PasswordDisabled, ""
}

// HashScheme names the crypt(5) method of h, or "" when h is no hash.
func HashScheme(h string) string {
	for _, p := range hashPrefixes {
		if strings.HasPrefix(h, p.prefix) {
			return p.scheme
		}
	}
	if strings.HasPrefix(h, "$") {
		// A method this table does not know; libxcrypt may still accept it.
		return "unknown"
	}
	if len(h) == 20 && h[0] == '_' && allCryptChars(h[1:]) {
		return "bsdicrypt"
	}
	if len(h) == 13 && allCryptChars(h) {
		return "descrypt"
	}
	return ""
}

func allCryptChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '.' || c == '/' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
