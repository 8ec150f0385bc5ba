package config

import "strings"

// ParseSysctl reads a sysctl.conf / sysctl.d file: "key = value" lines,
// keys with "/" normalised to ".", a leading "-" (ignore errors) dropped.
func ParseSysctl(data []byte) []Assignment {
	var out []Assignment
	lines(data, func(n int, l string) {
		if isComment(l) {
			return
		}
		k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if !ok {
			return
		}
		k = strings.TrimPrefix(strings.TrimSpace(k), "-")
		k = strings.ReplaceAll(k, "/", ".")
		if k == "" {
			return
		}
		out = append(out, Assignment{Key: k, Value: NormSysctl(v), Line: n})
	})
	return out
}

// NormSysctl collapses blanks (multi-value parameters print tab-separated
// in /proc/sys) so "1  2\t3" compares equal to "1 2 3".
func NormSysctl(v string) string { return strings.Join(strings.Fields(v), " ") }
