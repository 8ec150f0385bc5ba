package process

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// parseUserNames maps uid to user name from an /etc/passwd stream. The
// first entry for a uid wins, as with getpwuid(3). Malformed lines are
// skipped: a name is a convenience here, not a security decision.
func parseUserNames(r io.Reader) (map[int]string, error) {
	names := map[int]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue // NIS compat entries carry no local uid
		}
		f := strings.SplitN(line, ":", 4)
		if len(f) < 4 || f[0] == "" {
			continue
		}
		uid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		if _, seen := names[int(uid)]; !seen {
			names[int(uid)] = f[0]
		}
	}
	return names, sc.Err()
}
