package services

import (
	"bufio"
	"io"
	"strings"
)

// MaxInitScriptHead is how much of an init script is read: the LSB header,
// chkconfig comments and OpenRC variables sit at the top.
const MaxInitScriptHead = 64 << 10

// LSBHeader is the "### BEGIN INIT INFO" block of a SysV init script, with
// the older chkconfig comments (RHEL) as a fallback.
type LSBHeader struct {
	Found            bool // an LSB block or chkconfig line was present
	Provides         []string
	ShortDescription string
	Description      string
	DefaultStart     []string // runlevels
	DefaultStop      []string
}

// ParseLSBHeader reads the LSB comment block of an init script. Scripts
// without one return a zero header and no error.
func ParseLSBHeader(r io.Reader) (LSBHeader, error) {
	var h LSBHeader
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxInitScriptHead)
	inBlock, lsbDone := false, false
	lastKey := ""
	var chkDesc strings.Builder
	chkCont := false
	var chkLevels []string
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if chkCont {
			// chkconfig descriptions continue with a trailing backslash.
			t := strings.TrimSpace(strings.TrimPrefix(line, "#"))
			chkCont = strings.HasSuffix(t, `\`)
			chkDesc.WriteByte(' ')
			chkDesc.WriteString(strings.TrimSpace(strings.TrimSuffix(t, `\`)))
			continue
		}
		switch {
		case strings.HasPrefix(line, "### BEGIN INIT INFO"):
			inBlock, h.Found = true, true
			continue
		case strings.HasPrefix(line, "### END INIT INFO"):
			inBlock, lsbDone = false, true
			continue
		}
		if !strings.HasPrefix(line, "#") {
			continue
		}
		body := line[1:]
		if inBlock {
			if strings.HasPrefix(body, "\t") || strings.HasPrefix(body, "  ") {
				// Continuation of a multi-line Description.
				if lastKey == "description" {
					h.Description = strings.TrimSpace(h.Description + " " + strings.TrimSpace(body))
				}
				continue
			}
			key, val, ok := strings.Cut(strings.TrimSpace(body), ":")
			if !ok {
				continue
			}
			lastKey = strings.ToLower(strings.TrimSpace(key))
			val = strings.TrimSpace(val)
			switch lastKey {
			case "provides":
				h.Provides = fields(val)
			case "short-description":
				h.ShortDescription = val
			case "description":
				h.Description = val
			case "default-start":
				h.DefaultStart = fields(val)
			case "default-stop":
				h.DefaultStop = fields(val)
			}
			continue
		}
		if lsbDone {
			continue
		}
		// RHEL's chkconfig header: "# chkconfig: 2345 55 25", "# description: ...".
		t := strings.TrimSpace(body)
		if v, ok := cutPrefixFold(t, "chkconfig:"); ok {
			h.Found = true
			if f := strings.Fields(v); len(f) > 0 && f[0] != "-" {
				chkLevels = strings.Split(f[0], "")
			}
		} else if v, ok := cutPrefixFold(t, "description:"); ok {
			v = strings.TrimSpace(v)
			chkCont = strings.HasSuffix(v, `\`)
			chkDesc.WriteString(strings.TrimSpace(strings.TrimSuffix(v, `\`)))
		}
	}
	if h.Description == "" {
		h.Description = strings.TrimSpace(chkDesc.String())
	}
	if len(h.DefaultStart) == 0 {
		h.DefaultStart = chkLevels
	}
	return h, sc.Err()
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

// fields is strings.Fields with nil for no fields.
func fields(s string) []string {
	if f := strings.Fields(s); len(f) > 0 {
		return f
	}
	return nil
}
