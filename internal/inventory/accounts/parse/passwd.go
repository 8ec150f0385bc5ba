package parse

import (
	"bytes"
	"io"
	"strconv"

	"github.com/ward-sec/ward/internal/model"
)

// MaxPasswdLine bounds one passwd or shadow line; real ones are < 300 bytes.
const MaxPasswdLine = 8 << 10

// PasswdEntry is one account from /etc/passwd. The password field is
// reduced to a state at parse time.
type PasswdEntry struct {
	Name string
	// Shadowed is true when the password lives in shadow ("x"); Password
	// and Scheme are then meaningless until shadow is consulted.
	Shadowed bool
	Password model.PasswordState
	Scheme   string
	UID, GID int
	Gecos    string
	Home     string
	Shell    string
	Line     int
}

// ParsePasswd reads passwd(5) lines. Blank lines, comments and NIS compat
// entries ("+", "+name", "-@netgroup") are skipped, as glibc's files
// backend does. A line with fewer than seven fields is accepted when it has
// name, uid and gid, because glibc accepts it too (a truncated
// "evil:x:0:0" is a working root account); a warning says so.
func ParsePasswd(r io.Reader) ([]PasswdEntry, []LineError, error) {
	var out []PasswdEntry
	var errs []LineError
	err := scanColonLines(r, MaxPasswdLine, 7, &errs, func(n int, line []byte, f []string) {
		if len(f) < 4 {
			errs = append(errs, lineErr(n, "%d fields, want 7; skipped", len(f)))
			return
		}
		if f[0] == "" {
			errs = append(errs, lineErr(n, "empty user name; skipped"))
			return
		}
		uid, err1 := parseID(f[2])
		gid, err2 := parseID(f[3])
		if err1 != nil || err2 != nil {
			errs = append(errs, lineErr(n, "user %q: invalid uid or gid; skipped", f[0]))
			return
		}
		for len(f) < 7 {
			f = append(f, "")
		}
		if c := bytes.Count(line, []byte(":")); c != 6 {
			errs = append(errs, lineErr(n, "user %q: %d fields, want 7 (accepted as glibc does)", f[0], c+1))
		}
		e := PasswdEntry{Name: f[0], UID: uid, GID: gid, Gecos: f[4], Home: f[5], Shell: f[6], Line: n}
		if isShadowRef(f[1], f[0]) {
			e.Shadowed = true
		} else {
			e.Password, e.Scheme = ClassifyPassword(f[1])
		}
		out = append(out, e)
	})
	return out, errs, err
}

// isShadowRef mirrors pam_unix: "x", or the old "##name" form, means the
// hash is in shadow.
func isShadowRef(pw, name string) bool {
	return pw == "x" || pw == "##"+name
}

// isNISCompat reports NIS "compat" lines, which only mean something to
// nss_compat and name no local account.
func isNISCompat(line []byte) bool {
	return len(line) > 0 && (line[0] == '+' || line[0] == '-')
}

// parseID parses a uid or gid: a decimal number in the 32-bit range.
// (uid_t)-1 is reserved and rejected.
func parseID(s string) (int, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, err
	}
	if v == 1<<32-1 {
		return 0, strconv.ErrRange
	}
	return int(v), nil
}
