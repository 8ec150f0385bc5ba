package websites

import (
	"fmt"
	"strings"
)

// nginx token kinds.
const (
	tokWord = iota
	tokSemicolon
	tokOpen
	tokClose
)

type nginxToken struct {
	kind int
	text string
	line int
}

func isNginxSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// lexNginx splits an nginx configuration into tokens the way nginx's own
// reader does: "#" starts a comment only at the start of a word, single and
// double quotes group (with backslash escapes), "${var}" braces belong to
// the word, and the body of an OpenResty *_by_lua_block is Lua, skipped
// whole. It returns the tokens read before any error.
func lexNginx(data []byte) ([]nginxToken, error) {
	var toks []nginxToken
	line := 1
	stmtName := "" // first word of the statement being read
	atStmtStart := true
	i := 0
	for i < len(data) {
		c := data[i]
		switch {
		case c == '\n':
			line++
			i++
		case isNginxSpace(c):
			i++
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == ';':
			toks = append(toks, nginxToken{tokSemicolon, ";", line})
			atStmtStart, stmtName = true, ""
			i++
		case c == '}':
			toks = append(toks, nginxToken{tokClose, "}", line})
			atStmtStart, stmtName = true, ""
			i++
		case c == '{':
			toks = append(toks, nginxToken{tokOpen, "{", line})
			i++
			if strings.HasSuffix(stmtName, "_by_lua_block") || strings.HasSuffix(stmtName, "_lua_block") {
				end, lines, err := skipLuaBlock(data, i)
				if err != nil {
					return toks, fmt.Errorf("line %d: %w", line, err)
				}
				line += lines
				i = end + 1
				toks = append(toks, nginxToken{tokClose, "}", line})
			}
			atStmtStart, stmtName = true, ""
		case c == '"' || c == '\'':
			start := line
			word, next, lines, err := readQuoted(data, i)
			if err != nil {
				return toks, fmt.Errorf("line %d: %w", start, err)
			}
			line += lines
			i = next
			toks = append(toks, nginxToken{tokWord, word, start})
			if atStmtStart {
				stmtName, atStmtStart = word, false
			}
		default:
			word, next, lines := readWord(data, i)
			toks = append(toks, nginxToken{tokWord, word, line})
			line += lines
			i = next
			if atStmtStart {
				stmtName, atStmtStart = word, false
			}
		}
	}
	return toks, nil
}

// readQuoted reads a quoted string starting at data[i] (the quote).
func readQuoted(data []byte, i int) (word string, next, lines int, err error) {
	q := data[i]
	var b strings.Builder
	for j := i + 1; j < len(data); j++ {
		c := data[j]
		if c == '\\' && j+1 < len(data) {
			n := data[j+1]
			switch n {
			case q, '\\':
				b.WriteByte(n)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
			if n == '\n' {
				lines++
			}
			j++
			continue
		}
		if c == q {
			return b.String(), j + 1, lines, nil
		}
		if c == '\n' {
			lines++
		}
		b.WriteByte(c)
	}
	return "", len(data), lines, fmt.Errorf("unterminated %c quote", q)
}

// readWord reads an unquoted word starting at data[i].
func readWord(data []byte, i int) (word string, next, lines int) {
	var b strings.Builder
	inVar := false // inside "${...}"
	j := i
	for ; j < len(data); j++ {
		c := data[j]
		if isNginxSpace(c) || c == ';' {
			break
		}
		if c == '{' {
			if j > i && data[j-1] == '$' {
				inVar = true
			} else {
				break
			}
		}
		if c == '}' {
			if !inVar {
				break
			}
			inVar = false
		}
		if c == '\\' && j+1 < len(data) {
			if data[j+1] == '\n' {
				lines++
			}
			b.WriteByte(c)
			b.WriteByte(data[j+1])
			j++
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), j, lines
}

// skipLuaBlock finds the "}" closing a Lua block whose body starts at
// data[i], counting braces outside Lua strings and comments. It returns
// the index of that brace and the newlines skipped.
func skipLuaBlock(data []byte, i int) (end, lines int, err error) {
	depth := 1
	for j := i; j < len(data); j++ {
		switch c := data[j]; c {
		case '\n':
			lines++
		case '"', '\'':
			for j++; j < len(data) && data[j] != c; j++ {
				if data[j] == '\\' {
					j++
				} else if data[j] == '\n' {
					lines++
				}
			}
		case '-':
			if j+1 < len(data) && data[j+1] == '-' {
				for j < len(data) && data[j] != '\n' {
					j++
				}
				j-- // let the newline be counted
			}
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j, lines, nil
			}
		}
	}
	return len(data), lines, fmt.Errorf("unterminated Lua block")
}

// ParseNginx parses one nginx configuration file into directives (without
// following includes). On malformed input it returns what it could parse
// and the first error, which names the line.
func ParseNginx(name string, data []byte) ([]*Directive, error) {
	toks, lexErr := lexNginx(data)
	var firstErr error
	fail := func(line int, format string, args ...any) {
		if firstErr == nil {
			firstErr = fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
		}
	}
	root := &Directive{HasBlock: true}
	stack := []*Directive{root}
	var cur *Directive // statement being read
	for _, t := range toks {
		parent := stack[len(stack)-1]
		switch t.kind {
		case tokWord:
			if cur == nil {
				cur = &Directive{Name: t.text, File: name, Line: t.line}
			} else {
				cur.Args = append(cur.Args, t.text)
			}
		case tokSemicolon:
			if cur == nil {
				fail(t.line, `unexpected ";"`)
				continue
			}
			parent.Block = append(parent.Block, cur)
			cur = nil
		case tokOpen:
			if cur == nil {
				fail(t.line, `unexpected "{"`)
				cur = &Directive{File: name, Line: t.line}
			}
			if len(stack) > maxNesting {
				fail(t.line, "blocks nested deeper than %d", maxNesting)
				return root.Block, firstErr
			}
			cur.HasBlock = true
			parent.Block = append(parent.Block, cur)
			stack = append(stack, cur)
			cur = nil
		case tokClose:
			if cur != nil {
				fail(cur.Line, "directive %q is not terminated by \";\"", cur.Name)
				parent.Block = append(parent.Block, cur)
				cur = nil
			}
			if len(stack) == 1 {
				fail(t.line, `unexpected "}"`)
				continue
			}
			stack = stack[:len(stack)-1]
		}
	}
	if cur != nil && lexErr == nil {
		// (After a lexer error the statement was cut short: dropped.)
		fail(cur.Line, "directive %q is not terminated by \";\"", cur.Name)
		stack[len(stack)-1].Block = append(stack[len(stack)-1].Block, cur)
	}
	if len(stack) > 1 {
		fail(stack[len(stack)-1].Line, `block %q has no closing "}"`, stack[len(stack)-1].Name)
	}
	if lexErr != nil {
		return root.Block, lexErr
	}
	return root.Block, firstErr
}
