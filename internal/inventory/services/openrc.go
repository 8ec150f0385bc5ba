package services

import (
	"bufio"
	"io"
	"regexp"
	"strings"
)

// OpenRCScript holds the variables of an openrc-run script that describe
// what it starts.
type OpenRCScript struct {
	OpenRC      bool // "#!/sbin/openrc-run" (or /usr/sbin/openrc-run) shebang
	Description string
	Name        string
	Command     string
	CommandUser string // "user" or "user:group"
}

var (
	assignRe  = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)
	defaultRe = regexp.MustCompile(`^:\s+"?\$\{([A-Za-z_][A-Za-z0-9_]*):?=(.*)\}"?\s*$`)
)

// ParseOpenRCScript reads the top-level assignments of an OpenRC service
// script (`command=...`, and the `: ${var:=default}` idiom). Values are
// expanded as far as the script itself tells: $RC_SVCNAME/$SVCNAME become
// svcname, variables assigned earlier are substituted, ${X:-default} takes
// the default when X is unknown (conf.d files are not read). Function bodies
// (indented lines) are ignored; nothing is ever executed.
func ParseOpenRCScript(r io.Reader, svcname string) (OpenRCScript, error) {
	var s OpenRCScript
	vars := map[string]string{"RC_SVCNAME": svcname, "SVCNAME": svcname}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxInitScriptHead)
	first := true
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if first {
			first = false
			if strings.HasPrefix(line, "#!") && strings.Contains(line, "openrc-run") {
				s.OpenRC = true
			}
			continue
		}
		if line == "" || line[0] == '#' || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		var name, raw string
		if m := assignRe.FindStringSubmatch(line); m != nil {
			name, raw = m[1], m[2]
		} else if m := defaultRe.FindStringSubmatch(line); m != nil {
			// ": ${name:=default}" assigns only when unset; nothing sets it
			// before the script, so the default applies.
			if _, set := vars[m[1]]; set {
				continue
			}
			name, raw = m[1], m[2]
		} else {
			continue
		}
		vars[name] = expandShell(raw, vars, 0)
	}
	s.Description = vars["description"]
	s.Name = vars["name"]
	s.Command = vars["command"]
	s.CommandUser = vars["command_user"]
	return s, sc.Err()
}

const (
	maxExpandDepth = 8
	maxExpandLen   = 4096
)

// expandShell does the small part of sh word expansion an init script's
// variables need: quotes removed, $NAME / ${NAME} substituted, and
// ${NAME:-word} / ${NAME-word} / ${NAME:=word} taking word when NAME is
// unknown. Command substitution and anything else is left as written.
func expandShell(s string, vars map[string]string, depth int) string {
	if depth > maxExpandDepth {
		return s
	}
	var b strings.Builder
	inSingle := false
	for i := 0; i < len(s) && b.Len() < maxExpandLen; i++ {
		c := s[i]
		switch {
		case inSingle:
			if c == '\'' {
				inSingle = false
			} else {
				b.WriteByte(c)
			}
		case c == '\'':
			inSingle = true
		case c == '"':
			// Double quotes only group; drop them.
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := matchBrace(s, i+1)
			if end < 0 {
				b.WriteString(s[i:])
				i = len(s)
				continue
			}
			b.WriteString(expandParam(s[i+2:end], vars, depth))
			i = end
		case c == '$' && i+1 < len(s) && isNameStart(s[i+1]):
			j := i + 1
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			b.WriteString(vars[s[i+1:j]])
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if len(out) > maxExpandLen {
		out = out[:maxExpandLen]
	}
	return out
}

// expandParam expands the inside of ${...}.
func expandParam(p string, vars map[string]string, depth int) string {
	j := 0
	for j < len(p) && isNameChar(p[j]) {
		j++
	}
	name, op := p[:j], p[j:]
	val, set := vars[name]
	switch {
	case op == "":
		return val
	case strings.HasPrefix(op, ":-") || strings.HasPrefix(op, ":="):
		if val == "" {
			return expandShell(op[2:], vars, depth+1)
		}
		return val
	case strings.HasPrefix(op, "-") || strings.HasPrefix(op, "="):
		if !set {
			return expandShell(op[1:], vars, depth+1)
		}
		return val
	}
	return val // ${x%...} and other operators: the value is the best guess
}

// matchBrace finds the "}" closing the "{" at s[open], honouring nesting.
func matchBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isNameChar(c byte) bool  { return isNameStart(c) || c >= '0' && c <= '9' }
