package config

import "strings"

// ModprobeDirective is one modprobe.d command: install, blacklist, alias,
// options, remove, softdep.
type ModprobeDirective struct {
	Command string
	Module  string
	Args    []string
	Line    int
}

// ParseModprobe reads a modprobe.d file ("\" continues a line).
func ParseModprobe(data []byte) []ModprobeDirective {
	var out []ModprobeDirective
	var cont string
	contLine := 0
	lines(data, func(n int, l string) {
		if cont != "" {
			l, n, cont = cont+" "+l, contLine, ""
		}
		if strings.HasSuffix(l, "\\") {
			cont, contLine = strings.TrimSuffix(l, "\\"), n
			return
		}
		if isComment(l) {
			return
		}
		f := strings.Fields(l)
		if len(f) < 2 {
			return
		}
		// Module names treat "-" and "_" alike.
		out = append(out, ModprobeDirective{Command: strings.ToLower(f[0]), Module: strings.ReplaceAll(f[1], "-", "_"), Args: f[2:], Line: n})
	})
	return out
}

// ParseCmdline splits a kernel command line into parameters (quotes
// group blanks, as the kernel does).
func ParseCmdline(s string) []string {
	var out []string
	var cur strings.Builder
	inQ := false
	for _, r := range s {
		switch {
		case r == '"':
			inQ = !inQ
		case !inQ && (r == ' ' || r == '\t' || r == '\n'):
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
