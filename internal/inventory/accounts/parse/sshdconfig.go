package parse

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// SSHDDirective is one sshd_config line: keyword (lower-cased) and arguments.
type SSHDDirective struct {
	Keyword string
	Args    []string
	Line    int
	// InMatch is true after a Match line: the directive applies only to
	// some connections.
	InMatch bool
}

// ParseSSHDConfig reads sshd_config(5) lines ("Keyword args" or
// "Keyword=args"; double quotes group arguments; '#' starts a comment).
func ParseSSHDConfig(r io.Reader) ([]SSHDDirective, []LineError, error) {
	var out []SSHDDirective
	var errs []LineError
	inMatch := false
	err := scanLines(r, 16<<10, func(n int, line []byte, tooLong bool) {
		if tooLong {
			errs = append(errs, lineErr(n, "line too long; skipped"))
			return
		}
		if isBlankOrComment(line) {
			return
		}
		s := strings.TrimSpace(string(line))
		kw := s
		rest := ""
		if i := strings.IndexAny(s, " \t="); i >= 0 {
			kw, rest = s[:i], strings.TrimLeft(s[i:], " \t")
			rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
		}
		args, err := splitSSHArgs(rest)
		if err != nil {
			errs = append(errs, lineErr(n, "%s: %v", quoteField(kw), err))
			return
		}
		kw = strings.ToLower(kw)
		if kw == "match" {
			inMatch = true
		}
		out = append(out, SSHDDirective{Keyword: kw, Args: args, Line: n, InMatch: inMatch})
	})
	return out, errs, err
}

// splitSSHArgs splits arguments at blanks; double quotes group; an
// unquoted '#' ends the line.
func splitSSHArgs(s string) ([]string, error) {
	var args []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" || s[0] == '#' {
			return args, nil
		}
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, errors.New("unterminated quote")
			}
			args = append(args, s[1:1+end])
			s = s[2+end:]
			continue
		}
		f, rest := splitField(s)
		args = append(args, f)
		s = rest
	}
}

// ExpandAuthorizedKeysPath applies the AuthorizedKeysFile tokens %h (home),
// %u (user name), %U (uid) and %% and makes a relative path relative to the
// home directory, as sshd does.
func ExpandAuthorizedKeysPath(pattern, home, user string, uid int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(pattern) {
			return "", errors.New("trailing % in AuthorizedKeysFile")
		}
		i++
		switch pattern[i] {
		case 'h':
			b.WriteString(home)
		case 'u':
			b.WriteString(user)
		case 'U':
			b.WriteString(strconv.Itoa(uid))
		case '%':
			b.WriteByte('%')
		default:
			return "", fmt.Errorf("unknown token %%%c in AuthorizedKeysFile", pattern[i])
		}
	}
	p := b.String()
	if !strings.HasPrefix(p, "/") {
		p = home + "/" + p
	}
	return path.Clean(p), nil
}
