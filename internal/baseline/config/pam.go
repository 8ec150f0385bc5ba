package config

import "strings"

// PAMLine is one rule of a PAM stack, or an include of another file.
type PAMLine struct {
	Type    string // auth, account, password, session
	Control string // required, [success=1 default=ignore], include...
	Module  string // pam_unix.so (path base name)
	Args    []string
	// Include names the file an "@include file" line or an
	// include/substack control pulls in ("" otherwise).
	Include string
	Line    int
}

// ParsePAM reads an /etc/pam.d file. A leading "-" on the type (load
// failures ignored) is dropped; "\" continues a line; bracketed controls
// may contain spaces.
func ParsePAM(data []byte) []PAMLine {
	var out []PAMLine
	var cont string
	contLine := 0
	lines(data, func(n int, l string) {
		if cont != "" {
			l = cont + " " + l
			n = contLine
			cont = ""
		}
		if strings.HasSuffix(l, "\\") {
			cont, contLine = strings.TrimSuffix(l, "\\"), n
			return
		}
		if isComment(l) {
			return
		}
		if i := strings.Index(l, "#"); i >= 0 {
			l = l[:i]
		}
		t := strings.Join(strings.Fields(l), " ")
		if strings.HasPrefix(t, "@include") {
			f := strings.Fields(t)
			if len(f) >= 2 {
				out = append(out, PAMLine{Include: f[1], Line: n})
			}
			return
		}
		typ, rest, ok := strings.Cut(t, " ")
		if !ok {
			return
		}
		typ = strings.ToLower(strings.TrimPrefix(typ, "-"))
		rest = strings.TrimSpace(rest)
		var control string
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return
			}
			control, rest = rest[:end+1], strings.TrimSpace(rest[end+1:])
		} else {
			control, rest, _ = strings.Cut(rest, " ")
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return
		}
		pl := PAMLine{Type: typ, Control: control, Line: n}
		if control == "include" || control == "substack" {
			pl.Include = f[0]
		} else {
			pl.Module = f[0]
			if i := strings.LastIndexByte(pl.Module, '/'); i >= 0 {
				pl.Module = pl.Module[i+1:]
			}
			pl.Args = f[1:]
		}
		out = append(out, pl)
	})
	return out
}

// PAMArg finds "name" or "name=value" among args.
func PAMArg(args []string, name string) (value string, present bool) {
	for _, a := range args {
		k, v, hasV := strings.Cut(a, "=")
		if k == name {
			if !hasV {
				return "", true
			}
			return v, true
		}
	}
	return "", false
}
