package probe

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret value in evidence and reasons.
const Redacted = "<redacted>"

// secretKV finds key/value pairs whose key ends in a secret-bearing word
// (requirepass foo, masterauth foo, password="x", "auth": "x",
// primary_conninfo = '... password=x'). Keys that only contain such a word
// (PASS_MAX_DAYS, PasswordAuthentication, ServerTokens) do not match: the
// word must be followed directly by the separator.
var secretKV = regexp.MustCompile(`(?i)((?:^|[^A-Za-z0-9_])[A-Za-z0-9_.-]*(?:password|passwd|pass|passphrase|secret|token|requirepass|masterauth|masteruser_password|rootpw|apikey|api_key|credentials?|auths?)["']?)(\s*[=:]\s*|\s+)("[^"]*"?|'[^']*'?|[^\s"',;>]+)`)

// pamFile: PAM stacks start lines with the type "password", which is not
// a secret; they never hold one.
func pamFile(f string) bool { return strings.HasPrefix(f, "/etc/pam.d/") }

// redactLine masks secrets in one evidence line from file f: with force
// (the probe's redact option) everything after the first word, otherwise
// the values of secret-looking keys.
func redactLine(f, line string, force bool) string {
	if force {
		return redactAfterKey(line)
	}
	if pamFile(f) {
		return line
	}
	return secretKV.ReplaceAllString(line, "${1}${2}"+Redacted)
}

// redactAfterKey keeps the first word of a line and masks the rest.
func redactAfterKey(line string) string {
	line = strings.TrimSpace(line)
	i := strings.IndexAny(line, " \t=:")
	if i < 0 {
		return line
	}
	return line[:i] + " " + Redacted
}

// SecretKey reports whether a configuration key names a secret, so its
// value is never shown (keyvalue probes redact it automatically).
func SecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"password", "passwd", "pass", "passphrase", "secret", "token", "requirepass", "masterauth", "rootpw", "apikey", "api_key", "credential", "credentials", "auth", "auths"} {
		if strings.HasSuffix(k, w) {
			return true
		}
	}
	return false
}
