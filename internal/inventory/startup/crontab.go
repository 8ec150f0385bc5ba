package startup

import (
	"fmt"
	"io"
	"strings"
)

// CronEntry is one job line of a crontab or anacrontab.
type CronEntry struct {
	Line     int
	Schedule string // "*/5 * * * *", "@reboot"; anacron: "period delay job-id"
	User     string // system crontabs (/etc/crontab, /etc/cron.d) only
	Command  string // as written, '%' and all
}

// LineError is a line the cron daemon would reject.
type LineError struct {
	Line int
	Msg  string
}

func (e LineError) String() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// cronSpecials are the "@" schedules of Vixie cron, cronie and busybox.
var cronSpecials = map[string]bool{
	"@reboot": true, "@yearly": true, "@annually": true, "@monthly": true,
	"@weekly": true, "@daily": true, "@midnight": true, "@hourly": true,
}

// ParseCrontab parses crontab text. system is true for /etc/crontab and
// /etc/cron.d files, whose jobs carry a user name after the schedule.
// Comments, blank lines and environment settings (SHELL=, PATH=, MAILTO=...)
// are skipped; lines cron would reject come back as LineErrors.
func ParseCrontab(r io.Reader, system bool) ([]CronEntry, []LineError, error) {
	var entries []CronEntry
	var bad []LineError
	err := eachLine(r, func(n int, line string) {
		line = strings.TrimLeft(line, " \t")
		if line == "" || line[0] == '#' {
			return
		}
		if isEnvAssignment(line) {
			return
		}
		e, msg := parseCronJob(line, system)
		if msg != "" {
			bad = append(bad, LineError{n, msg})
			return
		}
		e.Line = n
		entries = append(entries, e)
	})
	return entries, bad, err
}

func parseCronJob(line string, system bool) (CronEntry, string) {
	var e CronEntry
	// cronie: a leading "-" only turns off syslog logging of the job.
	if len(line) > 1 && line[0] == '-' && (line[1] == '@' || line[1] == '*' || isDigit(line[1])) {
		line = line[1:]
	}
	var rest string
	if line[0] == '@' {
		word, r := cutField(line)
		if !cronSpecials[strings.ToLower(word)] {
			return e, fmt.Sprintf("unknown special schedule %q", word)
		}
		e.Schedule, rest = word, r
	} else {
		fields, r, ok := cutFields(line, 5)
		if !ok {
			return e, "fewer than 5 time fields"
		}
		for i, f := range fields {
			if !validTimeField(f, fieldNames[i]) {
				return e, fmt.Sprintf("bad time field %d %q", i+1, f)
			}
		}
		e.Schedule, rest = strings.Join(fields, " "), r
	}
	if system {
		user, r := cutField(rest)
		if user == "" {
			return e, "missing user name"
		}
		e.User, rest = user, r
	}
	e.Command = strings.TrimSpace(rest)
	if e.Command == "" {
		return e, "missing command"
	}
	return e, ""
}

// validTimeField checks one time field: a comma-separated list of "*",
// values or ranges ("1-5", cronie's random "1~5" and "~"), each optionally
// with a "/step". Month and day-of-week fields may use names (jan, mon).
func validTimeField(f string, names map[string]bool) bool {
	if f == "" {
		return false
	}
	for _, el := range strings.Split(f, ",") {
		rng, step, hasStep := strings.Cut(el, "/")
		if hasStep && !isNumber(step) {
			return false
		}
		if rng == "*" || rng == "~" {
			continue
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		if !isRange {
			lo, hi, isRange = strings.Cut(rng, "~")
		}
		if !validTimeValue(lo, names) || isRange && !validTimeValue(hi, names) {
			return false
		}
	}
	return true
}

// validTimeValue is a number or, where the field has them, a name.
func validTimeValue(v string, names map[string]bool) bool {
	return isNumber(v) || names[strings.ToLower(v)]
}

var (
	monthNames = map[string]bool{"jan": true, "feb": true, "mar": true, "apr": true, "may": true, "jun": true,
		"jul": true, "aug": true, "sep": true, "oct": true, "nov": true, "dec": true}
	dayNames = map[string]bool{"sun": true, "mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true}
	// fieldNames are the names each of the five time fields accepts.
	fieldNames = [5]map[string]bool{nil, nil, nil, monthNames, dayNames}
)

// isEnvAssignment recognises cron's "NAME=value" lines (spaces around "="
// and a quoted name are allowed, as load_env() does).
func isEnvAssignment(line string) bool {
	c := line[0]
	if c == '*' || c == '@' || isDigit(c) || c == '-' {
		return false
	}
	name, _, ok := strings.Cut(line, "=")
	if !ok {
		return false
	}
	name = strings.TrimSpace(name)
	if len(name) >= 2 && (name[0] == '"' || name[0] == '\'') && name[len(name)-1] == name[0] {
		name = name[1 : len(name)-1]
	}
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && isDigit(c)) {
			return false
		}
	}
	return true
}

// anacronPeriods are the named periods anacron accepts.
var anacronPeriods = map[string]bool{"@daily": true, "@weekly": true, "@monthly": true, "@yearly": true, "@annually": true}

// ParseAnacrontab parses /etc/anacrontab: "period delay job-identifier
// command" lines; environment settings are skipped.
func ParseAnacrontab(r io.Reader) ([]CronEntry, []LineError, error) {
	var entries []CronEntry
	var bad []LineError
	err := eachLine(r, func(n int, line string) {
		line = strings.TrimLeft(line, " \t")
		if line == "" || line[0] == '#' || isEnvAssignment(line) {
			return
		}
		fields, rest, ok := cutFields(line, 3)
		cmd := strings.TrimSpace(rest)
		switch {
		case !ok || cmd == "":
			bad = append(bad, LineError{n, "expected: period delay job-identifier command"})
		case !isNumber(fields[0]) && !anacronPeriods[strings.ToLower(fields[0])]:
			bad = append(bad, LineError{n, fmt.Sprintf("bad period %q", fields[0])})
		case !isNumber(fields[1]):
			bad = append(bad, LineError{n, fmt.Sprintf("bad delay %q", fields[1])})
		default:
			entries = append(entries, CronEntry{Line: n, Schedule: strings.Join(fields, " "), Command: cmd})
		}
	})
	return entries, bad, err
}

// cutField splits off the first blank-separated word.
func cutField(s string) (word, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// cutFields splits off n words; ok is false if there are fewer.
func cutFields(s string, n int) (fields []string, rest string, ok bool) {
	rest = s
	for i := 0; i < n; i++ {
		var w string
		w, rest = cutField(rest)
		if w == "" {
			return fields, rest, false
		}
		fields = append(fields, w)
	}
	return fields, rest, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
