package services

import "strings"

func isDependencyDir(name string) bool {
	return strings.HasSuffix(name, ".wants") || strings.HasSuffix(name, ".requires") || strings.HasSuffix(name, ".upholds")
}

// unitSuffixes are the unit types systemd knows.
var unitSuffixes = []string{".service", ".socket", ".timer", ".target", ".path", ".mount", ".automount", ".swap", ".slice", ".scope", ".device"}

func isUnitName(name string) bool {
	if name == "" || name[0] == '.' || len(name) > 256 {
		return false
	}
	for _, s := range unitSuffixes {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return true
		}
	}
	return false
}

// SplitInstance splits "getty@tty1.service" into "getty", "tty1"; ok is false
// for names without "@".
func SplitInstance(name string) (prefix, instance string, ok bool) {
	at := strings.IndexByte(name, '@')
	dot := strings.LastIndexByte(name, '.')
	if at < 0 || dot < at {
		return "", "", false
	}
	return name[:at], name[at+1 : dot], true
}

// TemplateOf returns "getty@.service" for "getty@tty1.service".
func TemplateOf(name string) (string, bool) {
	prefix, inst, ok := SplitInstance(name)
	if !ok || inst == "" {
		return "", false
	}
	return prefix + "@" + name[strings.LastIndexByte(name, '.'):], true
}

// IsTemplate reports whether name is a template ("getty@.service").
func IsTemplate(name string) bool {
	_, inst, ok := SplitInstance(name)
	return ok && inst == ""
}
