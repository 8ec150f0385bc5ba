package parse

import (
	"strings"
)

// Sudoers is one parsed sudoers file. Defaults lines are not kept.
type Sudoers struct {
	Includes []SudoInclude
	Aliases  []SudoAlias
	Specs    []SudoUserSpec
}

// SudoInclude is an #include/@include (Dir false) or
// #includedir/@includedir (Dir true) directive, path as written.
type SudoInclude struct {
	Path string
	Dir  bool
	Line int
}

// SudoAlias is one alias definition. Kind is User_Alias, Runas_Alias,
// Host_Alias or Cmnd_Alias (Cmd_Alias is folded into Cmnd_Alias). Members
// are as written, negations included ("!bob").
type SudoAlias struct {
	Kind    string
	Name    string
	Members []string
	Line    int
}

// SudoUserSpec is one user specification: who, then one or more
// "hosts = commands" privileges separated by ':'.
type SudoUserSpec struct {
	Users      []string
	Privileges []SudoPrivilege
	Line       int
}

// SudoPrivilege is "Host_List = Cmnd_Spec_List".
type SudoPrivilege struct {
	Hosts []string
	Cmnds []SudoCmnd
}

// SudoCmnd is one command with the Runas, options and tags in effect for
// it; values carried over from earlier commands of the same list are
// filled in, as sudo does.
type SudoCmnd struct {
	RunAs   string   // "ALL:ALL", "root", "OP", "" when no Runas_Spec applies
	Options []string // CWD=..., CHROOT=..., TIMEOUT=..., NOTBEFORE=...
	Tags    []string // effective tags in a fixed order, e.g. NOPASSWD, SETENV
	Command string   // as written: "!/usr/bin/su", "ALL", "SHELLS", "/bin/kill -9 *"
}

// NoPasswd reports whether the NOPASSWD tag applies.
func (c SudoCmnd) NoPasswd() bool {
	for _, t := range c.Tags {
		if t == "NOPASSWD" {
			return true
		}
	}
	return false
}

var aliasKinds = map[string]string{
	"User_Alias": "User_Alias", "Runas_Alias": "Runas_Alias", "Host_Alias": "Host_Alias",
	"Cmnd_Alias": "Cmnd_Alias", "Cmd_Alias": "Cmnd_Alias",
}

// tagCategory maps each tag to the setting it changes; a later tag of the
// same category replaces an earlier one.
var tagCategory = map[string]int{
	"PASSWD": 0, "NOPASSWD": 0,
	"EXEC": 1, "NOEXEC": 1,
	"SETENV": 2, "NOSETENV": 2,
	"LOG_INPUT": 3, "NOLOG_INPUT": 3,
	"LOG_OUTPUT": 4, "NOLOG_OUTPUT": 4,
	"MAIL": 5, "NOMAIL": 5,
	"FOLLOW": 6, "NOFOLLOW": 6,
	"INTERCEPT": 7, "NOINTERCEPT": 7,
}

const numTagCategories = 8

var optionNames = map[string]bool{
	"CWD": true, "CHROOT": true, "TIMEOUT": true, "NOTBEFORE": true, "NOTAFTER": true,
	"ROLE": true, "TYPE": true, "APPARMOR_PROFILE": true, "PRIVS": true, "LIMITPRIVS": true,
}

var digestNames = map[string]bool{"sha224": true, "sha256": true, "sha384": true, "sha512": true}

// ParseSudoers parses one sudoers file. A malformed entry is reported and
// skipped; the rest of the file is still read. Entries may span lines with
// a trailing backslash; Line is where an entry starts.
func ParseSudoers(src []byte) (*Sudoers, []LineError) {
	p := &sudoParser{lx: sudoLexer{src: src, line: 1}}
	p.parse()
	return &p.out, p.errs
}

type sudoParser struct {
	lx   sudoLexer
	out  Sudoers
	errs []LineError
}

func (p *sudoParser) parse() {
	lx := &p.lx
	for {
		lx.skipBlank()
		if lx.eof() {
			return
		}
		c := lx.peek()
		if c == '\n' {
			lx.pos++
			lx.line++
			continue
		}
		start := lx.line
		if inc, ok := lx.include(); ok {
			inc.Line = start
			if inc.Path == "" {
				p.errs = append(p.errs, lineErr(start, "include directive without a path"))
			} else {
				p.out.Includes = append(p.out.Includes, inc)
			}
			continue
		}
		if lx.commentStart() {
			lx.skipLine()
			continue
		}
		if err := p.entry(start); err != "" {
			p.errs = append(p.errs, lineErr(start, "%s; entry skipped", err))
			lx.skipLine()
		}
	}
}

// entry parses one Defaults line, alias definition or user spec.
func (p *sudoParser) entry(start int) string {
	lx := &p.lx
	id := lx.peekIdent()
	switch {
	case id == "Defaults":
		lx.skipLine()
		return ""
	case aliasKinds[id] != "":
		lx.pos += len(id)
		return p.aliasDefs(aliasKinds[id], start)
	}
	return p.userSpec(start)
}

