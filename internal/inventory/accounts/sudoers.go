package accounts

import (
	"fmt"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/accounts/parse"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

const (
	sudoersFile  = "/etc/sudoers"
	maxSudoRules = 20000
)

type sudoFile struct {
	path   string
	parsed *parse.Sudoers
}

// sudoLoader follows includes from /etc/sudoers in the order sudo reads them.
type sudoLoader struct {
	env      *inventory.Env
	files    []sudoFile
	aliases  parse.SudoAliases
	open     map[string]bool // files being read: a revisit is a loop
	done     map[string]bool // files read already: read once
	hostname string
}

func collectSudoers(env *inventory.Env) []model.SudoRule {
	l := &sudoLoader{env: env, aliases: parse.SudoAliases{}, open: map[string]bool{}, done: map[string]bool{}}
	l.load(sudoersFile, 0, false)
	return buildSudoRules(env, l.files, l.aliases)
}

// fileKey identifies a file by device and inode, so a symlink cannot
// smuggle in a loop under another name.
func (l *sudoLoader) fileKey(name string) string {
	fi, err := l.env.FS.Stat(name)
	if err != nil {
		return name
	}
	if dev, ino, ok := rootfs.Inode(fi); ok {
		return fmt.Sprintf("%d:%d", dev, ino)
	}
	return name
}

func (l *sudoLoader) load(name string, depth int, included bool) {
	if depth > maxIncludeDeep {
		l.env.Warnf(name, "sudoers includes nested deeper than %d; not read", maxIncludeDeep)
		return
	}
	key := l.fileKey(name)
	if l.open[key] {
		l.env.Warnf(name, "sudoers include loop; not read again")
		return
	}
	if l.done[key] {
		return
	}
	data, found := readSmall(l.env, name)
	if !found {
		if included && !l.env.FS.Exists(name) {
			l.env.Warnf(name, "included from sudoers but does not exist")
		}
		return
	}
	l.open[key] = true
	defer func() { delete(l.open, key); l.done[key] = true }()

	s, errs := parse.ParseSudoers(data)
	warnLines(l.env, name, errs)
	for _, dup := range l.aliases.Add(s.Aliases) {
		l.env.Warnf(name, "alias %s defined again; the first definition is used", dup)
	}
	l.files = append(l.files, sudoFile{path: name, parsed: s})
	for _, inc := range s.Includes {
		target := l.includePath(name, inc.Path)
		if !inc.Dir {
			l.load(target, depth+1, true)
			continue
		}
		for _, f := range l.includeDir(target) {
			l.load(f, depth+1, true)
		}
	}
}

// includePath resolves an include path: relative to the including file's
// directory (sudo 1.9.1+), with %h the short host name and %% a '%'.
func (l *sudoLoader) includePath(from, p string) string {
	if strings.Contains(p, "%") {
		var b strings.Builder
		for i := 0; i < len(p); i++ {
			if p[i] == '%' && i+1 < len(p) && (p[i+1] == 'h' || p[i+1] == '%') {
				if p[i+1] == 'h' {
					b.WriteString(l.shortHostname())
				} else {
					b.WriteByte('%')
				}
				i++
				continue
			}
			b.WriteByte(p[i])
		}
		p = b.String()
	}
	if !path.IsAbs(p) {
		p = path.Join(path.Dir(from), p)
	}
	return rootfs.Clean(p)
}

func (l *sudoLoader) shortHostname() string {
	if l.hostname == "" {
		data, _ := l.env.FS.ReadFile("/etc/hostname", 4096)
		h := strings.TrimSpace(string(data))
		h, _, _ = strings.Cut(h, ".")
		if h == "" {
			h = "localhost"
		}
		l.hostname = h
	}
	return l.hostname
}

// includeDir lists the files sudo reads from an #includedir: regular files
// whose names neither contain '.' nor end in '~', in lexical order.
func (l *sudoLoader) includeDir(dir string) []string {
	entries, err := l.env.FS.ReadDir(dir)
	if err != nil {
		if !isMissing(err) {
			l.env.Warn(dir, err)
		}
		return nil
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if strings.Contains(n, ".") || strings.HasSuffix(n, "~") {
			continue
		}
		p := path.Join(dir, n)
		fi, err := l.env.FS.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, p)
	}
	return out
}

// buildSudoRules turns user specs into rules: one per principal, privilege
// and run of commands sharing Runas, options and tags.
func buildSudoRules(env *inventory.Env, files []sudoFile, aliases parse.SudoAliases) []model.SudoRule {
	var out []model.SudoRule
	for _, f := range files {
		for _, spec := range f.parsed.Specs {
			for _, pr := range principals(spec.Users, aliases) {
				for _, priv := range spec.Privileges {
					hosts := strings.Join(priv.Hosts, ", ")
					var cur *model.SudoRule
					var curKey string
					for _, c := range priv.Cmnds {
						key := c.RunAs + "\x00" + strings.Join(c.Options, "\x00") + "\x00" + strings.Join(c.Tags, "\x00")
						if cur == nil || key != curKey {
							if len(out) >= maxSudoRules {
								env.Warnf(f.path, "more than %d sudo rules; the rest are not reported", maxSudoRules)
								return out
							}
							out = append(out, model.SudoRule{
								Principal: pr.name, Alias: pr.alias, Hosts: hosts, RunAs: c.RunAs,
								NoPasswd: c.NoPasswd(), Tags: c.Tags, Options: c.Options,
								File: f.path, Line: spec.Line, Commands: []string{},
							})
							cur, curKey = &out[len(out)-1], key
						}
						cur.Commands = append(cur.Commands, expandCommand(c.Command, aliases)...)
					}
				}
			}
		}
	}
	return out
}

type principal struct{ name, alias string }

// principals expands User_Aliases when that is exact: a list with a
// negation ("ALL, !bob") only makes sense whole, so it is kept as written.
func principals(users []string, aliases parse.SudoAliases) []principal {
	for _, u := range users {
		if strings.HasPrefix(u, "!") {
			return []principal{{name: strings.Join(users, ", ")}}
		}
	}
	var out []principal
	seen := map[string]bool{}
	add := func(p principal) {
		if !seen[p.name] {
			seen[p.name] = true
			out = append(out, p)
		}
	}
	for _, u := range users {
		if aliases.IsAlias("User_Alias", u) {
			if members, ok := aliases.Expand("User_Alias", u); ok {
				for _, m := range members {
					add(principal{name: m, alias: u})
				}
				continue
			}
		}
		add(principal{name: u})
	}
	return out
}

// expandCommand replaces a simple Cmnd_Alias by its commands (negated
// when the reference is); anything else is kept as written.
func expandCommand(cmd string, aliases parse.SudoAliases) []string {
	name := strings.TrimLeft(cmd, "!")
	neg := (len(cmd)-len(name))%2 == 1
	if !aliases.IsAlias("Cmnd_Alias", name) {
		return []string{cmd}
	}
	members, ok := aliases.Expand("Cmnd_Alias", name)
	if !ok {
		return []string{cmd}
	}
	if !neg {
		return members
	}
	out := make([]string, len(members))
	for i, m := range members {
		out[i] = "!" + m
	}
	return out
}
