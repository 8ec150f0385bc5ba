package java

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// PomProperties are the coordinates Maven writes to
// META-INF/maven/<groupId>/<artifactId>/pom.properties.
type PomProperties struct {
	GroupID    string
	ArtifactID string
	Version    string
}

// maxPropertiesLine bounds one logical line (after joining continuations).
const maxPropertiesLine = 64 << 10

// ParsePomProperties reads the Java properties file format far enough to
// get groupId, artifactId and version: comments (# and !), the separators
// '=', ':' and white space, backslash line continuations and escapes.
func ParsePomProperties(r io.Reader) (PomProperties, error) {
	var p PomProperties
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), maxPropertiesLine)
	var logical strings.Builder
	for sc.Scan() {
		line := sc.Text()
		if logical.Len() == 0 {
			line = strings.TrimLeft(line, " \t\f")
			if line == "" || line[0] == '#' || line[0] == '!' {
				continue
			}
		} else {
			line = strings.TrimLeft(line, " \t\f") // continuation lines drop leading blanks
		}
		line = strings.TrimSuffix(line, "\r")
		if continues(line) {
			logical.WriteString(line[:len(line)-1])
			if logical.Len() > maxPropertiesLine {
				return p, errors.New("pom.properties line longer than 64 KiB")
			}
			continue
		}
		logical.WriteString(line)
		key, val := splitProperty(logical.String())
		logical.Reset()
		switch key {
		case "groupId":
			p.GroupID = val
		case "artifactId":
			p.ArtifactID = val
		case "version":
			p.Version = val
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return p, errors.New("pom.properties line longer than 64 KiB")
		}
		return p, err
	}
	return p, nil
}

// continues reports whether a line ends in an odd number of backslashes.
func continues(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitProperty splits "key = value" at the first unescaped separator and
// unescapes both sides.
func splitProperty(s string) (key, val string) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		i++
	}
	if i > len(s) {
		i = len(s)
	}
	key = s[:i]
	// After the key: blanks, then at most one '=' or ':', then blanks.
	rest := strings.TrimLeft(s[i:], " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	return unescape(key), strings.TrimSpace(unescape(rest))
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if r, ok := hex4(s[i+1:]); ok {
				b.WriteRune(r)
				i += 4
			} else {
				b.WriteByte('u')
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	if !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return r, true
}