func (p *sudoParser) aliasDefs(kind string, start int) string {
	lx := &p.lx
	for {
		lx.skipBlank()
		name := lx.peekIdent()
		if !isAliasName(name) {
			return "alias name expected"
		}
		lx.pos += len(name)
		lx.skipBlank()
		if lx.peek() != '=' {
			return "'=' expected after alias name"
		}
		lx.pos++
		var members []string
		var err string
		if kind == "Cmnd_Alias" {
			members, err = p.commandList()
		} else {
			members, err = lx.list()
		}
		if err != "" {
			return err
		}
		p.out.Aliases = append(p.out.Aliases, SudoAlias{Kind: kind, Name: name, Members: members, Line: start})
		lx.skipBlank()
		switch {
		case lx.atEnd():
			lx.skipLine()
			return ""
		case lx.peek() == ':':
			lx.pos++
		default:
			return "unexpected " + quoteByte(lx.peek())
		}
	}
}

// commandList reads Cmnd_Alias members: commands separated by ','.
func (p *sudoParser) commandList() ([]string, string) {
	var out []string
	for {
		cmd, err := p.command()
		if err != "" {
			return nil, err
		}
		out = append(out, cmd)
		p.lx.skipBlank()
		if p.lx.peek() != ',' || p.lx.eof() {
			return out, ""
		}
		p.lx.pos++
	}
}

func (p *sudoParser) userSpec(start int) string {
	lx := &p.lx
	users, err := lx.list()
	if err != "" {
		return err
	}
	spec := SudoUserSpec{Users: users, Line: start}
	for {
		hosts, err := lx.list()
		if err != "" {
			return err
		}
		lx.skipBlank()
		if lx.peek() != '=' || lx.eof() {
			return "'=' expected after host list"
		}
		lx.pos++
		cmnds, more, err := p.cmndSpecList()
		if err != "" {
			return err
		}
		spec.Privileges = append(spec.Privileges, SudoPrivilege{Hosts: hosts, Cmnds: cmnds})
		if !more {
			break
		}
	}
	p.out.Specs = append(p.out.Specs, spec)
	lx.skipLine()
	return ""
}

// cmndSpecList reads commands up to the end of the entry or a ':' that
// starts another privilege (more=true). Runas, options and tags carry over
// from one command to the next.
func (p *sudoParser) cmndSpecList() (cmnds []SudoCmnd, more bool, err string) {
	lx := &p.lx
	var runas string
	var options []string
	var tags [numTagCategories]string
	for {
		lx.skipBlank()
		if lx.peek() == '(' && !lx.eof() {
			r, err := lx.runas()
			if err != "" {
				return nil, false, err
			}
			runas = r
		}
		var newOpts []string
		for {
			lx.skipBlank()
			id := lx.peekIdent()
			if id == "" {
				break
			}
			save := lx.pos
			lx.pos += len(id)
			lx.skipBlank()
			if cat, ok := tagCategory[id]; ok && lx.peek() == ':' {
				lx.pos++
				tags[cat] = id
				continue
			}
			if optionNames[id] && lx.peek() == '=' {
				lx.pos++
				lx.skipBlank()
				newOpts = append(newOpts, id+"="+lx.value())
				continue
			}
			lx.pos = save
			break
		}
		if newOpts != nil {
			options = mergeOptions(options, newOpts)
		}
		cmd, err := p.command()
		if err != "" {
			return nil, false, err
		}
		c := SudoCmnd{RunAs: runas, Command: cmd}
		c.Options = append([]string(nil), options...)
		for _, t := range tags {
			if t != "" {
				c.Tags = append(c.Tags, t)
			}
		}
		cmnds = append(cmnds, c)
		lx.skipBlank()
		switch {
		case lx.atEnd():
			return cmnds, false, ""
		case lx.peek() == ',':
			lx.pos++
		case lx.peek() == ':':
			lx.pos++
			return cmnds, true, ""
		default:
			return nil, false, "unexpected " + quoteByte(lx.peek())
		}
	}
}

// mergeOptions replaces options of the same name and appends new ones.
func mergeOptions(old, add []string) []string {
	out := append([]string(nil), old...)
	for _, a := range add {
		name, _, _ := strings.Cut(a, "=")
		replaced := false
		for i, o := range out {
			if n, _, _ := strings.Cut(o, "="); n == name {
				out[i] = a
				replaced = true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	return out
}

// command reads one Cmnd: negations, optional digests, then the command
// (path and arguments, ALL, sudoedit, list or an alias name).
func (p *sudoParser) command() (string, string) {
	lx := &p.lx
	var b strings.Builder
	for {
		lx.skipBlank()
		if lx.peek() == '!' && !lx.eof() {
			lx.pos++
			b.WriteByte('!')
			continue
		}
		id := lx.peekIdent()
		if digestNames[id] && lx.byteAt(lx.pos+len(id)) == ':' {
			lx.pos += len(id) + 1
			lx.skipBlank()
			d := lx.digest()
			if d == "" {
				return "", "digest value expected"
			}
			b.WriteString(id + ":" + d + " ")
			lx.skipBlank()
			if lx.peek() == ',' && digestNames[lx.identAt(lx.pos+1+lx.blanksAt(lx.pos+1))] {
				lx.pos++
			}
			continue
		}
		break
	}
	text := lx.commandText()
	if text == "" {
		return "", "command expected"
	}
	// ALL and alias names are single words: "ALL foo" is an error in sudo.
	if first, rest, ok := strings.Cut(text, " "); ok && rest != "" && (first == "ALL" || isAliasName(first)) {
		return "", "unexpected words after " + first
	}
	b.WriteString(text)
	return b.String(), ""
}

func isAliasName(s string) bool {
	if s == "" || s == "ALL" || !(s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func quoteByte(c byte) string {
	if c == 0 || c == '\n' {
		return "end of line"
	}
	return "'" + string(rune(c)) + "'"
}
