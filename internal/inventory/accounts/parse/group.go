package parse

import (
	"io"
	"strings"
)

// MaxGroupLine bounds one group line. Large directories can put thousands
// of members on one line, so this is far above MaxPasswdLine.
const MaxGroupLine = 1 << 20

// GroupEntry is one line of /etc/group.
type GroupEntry struct {
	Name    string
	GID     int
	Members []string
	Line    int
}

// ParseGroup reads group(5) lines; the password field is ignored.
func ParseGroup(r io.Reader) ([]GroupEntry, []LineError, error) {
	var out []GroupEntry
	var errs []LineError
	err := scanColonLines(r, MaxGroupLine, 4, &errs, func(n int, _ []byte, f []string) {
		if len(f) < 3 {
			errs = append(errs, lineErr(n, "%d fields, want 4; skipped", len(f)))
			return
		}
		if f[0] == "" {
			errs = append(errs, lineErr(n, "empty group name; skipped"))
			return
		}
		gid, err := parseID(f[2])
		if err != nil {
			errs = append(errs, lineErr(n, "group %q: invalid gid; skipped", f[0]))
			return
		}
		g := GroupEntry{Name: f[0], GID: gid, Line: n}
		if len(f) == 4 {
			g.Members = splitMembers(f[3])
		}
		out = append(out, g)
	})
	return out, errs, err
}

func splitMembers(s string) []string {
	var out []string
	for _, m := range strings.Split(s, ",") {
		if m = strings.TrimSpace(m); m != "" {
			out = append(out, m)
		}
	}
	return out
}
