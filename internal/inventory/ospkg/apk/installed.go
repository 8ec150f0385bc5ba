package apk

import (
	"bytes"
	"fmt"
	"io"
	"path"

	"github.com/ward-sec/ward/internal/inventory/ospkg"
)

// Entry is one package of an apk installed database, reduced to the fields
// Ward uses.
type Entry struct {
	Line       int // first line of the package, 1-based
	Name       string
	Version    string
	Arch       string
	Origin     string
	License    string
	Maintainer string
	// Files are the directories (F:) and files (R:) the package installed,
	// as absolute paths.
	Files []string
}

// ParseError is a malformed package record; the parser skips to the next one.
type ParseError = ospkg.ParseError

// maxLine bounds one line held in memory; longer lines are only legitimate
// in fields Ward skips (dependencies, descriptions) and are discarded.
const maxLine = 64 << 10

// ParseInstalled streams the package records of /lib/apk/db/installed from
// r ("K:value" lines, a blank line between packages; apk-tools'
// database.c). onEntry gets each well-formed record, onError each malformed
// one. The returned error is a read error of r.
func ParseInstalled(r io.Reader, onEntry func(Entry), onError func(ParseError)) error {
	p := installedParser{onEntry: onEntry, onError: onError}
	if err := ospkg.ScanLines(r, maxLine, p.handle); err != nil {
		return err
	}
	p.finish()
	return nil
}

type installedParser struct {
	onEntry func(Entry)
	onError func(ParseError)

	line int
	in   bool
	bad  bool
	seen [128]bool
	dir  string // current F: directory, as "/dir" ("" before any F:)
	cur  Entry
	strs ospkg.Interner
}

func (p *installedParser) handle(line []byte, long bool) {
	p.line++
	if len(bytes.TrimSpace(line)) == 0 {
		p.finish()
		return
	}
	if !p.in {
		p.in, p.bad, p.seen, p.dir = true, false, [128]bool{}, ""
		p.cur = Entry{Line: p.line}
	}
	if p.bad {
		return
	}
	if len(line) < 2 || line[1] != ':' || line[0] >= 128 {
		p.fail(`expected "K:value"`)
		return
	}
	key, value := line[0], line[2:]
	kept := bytes.IndexByte([]byte("PVAoLmFR"), key) >= 0
	if !kept {
		return
	}
	if long {
		p.fail(fmt.Sprintf("%c: value longer than %d bytes", key, maxLine))
		return
	}
	if key != 'F' && key != 'R' {
		if p.seen[key] {
			p.fail(fmt.Sprintf("duplicate %c: line", key))
			return
		}
		p.seen[key] = true
	}
	switch key {
	case 'P':
		p.cur.Name = string(value)
	case 'V':
		p.cur.Version = string(value)
	case 'A':
		p.cur.Arch = p.strs.Intern(value)
	case 'o':
		p.cur.Origin = p.strs.Intern(value)
	case 'L':
		p.cur.License = p.strs.Intern(value)
	case 'm':
		p.cur.Maintainer = p.strs.Intern(value)
	case 'F':
		// Directories are relative to the root; Clean keeps a hostile
		// "../x" inside the path space.
		p.dir = path.Clean("/" + string(value))
		if p.dir != "/" {
			p.cur.Files = append(p.cur.Files, p.dir)
		}
	case 'R':
		if len(value) == 0 {
			p.fail("empty R: file name")
			return
		}
		p.cur.Files = append(p.cur.Files, path.Clean(p.dir+"/"+string(value)))
	}
}

func (p *installedParser) fail(msg string) {
	p.bad = true
	if p.onError != nil {
		p.onError(ParseError{Line: p.line, Msg: msg})
	}
}

func (p *installedParser) finish() {
	if !p.in {
		return
	}
	p.in = false
	if p.bad {
		return
	}
	if p.cur.Name == "" || p.cur.Version == "" {
		if p.onError != nil {
			p.onError(ParseError{Line: p.cur.Line, Msg: "package record without P: (name) or V: (version)"})
		}
		return
	}
	if p.onEntry != nil {
		p.onEntry(p.cur)
	}
}
