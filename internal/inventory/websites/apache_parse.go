package websites

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// maxApacheLine bounds one logical line (continuations included).
const maxApacheLine = 1 << 20

// ParseApache parses one Apache httpd configuration file into directives
// (without following includes): one directive per logical line (a trailing
// backslash continues it), "#" comment lines, and <Section args> ...
// </Section> blocks. On malformed input it returns what it could parse and
// the first error, which names the line.
func ParseApache(name string, data []byte) ([]*Directive, error) {
	var firstErr error
	fail := func(line int, format string, args ...any) {
		if firstErr == nil {
			firstErr = fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
		}
	}
	root := &Directive{HasBlock: true}
	stack := []*Directive{root}

	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxApacheLine)
	lineNo := 0
	var logical strings.Builder
	start := 0
	for sc.Scan() {
		lineNo++
		text := sc.Text()
		if logical.Len() == 0 {
			start = lineNo
		}
		if strings.HasSuffix(text, "\\") {
			logical.WriteString(strings.TrimSuffix(text, "\\"))
			logical.WriteByte(' ')
			if logical.Len() > maxApacheLine {
				fail(start, "line too long")
				return root.Block, firstErr
			}
			continue
		}
		logical.WriteString(text)
		line := strings.TrimSpace(logical.String())
		logical.Reset()
		if line == "" || line[0] == '#' {
			continue
		}
		parent := stack[len(stack)-1]
		switch {
		case strings.HasPrefix(line, "</"):
			closing := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "</"), ">"))
			// Pop to the matching section; a stray closer is reported, not fatal.
			match := -1
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].is(closing) {
					match = i
					break
				}
			}
			if match < 0 {
				fail(start, "</%s> without matching <%s>", closing, closing)
				continue
			}
			if match != len(stack)-1 {
				fail(start, "</%s> closes <%s> opened at line %d", closing, stack[len(stack)-1].Name, stack[len(stack)-1].Line)
			}
			stack = stack[:match]
		case line[0] == '<':
			end := strings.LastIndexByte(line, '>')
			if end < 0 {
				fail(start, "section %q has no closing >", line)
				continue
			}
			words := splitApacheArgs(line[1:end])
			if len(words) == 0 {
				fail(start, "empty section")
				continue
			}
			if len(stack) > maxNesting {
				fail(start, "sections nested deeper than %d", maxNesting)
				return root.Block, firstErr
			}
			d := &Directive{Name: words[0], Args: words[1:], File: name, Line: start, HasBlock: true}
			parent.Block = append(parent.Block, d)
			stack = append(stack, d)
		default:
			words := splitApacheArgs(line)
			parent.Block = append(parent.Block, &Directive{Name: words[0], Args: words[1:], File: name, Line: start})
		}
	}
	if err := sc.Err(); err != nil {
		fail(lineNo+1, "%v", err)
	}
	if len(stack) > 1 {
		d := stack[len(stack)-1]
		fail(d.Line, "<%s> has no closing </%s>", d.Name, d.Name)
	}
	return root.Block, firstErr
}

// splitApacheArgs splits a line into words as httpd's ap_getword_conf
// does: whitespace separates, double or single quotes group, and a
// backslash escapes the quote character inside quotes.
func splitApacheArgs(s string) []string {
	var out []string
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		if q := s[i]; q == '"' || q == '\'' {
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != q; j++ {
				if s[j] == '\\' && j+1 < len(s) && (s[j+1] == q || s[j+1] == '\\') {
					j++
				}
				b.WriteByte(s[j])
			}
			out = append(out, b.String())
			i = j + 1
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}
