package dpkg

import (
	"bytes"
	"fmt"
	"io"

	"github.com/ward-sec/ward/internal/inventory/ospkg"
)

// Entry is one stanza of a dpkg status database, reduced to the fields Ward
// uses. Values are as written (trimmed); the collector validates them.
type Entry struct {
	Line         int // first line of the stanza, 1-based
	Package      string
	Status       string // "want flag state"; empty when the field is absent
	Version      string
	Architecture string
	MultiArch    string
	Source       string
	Maintainer   string
	Origin       string
}

// ParseError is a malformed stanza; the parser skips to the next one.
type ParseError = ospkg.ParseError

// maxLine bounds one line held in memory. Longer lines are only legitimate
// in fields Ward skips (Description, Depends...), which are discarded
// without being held.
const maxLine = 64 << 10

type field int

const (
	fieldOther field = iota
	fieldPackage
	fieldStatus
	fieldVersion
	fieldArchitecture
	fieldMultiArch
	fieldSource
	fieldMaintainer
	fieldOrigin
)

// keptFields maps lower-case field names to the ones Ward keeps; dpkg
// compares field names case-insensitively.
var keptFields = map[string]field{
	"package":      fieldPackage,
	"status":       fieldStatus,
	"version":      fieldVersion,
	"architecture": fieldArchitecture,
	"multi-arch":   fieldMultiArch,
	"source":       fieldSource,
	"maintainer":   fieldMaintainer,
	"origin":       fieldOrigin,
}

// ParseStatus streams the stanzas of a dpkg status file (or a status.d file)
// from r: onEntry gets each well-formed stanza that names a package, onError
// each malformed one (the others are kept). Continuation lines and fields
// Ward does not use are skipped, never held. CRLF line ends are accepted.
// The returned error is a read error of r.
func ParseStatus(r io.Reader, onEntry func(Entry), onError func(ParseError)) error {
	p := statusParser{onEntry: onEntry, onError: onError}
	if err := ospkg.ScanLines(r, maxLine, p.handle); err != nil {
		return err
	}
	p.finish()
	return nil
}

type statusParser struct {
	onEntry func(Entry)
	onError func(ParseError)

	line     int
	in       bool  // inside a stanza
	bad      bool  // the stanza is malformed; skip to its end
	hasField bool  // a field started in this stanza (continuations allowed)
	seen     int64 // bit set of kept fields seen in this stanza
	cur      Entry
	strs     ospkg.Interner
}

func (p *statusParser) handle(line []byte, long bool) {
	p.line++
	if len(line) == 0 {
		p.finish()
		return
	}
	if line[0] == ' ' || line[0] == '\t' {
		switch {
		case !p.in && len(bytes.TrimSpace(line)) == 0:
			// Whitespace between stanzas: dpkg skips it too.
		case !p.in:
			p.start()
			p.fail("continuation line outside any field")
		case !p.hasField:
			p.fail("continuation line before any field")
		}
		// A continuation of a field Ward skips (or folded text): ignore it.
		return
	}
	if !p.in {
		p.start()
	}
	if p.bad {
		return
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || bytes.ContainsAny(line[:colon], " \t") {
		p.fail(`expected "Field: value"`)
		return
	}
	p.hasField = true
	f := lookupField(line[:colon])
	if f == fieldOther {
		return
	}
	name := string(line[:colon])
	if long {
		p.fail(fmt.Sprintf("field %s is longer than %d bytes", name, maxLine))
		return
	}
	if p.seen&(1<<f) != 0 {
		p.fail("duplicate field " + name)
		return
	}
	p.seen |= 1 << f
	value := bytes.TrimSpace(line[colon+1:])
	switch f {
	case fieldPackage:
		p.cur.Package = string(value)
	case fieldVersion:
		p.cur.Version = string(value)
	case fieldSource:
		p.cur.Source = string(value)
	case fieldStatus:
		p.cur.Status = p.strs.Intern(value)
	case fieldArchitecture:
		p.cur.Architecture = p.strs.Intern(value)
	case fieldMultiArch:
		p.cur.MultiArch = p.strs.Intern(value)
	case fieldMaintainer:
		p.cur.Maintainer = p.strs.Intern(value)
	case fieldOrigin:
		p.cur.Origin = p.strs.Intern(value)
	}
}

// lookupField says which kept field name is, without allocating.
func lookupField(name []byte) field {
	var buf [16]byte
	if len(name) > len(buf) {
		return fieldOther
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return keptFields[string(buf[:len(name)])]
}

func (p *statusParser) start() {
	p.in, p.bad, p.hasField, p.seen = true, false, false, 0
	p.cur = Entry{Line: p.line}
}

func (p *statusParser) fail(msg string) {
	p.bad = true
	if p.onError != nil {
		p.onError(ParseError{Line: p.line, Msg: msg})
	}
}

// finish ends the current stanza, if any.
func (p *statusParser) finish() {
	if !p.in {
		return
	}
	p.in = false
	if p.bad {
		return
	}
	if p.cur.Package == "" {
		if p.onError != nil {
			p.onError(ParseError{Line: p.cur.Line, Msg: "stanza has no Package field"})
		}
		return
	}
	if p.onEntry != nil {
		p.onEntry(p.cur)
	}
}
