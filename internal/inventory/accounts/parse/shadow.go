package parse

import (
	"io"
	"strconv"

	"github.com/ward-sec/ward/internal/model"
)

// ShadowEntry is one line of /etc/shadow without the hash: the parser keeps
// only the password state and hash scheme. Day counts are days since
// 1970-01-01; nil means the field is empty (feature off).
type ShadowEntry struct {
	Name         string
	Password     model.PasswordState
	Scheme       string
	LastChange   *int // 0: the user must change the password at next login
	MinDays      *int
	MaxDays      *int
	WarnDays     *int
	InactiveDays *int
	Expire       *int
	Line         int
}

var agingFields = [...]string{"last change", "min days", "max days", "warn days", "inactive days", "expire"}

// ParseShadow reads shadow(5) lines. Like glibc it accepts lines with fewer
// than nine fields (missing aging fields are empty). A non-numeric aging
// field is reported and treated as empty.
func ParseShadow(r io.Reader) ([]ShadowEntry, []LineError, error) {
	var out []ShadowEntry
	var errs []LineError
	err := scanColonLines(r, MaxPasswdLine, 10, &errs, func(n int, _ []byte, f []string) {
		// Never quote anything from a line with fewer than two fields: it
		// may be a bare hash.
		if len(f) < 2 {
			errs = append(errs, lineErr(n, "no password field; skipped"))
			return
		}
		if f[0] == "" {
			errs = append(errs, lineErr(n, "empty user name; skipped"))
			return
		}
		if len(f) > 9 {
			errs = append(errs, lineErr(n, "user %q: more than 9 fields", f[0]))
		}
		e := ShadowEntry{Name: f[0], Line: n}
		e.Password, e.Scheme = ClassifyPassword(f[1])
		days := [...]**int{&e.LastChange, &e.MinDays, &e.MaxDays, &e.WarnDays, &e.InactiveDays, &e.Expire}
		for i, dst := range days {
			if 2+i >= len(f) || f[2+i] == "" {
				continue
			}
			v, err := strconv.ParseInt(f[2+i], 10, 32)
			if err != nil {
				errs = append(errs, lineErr(n, "user %q: invalid %s field", f[0], agingFields[i]))
				continue
			}
			if v < 0 {
				// -1 is how some tools write "empty".
				continue
			}
			d := int(v)
			*dst = &d
		}
		out = append(out, e)
	})
	return out, errs, err
}
