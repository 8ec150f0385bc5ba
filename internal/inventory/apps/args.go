package apps

import (
	"path"
	"regexp"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// procArgs returns a process's arguments. A process that rewrote its title
// (redis-server, postgres children) shows one string with spaces; splitting
// it recovers the words.
func procArgs(p *model.Process) []string {
	if len(p.Cmdline) == 1 && strings.ContainsAny(p.Cmdline[0], " \t") {
		return strings.Fields(p.Cmdline[0])
	}
	return p.Cmdline
}

// procNames are the names a process is known by: its comm name, its
// executable's base name and argv[0]'s base name.
func procNames(p *model.Process) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSuffix(s, ":") // "postgres: checkpointer"
		if s == "" || s == "." || s == "/" {
			return
		}
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	add(p.Name)
	if p.Exe != "" {
		add(path.Base(p.Exe))
	}
	if args := procArgs(p); len(args) > 0 {
		add(path.Base(args[0]))
	}
	return out
}

// flagValues returns the values given to any of flags, in either form
// "-c FILE" or "-c=FILE".
func flagValues(args, flags []string) []string {
	var out []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		for _, f := range flags {
			switch {
			case a == f && i+1 < len(args):
				out = append(out, args[i+1])
			case strings.HasPrefix(a, f+"="):
				out = append(out, a[len(f)+1:])
			}
		}
	}
	return out
}

// firstGroup returns group 1 of the first expression, in list order, that
// matches any argument: earlier expressions take precedence.
func firstGroup(args []string, res []*regexp.Regexp) (string, bool) {
	for _, re := range res {
		for _, a := range args {
			if m := re.FindStringSubmatch(a); m != nil {
				return m[1], true
			}
		}
	}
	return "", false
}

// allGroups returns group 1 of every match of every expression.
func allGroups(args []string, res []*regexp.Regexp) []string {
	var out []string
	for _, re := range res {
		for _, a := range args {
			if m := re.FindStringSubmatch(a); m != nil && m[1] != "" {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// absFrom makes p absolute against dir (the process's working directory);
// "" when that is impossible.
func absFrom(dir, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	if dir == "" || !strings.HasPrefix(dir, "/") {
		return ""
	}
	return path.Join(dir, p)
}
