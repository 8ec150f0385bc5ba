package parse

import (
	"errors"
	"io"
	"strings"
)

// MaxAuthorizedKeyLine bounds one authorized_keys line. A 16384-bit RSA
// key with long options stays well below it.
const MaxAuthorizedKeyLine = 64 << 10

// AuthorizedKeyLine is one parsed authorized_keys entry.
type AuthorizedKeyLine struct {
	SSHKey
	Options []string // as written, e.g. from="10.0.0.0/8", no-pty
	Comment string
	Line    int
}

// ParseAuthorizedKeys reads an authorized_keys file (sshd(8) format).
// Blank lines and comments are skipped; bad lines are reported with their
// number and skipped.
func ParseAuthorizedKeys(r io.Reader) ([]AuthorizedKeyLine, []LineError, error) {
	var out []AuthorizedKeyLine
	var errs []LineError
	err := scanLines(r, MaxAuthorizedKeyLine, func(n int, line []byte, tooLong bool) {
		if tooLong {
			errs = append(errs, lineErr(n, "longer than %d bytes; skipped", MaxAuthorizedKeyLine))
			return
		}
		if isBlankOrComment(line) {
			return
		}
		k, err := ParseAuthorizedKeyLine(string(line))
		if err != nil {
			errs = append(errs, lineErr(n, "%v", err))
			return
		}
		k.Line = n
		out = append(out, k)
	})
	return out, errs, err
}

// ParseAuthorizedKeyLine parses "[options] type base64 [comment]" the way
// sshd does: if the line does not start with a key type, the first field
// (up to unquoted whitespace) is the option list.
func ParseAuthorizedKeyLine(line string) (AuthorizedKeyLine, error) {
	s := strings.TrimLeft(line, " \t")
	var k AuthorizedKeyLine
	first, _ := splitField(s)
	if !IsKeyType(first) {
		opts, rest, err := splitOptions(s)
		if err != nil {
			return k, err
		}
		k.Options = opts
		s = strings.TrimLeft(rest, " \t")
	}
	typ, rest := splitField(s)
	if typ == "" {
		return k, errors.New("no key after the options")
	}
	if !IsKeyType(typ) {
		if isDigits(typ) {
			return k, errors.New("SSH protocol 1 RSA key (not supported by OpenSSH since 7.4)")
		}
		return k, errors.New("unknown key type " + quoteField(typ))
	}
	blob, rest := splitField(strings.TrimLeft(rest, " \t"))
	if blob == "" {
		return k, errors.New("key type without key data")
	}
	key, err := DecodeSSHKey(typ, blob)
	if err != nil {
		return k, err
	}
	k.SSHKey = key
	k.Comment = strings.TrimSpace(rest)
	return k, nil
}

// splitField returns the text up to the first blank, and the rest.
func splitField(s string) (string, string) {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// splitOptions splits the leading option list at commas outside double
// quotes (\" escapes a quote) and returns it with the rest of the line.
func splitOptions(s string) ([]string, string, error) {
	var opts []string
	quoted := false
	start := 0
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !quoted && (c == ' ' || c == '\t') {
			break
		}
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '"':
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			if i == start {
				return nil, "", errors.New("empty option in option list")
			}
			opts = append(opts, s[start:i])
			start = i + 1
		}
	}
	if quoted {
		return nil, "", errors.New("unterminated quote in options")
	}
	if i == start {
		return nil, "", errors.New("empty option in option list")
	}
	opts = append(opts, s[start:i])
	for _, o := range opts {
		name, _, _ := strings.Cut(o, "=")
		if name == "" || strings.ContainsAny(name, `"`) {
			return nil, "", errors.New("malformed option " + quoteField(o))
		}
	}
	return opts, s[i:], nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quoteField quotes a short, truncated piece of input for a message.
func quoteField(s string) string {
	return `"` + strings.ToValidUTF8(trunc(s, 40), "?") + `"`
}
