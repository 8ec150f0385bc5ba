package parse

import (
	"strings"
)

// sudoLexer walks a sudoers file the way sudo's lexer does: a backslash
// before a newline continues the entry, '#' starts a comment unless it is
// "#include..." or a numeric id ("#1000"), and backslash escapes special
// characters inside words.
type sudoLexer struct {
	src  []byte
	pos  int
	line int
}

func (lx *sudoLexer) eof() bool { return lx.pos >= len(lx.src) }

// peek returns the current byte, 0 at end of input.
func (lx *sudoLexer) peek() byte { return lx.byteAt(lx.pos) }

func (lx *sudoLexer) byteAt(i int) byte {
	if i < 0 || i >= len(lx.src) {
		return 0
	}
	return lx.src[i]
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

// continuationAt reports the length of a line continuation (backslash,
// optional blanks, newline) starting at i, or 0.
func (lx *sudoLexer) continuationAt(i int) int {
	if lx.byteAt(i) != '\\' {
		return 0
	}
	j := i + 1
	for j < len(lx.src) && isBlank(lx.src[j]) {
		j++
	}
	if lx.byteAt(j) == '\n' {
		return j + 1 - i
	}
	return 0
}

// skipBlank skips blanks and line continuations, never a newline.
func (lx *sudoLexer) skipBlank() {
	for !lx.eof() {
		c := lx.src[lx.pos]
		if isBlank(c) {
			lx.pos++
			continue
		}
		if n := lx.continuationAt(lx.pos); n > 0 {
			lx.pos += n
			lx.line++
			continue
		}
		return
	}
}

// blanksAt counts plain blanks starting at i.
func (lx *sudoLexer) blanksAt(i int) int {
	n := 0
	for isBlank(lx.byteAt(i + n)) {
		n++
	}
	return n
}

// commentStart reports a '#' that begins a comment rather than an id.
func (lx *sudoLexer) commentStart() bool {
	if lx.peek() != '#' || lx.eof() {
		return false
	}
	n := lx.byteAt(lx.pos + 1)
	return !(n >= '0' && n <= '9') && !(n == '-' && isDigit(lx.byteAt(lx.pos+2)))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// atEnd reports the end of the current entry (after skipBlank).
func (lx *sudoLexer) atEnd() bool {
	return lx.eof() || lx.peek() == '\n' || lx.commentStart()
}

// skipLine moves past the end of the current entry: continuations are
// followed, a comment runs to its newline (no continuation inside it).
func (lx *sudoLexer) skipLine() {
	for !lx.eof() {
		c := lx.src[lx.pos]
		switch {
		case c == '\n':
			lx.pos++
			lx.line++
			return
		case c == '#' && lx.commentStart():
			for !lx.eof() && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		case c == '\\':
			if n := lx.continuationAt(lx.pos); n > 0 {
				lx.pos += n
				lx.line++
			} else {
				lx.pos += 2
			}
		default:
			lx.pos++
		}
	}
}

func isIdentByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// identAt returns the run of identifier bytes starting at i.
func (lx *sudoLexer) identAt(i int) string {
	j := i
	for j < len(lx.src) && isIdentByte(lx.src[j]) {
		j++
	}
	if i >= len(lx.src) {
		return ""
	}
	return string(lx.src[i:j])
}

func (lx *sudoLexer) peekIdent() string { return lx.identAt(lx.pos) }

// include recognises #include, @include, #includedir and @includedir at
// the current position and consumes the whole line.
func (lx *sudoLexer) include() (SudoInclude, bool) {
	c := lx.peek()
	if c != '#' && c != '@' {
		return SudoInclude{}, false
	}
	word := lx.identAt(lx.pos + 1)
	if word != "include" && word != "includedir" {
		return SudoInclude{}, false
	}
	after := lx.pos + 1 + len(word)
	if !isBlank(lx.byteAt(after)) && lx.byteAt(after) != '\n' && after < len(lx.src) {
		return SudoInclude{}, false
	}
	lx.pos = after
	end := lx.pos
	for end < len(lx.src) && lx.src[end] != '\n' {
		end++
	}
	arg := strings.TrimSpace(string(lx.src[lx.pos:end]))
	lx.pos = end
	if !lx.eof() {
		lx.pos++
		lx.line++
	}
	return SudoInclude{Path: unquotePath(arg), Dir: word == "includedir"}, true
}

// unquotePath removes double quotes or backslash escapes from an include path.
func unquotePath(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// word reads a user, host or alias name. It stops at blanks and at the
// sudoers punctuation , : = ( ) ! # unless escaped; double quotes group.
// "%:group", "#uid" and "%#gid" are kept whole.
func (lx *sudoLexer) word() string {
	var b strings.Builder
	for !lx.eof() {
		c := lx.src[lx.pos]
		switch {
		case c == '\\':
			if lx.continuationAt(lx.pos) > 0 || lx.pos+1 >= len(lx.src) {
				return b.String()
			}
			b.WriteByte(lx.src[lx.pos+1])
			lx.pos += 2
		case c == '"':
			end := lx.pos + 1
			for end < len(lx.src) && lx.src[end] != '"' && lx.src[end] != '\n' {
				if lx.src[end] == '\\' && end+1 < len(lx.src) && lx.src[end+1] != '\n' {
					end++
				}
				end++
			}
			b.WriteString(unquotePath(string(lx.src[lx.pos+1 : end])))
			lx.pos = end
			if lx.peek() == '"' {
				lx.pos++
			}
		case c == ':' && b.String() == "%":
			b.WriteByte(c)
			lx.pos++
		case c == '#' && isDigit(lx.byteAt(lx.pos+1)) && (b.Len() == 0 || b.String() == "%" || b.String() == "%:"):
			b.WriteByte(c)
			lx.pos++
		case isBlank(c) || c == '\n' || strings.IndexByte(",:=()!#", c) >= 0:
			return b.String()
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
	return b.String()
}

// list reads "item, item, !item" (users, hosts, runas members).
func (lx *sudoLexer) list() ([]string, string) {
	var out []string
	for {
		lx.skipBlank()
		neg := ""
		for lx.peek() == '!' && !lx.eof() {
			neg += "!"
			lx.pos++
			lx.skipBlank()
		}
		w := lx.word()
		if w == "" {
			if lx.atEnd() {
				return nil, "unexpected end of entry"
			}
			return nil, "unexpected " + quoteByte(lx.peek())
		}
		out = append(out, neg+w)
		lx.skipBlank()
		if lx.peek() != ',' || lx.eof() {
			return out, ""
		}
		lx.pos++
	}
}

// runas reads "(users)", "(users:groups)" or "(:groups)", normalised to
// "users:groups" with ", " between members.
func (lx *sudoLexer) runas() (string, string) {
	lx.pos++ // '('
	var users, groups []string
	var err string
	lx.skipBlank()
	if lx.peek() != ':' && lx.peek() != ')' {
		if users, err = lx.list(); err != "" {
			return "", err
		}
	}
	lx.skipBlank()
	hasGroups := false
	if lx.peek() == ':' {
		lx.pos++
		hasGroups = true
		lx.skipBlank()
		if lx.peek() != ')' {
			if groups, err = lx.list(); err != "" {
				return "", err
			}
		}
	}
	lx.skipBlank()
	if lx.peek() != ')' || lx.eof() {
		return "", "')' expected in Runas_Spec"
	}
	lx.pos++
	s := strings.Join(users, ", ")
	if hasGroups {
		s += ":" + strings.Join(groups, ", ")
	}
	return s, ""
}

// value reads an option value: a quoted string or a run up to a blank or
// the next separator.
func (lx *sudoLexer) value() string {
	if lx.peek() == '"' {
		return lx.word()
	}
	var b strings.Builder
	for !lx.eof() {
		c := lx.src[lx.pos]
		if c == '\\' && lx.continuationAt(lx.pos) == 0 && lx.pos+1 < len(lx.src) {
			b.WriteByte(lx.src[lx.pos+1])
			lx.pos += 2
			continue
		}
		if isBlank(c) || c == '\n' || c == '\\' || c == ',' || c == ':' || c == '#' {
			break
		}
		b.WriteByte(c)
		lx.pos++
	}
	return b.String()
}

// digest reads a base64 or hex digest value.
func (lx *sudoLexer) digest() string {
	start := lx.pos
	for !lx.eof() {
		c := lx.src[lx.pos]
		if isBlank(c) || c == '\n' || c == ',' || c == ':' || c == '\\' || c == '#' {
			break
		}
		lx.pos++
	}
	return string(lx.src[start:lx.pos])
}

// commandText reads a command and its arguments up to an unescaped
// , : = # or the end of the entry. Escapes of sudoers punctuation lose
// their backslash; glob escapes (\* \? \[ \] \!) keep it. Runs of blanks
// and continuations become one space.
func (lx *sudoLexer) commandText() string {
	var b strings.Builder
	space := false
	for !lx.eof() {
		c := lx.src[lx.pos]
		if n := lx.continuationAt(lx.pos); n > 0 {
			lx.pos += n
			lx.line++
			space = true
			continue
		}
		if c == '\\' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] != '\n' {
			n := lx.src[lx.pos+1]
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			if strings.IndexByte(`*?[]!^`, n) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(n)
			lx.pos += 2
			continue
		}
		if c == '\n' || c == ',' || c == ':' || c == '=' || c == '#' || c == '\\' {
			break
		}
		if isBlank(c) {
			space = true
			lx.pos++
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
		lx.pos++
	}
	return b.String()
}
