package rpmdb

import (
	"strings"
	"unicode"
)

// ParseSourceRPM splits an rpm SOURCERPM value, "name-version-release.src.rpm"
// (or .nosrc.rpm), into its parts. It reads from the right, because names
// may contain dashes ("python3-pip") and versions and releases may not.
// ok is false when the value does not have that shape.
func ParseSourceRPM(s string) (name, version, release string, ok bool) {
	if len(s) > 1024 || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) {
		return "", "", "", false
	}
	base, found := strings.CutSuffix(s, ".src.rpm")
	if !found {
		if base, found = strings.CutSuffix(s, ".nosrc.rpm"); !found {
			return "", "", "", false
		}
	}
	i := strings.LastIndexByte(base, '-')
	if i < 0 {
		return "", "", "", false
	}
	nv, release := base[:i], base[i+1:]
	j := strings.LastIndexByte(nv, '-')
	if j < 0 {
		return "", "", "", false
	}
	name, version = nv[:j], nv[j+1:]
	if name == "" || version == "" || release == "" {
		return "", "", "", false
	}
	return name, version, release, true
}
