package kmod

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const (
	maxLine    = 64 << 10
	maxEntries = 100000 // modules or directives kept from one file
)

func newLineScanner(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	return sc
}

// ProcModule is one line of /proc/modules.
type ProcModule struct {
	Name     string
	Size     int64
	RefCount int // -1 when the kernel cannot tell (no module unloading support)
	UsedBy   []string
	State    string // Live, Loading, Unloading
	Taints   string // "OE" from a trailing "(OE)"
}

// ParseProcModules reads /proc/modules:
//
//	vboxdrv 503808 2 vboxnetflt,vboxnetadp, Live 0x0000000000000000 (OE)
//
// Malformed lines are skipped; the error names the first of them.
func ParseProcModules(r io.Reader) ([]ProcModule, error) {
	var out []ProcModule
	var bad error
	sc := newLineScanner(r)
	n := 0
	for sc.Scan() {
		n++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		m, ok := procModule(f)
		if !ok {
			if bad == nil {
				bad = fmt.Errorf("line %d: malformed /proc/modules entry", n)
			}
			continue
		}
		if len(out) >= maxEntries {
			return out, fmt.Errorf("more than %d modules; the rest are left out", maxEntries)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return out, err
	}
	return out, bad
}

func procModule(f []string) (ProcModule, bool) {
	if len(f) < 5 || !ValidModuleName(f[0]) {
		return ProcModule{}, false
	}
	size, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || size < 0 {
		return ProcModule{}, false
	}
	m := ProcModule{Name: f[0], Size: size, RefCount: -1, State: f[4]}
	if f[2] != "-" {
		rc, err := strconv.Atoi(f[2])
		if err != nil || rc < 0 {
			return ProcModule{}, false
		}
		m.RefCount = rc
	}
	if f[3] != "-" {
		for _, u := range strings.Split(f[3], ",") {
			// "[permanent]" marks a module that cannot be unloaded, not a user.
			if u != "" && u != "[permanent]" && ValidModuleName(u) {
				m.UsedBy = append(m.UsedBy, u)
			}
		}
	}
	switch m.State {
	case "Live", "Loading", "Unloading":
	default:
		return ProcModule{}, false
	}
	if last := f[len(f)-1]; len(f) >= 7 && len(last) > 2 && last[0] == '(' && last[len(last)-1] == ')' {
		m.Taints = last[1 : len(last)-1]
	}
	return m, true
}

// ValidModuleName accepts kernel module names (letters, digits, '_' and
// '-'; modprobe treats the last two alike). Anything else, "../x" above
// all, is refused before it is joined into a /sys path.
func ValidModuleName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// NormalizeName gives the kernel's spelling: modprobe treats '-' and '_'
// alike, /proc/modules always shows '_' ("usb-storage" is usb_storage).
func NormalizeName(s string) string { return strings.ReplaceAll(s, "-", "_") }

// ConfigEntry is a module named on one line of a configuration file.
type ConfigEntry struct {
	Name string
	Line int
	// Disabled, for modprobe.d: "blacklist" or "install <true/false command>".
	Disabled string
}

// ParseModulesLoad reads modules-load.d(5) files and Debian/Alpine
// /etc/modules: one module per line, '#' or ';' comments; /etc/modules
// allows parameters after the name, which are ignored.
func ParseModulesLoad(r io.Reader) ([]ConfigEntry, error) {
	var out []ConfigEntry
	var bad error
	sc := newLineScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		name := strings.Fields(line)[0]
		if !validConfigName(name) {
			if bad == nil {
				bad = fmt.Errorf("line %d: not a module name: %.64q", n, name)
			}
			continue
		}
		if len(out) >= maxEntries {
			return out, fmt.Errorf("more than %d entries; the rest are left out", maxEntries)
		}
		out = append(out, ConfigEntry{Name: name, Line: n})
	}
	if err := sc.Err(); err != nil {
		return out, err
	}
	return out, bad
}

// validConfigName accepts module names and the aliases configuration may
// also name ("char-major-10-135", "fs-cramfs", "pci:v00008086d*").
func validConfigName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f || c == '/' || c == '\\' {
			return false
		}
	}
	return true
}

// disablingCommands are the install commands that make loading a no-op
// (CIS: "install cramfs /bin/false").
var disablingCommands = map[string]bool{
	"/bin/true": true, "/bin/false": true, "/usr/bin/true": true, "/usr/bin/false": true,
	"true": true, "false": true,
}

// ParseModprobeConf reads modprobe.d(5) and returns the modules it keeps
// from loading: "blacklist NAME" and "install NAME /bin/false" (or true).
// Lines ending in '\' continue on the next line; other commands
// (options, alias, softdep, install with a real command) are not reported.
func ParseModprobeConf(r io.Reader) ([]ConfigEntry, error) {
	var out []ConfigEntry
	sc := newLineScanner(r)
	n, start := 0, 0
	var cont strings.Builder
	for sc.Scan() {
		n++
		text := sc.Text()
		if cont.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(text, "\\") {
			if cont.Len()+len(text) > maxLine {
				return out, fmt.Errorf("line %d: continued line too long", start)
			}
			cont.WriteString(strings.TrimSuffix(text, "\\"))
			cont.WriteByte(' ')
			continue
		}
		cont.WriteString(text)
		line := strings.TrimSpace(cont.String())
		cont.Reset()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 || !validConfigName(f[1]) {
			continue
		}
		var e ConfigEntry
		switch f[0] {
		case "blacklist":
			e = ConfigEntry{Name: f[1], Line: start, Disabled: "blacklist"}
		case "install":
			cmd := strings.Join(f[2:], " ")
			if !disablingCommands[cmd] {
				continue
			}
			e = ConfigEntry{Name: f[1], Line: start, Disabled: "install " + cmd}
		default:
			continue
		}
		if len(out) >= maxEntries {
			return out, fmt.Errorf("more than %d entries; the rest are left out", maxEntries)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
