package parse

import (
	"io"
	"strconv"
	"strings"
)

// LoginDefs holds the login.defs(5) settings the collector uses.
type LoginDefs struct {
	UIDMin, UIDMax int
}

// DefaultLoginDefs are shadow-utils' built-in values.
var DefaultLoginDefs = LoginDefs{UIDMin: 1000, UIDMax: 60000}

// ParseLoginDefs reads "KEY value" lines; unknown keys are ignored and
// unparsable values keep the defaults.
func ParseLoginDefs(r io.Reader) (LoginDefs, error) {
	d := DefaultLoginDefs
	err := scanLines(r, 4096, func(_ int, line []byte, tooLong bool) {
		if tooLong || isBlankOrComment(line) {
			return
		}
		f := strings.Fields(string(line))
		if len(f) < 2 {
			return
		}
		v, err := strconv.Atoi(strings.Trim(f[1], `"`))
		if err != nil || v < 0 {
			return
		}
		switch f[0] {
		case "UID_MIN":
			d.UIDMin = v
		case "UID_MAX":
			d.UIDMax = v
		}
	})
	return d, err
}
