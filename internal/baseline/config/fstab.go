package config

import (
	"strconv"
	"strings"
)

// MountEntry is one line of fstab or /proc/mounts.
type MountEntry struct {
	Device  string
	Point   string
	Type    string
	Options []string
	Line    int
}

// ParseMounts reads fstab or /proc/self/mounts (same columns); octal
// escapes (\040 for a space) are decoded.
func ParseMounts(data []byte) []MountEntry {
	var out []MountEntry
	lines(data, func(n int, l string) {
		if isComment(l) {
			return
		}
		f := strings.Fields(l)
		if len(f) < 3 {
			return
		}
		m := MountEntry{Device: unescape(f[0]), Point: unescape(f[1]), Type: f[2], Line: n}
		if len(f) >= 4 {
			m.Options = strings.Split(f[3], ",")
		}
		out = append(out, m)
	})
	return out
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
