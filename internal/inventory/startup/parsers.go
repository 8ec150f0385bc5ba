package startup

import (
	"io"
	"strings"
)

// PreloadEntry is one library listed in /etc/ld.so.preload.
type PreloadEntry struct {
	Line int
	Path string
}

// ParsePreload lists the libraries of /etc/ld.so.preload. Like glibc's
// loader it splits on blanks and ':' and drops '#' comments.
func ParsePreload(r io.Reader) ([]PreloadEntry, error) {
	var out []PreloadEntry
	err := eachLine(r, func(n int, line string) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, p := range strings.FieldsFunc(line, func(c rune) bool {
			return c == ' ' || c == '\t' || c == ':' || c == '\v' || c == '\f'
		}) {
			out = append(out, PreloadEntry{Line: n, Path: p})
		}
	})
	return out, err
}

// ScriptLine is one command line of a shell script such as rc.local.
type ScriptLine struct {
	Line    int
	Command string
}

// ParseScriptLines returns the lines of a boot script that do something:
// not blank, not a comment, not the shebang, not the customary "exit 0".
func ParseScriptLines(r io.Reader) ([]ScriptLine, error) {
	var out []ScriptLine
	err := eachLine(r, func(n int, line string) {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' || t == "exit 0" {
			return
		}
		out = append(out, ScriptLine{Line: n, Command: t})
	})
	return out, err
}

// DesktopEntry is the part of a .desktop file autostart cares about.
type DesktopEntry struct {
	Name    string
	Exec    string
	TryExec string
	Hidden  bool // Hidden=true: the entry is deleted, nothing starts
	// Disabled is X-GNOME-Autostart-enabled=false: present but switched off.
	Disabled bool
	ExecLine int
}

// ParseDesktopEntry reads the [Desktop Entry] group of a .desktop file
// (XDG Desktop Entry spec). Localised keys (Name[de]) are ignored and the
// spec's string escapes (\s \n \t \r \\) are decoded.
func ParseDesktopEntry(r io.Reader) (DesktopEntry, error) {
	var d DesktopEntry
	inEntry := false
	err := eachLine(r, func(n int, line string) {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			return
		}
		if t[0] == '[' {
			inEntry = t == "[Desktop Entry]"
			return
		}
		if !inEntry {
			return
		}
		key, val, ok := strings.Cut(t, "=")
		if !ok {
			return
		}
		key, val = strings.TrimSpace(key), unescapeDesktop(strings.TrimSpace(val))
		switch key {
		case "Name":
			d.Name = val
		case "Exec":
			d.Exec, d.ExecLine = val, n
		case "TryExec":
			d.TryExec = val
		case "Hidden":
			d.Hidden = val == "true"
		case "X-GNOME-Autostart-enabled":
			d.Disabled = val == "false"
		}
	})
	return d, err
}

func unescapeDesktop(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 's':
			b.WriteByte(' ')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
