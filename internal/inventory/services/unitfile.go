package services

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxUnitLine caps one logical unit-file line (continuations included);
// systemd's own limit (LONG_LINE_MAX) is the same 1 MiB.
const MaxUnitLine = 1 << 20

// Entry is one "Key=Value" assignment of a unit file or drop-in.
type Entry struct {
	Section string
	Key     string
	Value   string
	Line    int
}

// Problem is a line systemd would ignore with a warning.
type Problem struct {
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// Unit is a parsed unit file, with any drop-ins appended in the order systemd
// applies them, so later assignments override earlier ones.
type Unit struct {
	Entries  []Entry
	Problems []Problem
}

// ErrLineTooLong is returned for a logical line longer than MaxUnitLine.
var ErrLineTooLong = errors.New("line too long")

// ParseUnit parses systemd's INI-like unit syntax: [Section] headers,
// Key=Value assignments, '#' and ';' comments, and lines continued with a
// trailing backslash (comment lines inside a continuation are skipped, as
// systemd does). Lines systemd would ignore are reported in Problems; an
// error is returned only when the input cannot be read.
func ParseUnit(r io.Reader) (*Unit, error) {
	u := &Unit{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxUnitLine)
	section := ""
	var cont strings.Builder
	contLine := 0
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimSuffix(sc.Text(), "\r")
		if n == 1 {
			raw = strings.TrimPrefix(raw, "\uFEFF")
		}
		if cont.Len() > 0 {
			if t := strings.TrimLeft(raw, " \t"); t != "" && (t[0] == '#' || t[0] == ';') {
				continue
			}
		} else {
			t := strings.TrimLeft(raw, " \t")
			if t == "" || t[0] == '#' || t[0] == ';' {
				continue
			}
			contLine = n
		}
		if strings.HasSuffix(raw, `\`) {
			// systemd turns the backslash into a space and joins the next line.
			cont.WriteString(raw[:len(raw)-1])
			cont.WriteByte(' ')
			if cont.Len() > MaxUnitLine {
				return u, fmt.Errorf("line %d: %w", contLine, ErrLineTooLong)
			}
			continue
		}
		line := raw
		if cont.Len() > 0 {
			cont.WriteString(raw)
			line = cont.String()
			cont.Reset()
		}
		section = u.parseLine(section, line, contLine)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line %d: %w", n+1, ErrLineTooLong)
		}
		return u, err
	}
	if cont.Len() > 0 {
		u.parseLine(section, cont.String(), contLine)
	}
	return u, nil
}

// parseLine handles one logical line and returns the current section.
func (u *Unit) parseLine(section, line string, n int) string {
	line = strings.TrimSpace(line)
	if line == "" {
		return section
	}
	if line[0] == '[' {
		if len(line) < 3 || line[len(line)-1] != ']' {
			u.Problems = append(u.Problems, Problem{n, "invalid section header"})
			// systemd ignores assignments until the next valid header.
			return "\x00invalid"
		}
		return line[1 : len(line)-1]
	}
	if strings.HasPrefix(line, ".include ") {
		u.Problems = append(u.Problems, Problem{n, ".include is not supported"})
		return section
	}
	key, value, ok := strings.Cut(line, "=")
	if !ok {
		u.Problems = append(u.Problems, Problem{n, "missing '='"})
		return section
	}
	key = strings.TrimSpace(key)
	switch {
	case section == "":
		u.Problems = append(u.Problems, Problem{n, "assignment outside of a section"})
	case section == "\x00invalid":
		// Already reported at the header.
	case key == "":
		u.Problems = append(u.Problems, Problem{n, "empty key"})
	default:
		u.Entries = append(u.Entries, Entry{Section: section, Key: key, Value: strings.TrimSpace(value), Line: n})
	}
	return section
}

// Append adds a drop-in's assignments after the unit's own.
func (u *Unit) Append(dropin *Unit) {
	if dropin != nil {
		u.Entries = append(u.Entries, dropin.Entries...)
	}
}

// Value is the last assignment of a single-valued setting ("" if unset or
// reset by an empty assignment).
func (u *Unit) Value(section, key string) string {
	for i := len(u.Entries) - 1; i >= 0; i-- {
		if e := u.Entries[i]; e.Section == section && e.Key == key {
			return e.Value
		}
	}
	return ""
}

// Values are the assignments of a list setting (ExecStart, WantedBy...) in
// order; an empty assignment clears the values before it.
func (u *Unit) Values(section, key string) []string {
	var out []string
	for _, e := range u.Entries {
		if e.Section != section || e.Key != key {
			continue
		}
		if e.Value == "" {
			out = out[:0]
			continue
		}
		out = append(out, e.Value)
	}
	return out
}

// HasSection reports whether any assignment was made in section.
func (u *Unit) HasSection(section string) bool {
	for _, e := range u.Entries {
		if e.Section == section {
			return true
		}
	}
	return false
}

// CommandLine strips systemd's executable prefixes ("-", "@", ":", "+", "!",
// "!!", "|") from an Exec*= value. With "@" the second word is argv[0], not
// an argument, so it is dropped.
func CommandLine(v string) string {
	v = strings.TrimSpace(v)
	i := 0
	argv0 := false
	for i < len(v) && strings.IndexByte("-@:+!|", v[i]) >= 0 {
		if v[i] == '@' {
			argv0 = true
		}
		i++
	}
	v = strings.TrimSpace(v[i:])
	if !argv0 {
		return v
	}
	exe, rest, ok := cutSpace(v)
	if !ok {
		return exe
	}
	_, args, _ := cutSpace(rest)
	if args == "" {
		return exe
	}
	return exe + " " + args
}

// cutSpace splits off the first whitespace-separated word.
func cutSpace(s string) (word, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, "", false
	}
	return s[:i], strings.TrimLeft(s[i:], " \t"), true
}
