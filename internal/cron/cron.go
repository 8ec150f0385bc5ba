// Package cron parses and evaluates the standard 5-field cron expressions
// of scheduled tasks. The API validates a schedule with Parse and the
// server's scheduler evaluates it with Matches, so what the API accepts is
// exactly what the scheduler runs.
package cron

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// field is one of the five fields of a cron expression.
type field struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

// The fields in expression order; Schedule.bits is indexed the same way.
const (
	minute = iota
	hour
	dayOfMonth
	month
	dayOfWeek
)

var fields = [5]field{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{name: "day of week", min: 0, max: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// Schedule is a parsed cron expression.
type Schedule struct {
	// bits[f] has bit v set when value v of field f matches; weekday 7 is
	// folded into 0 (both are Sunday).
	bits [5]uint64
	// domStar and dowStar record a day field written with a leading *
	// (*, */2): see dayMatches.
	domStar, dowStar bool
}

// Parse parses a standard 5-field cron expression: each field a
// comma-separated list of *, N, N-M, with an optional /STEP after * or a
// range; months and weekdays also by three-letter name (any case); weekday
// 0 and 7 are Sunday. Macros (@daily) and seconds fields are not accepted.
func Parse(expr string) (Schedule, error) {
	parts := strings.Fields(expr)
	if len(parts) != 5 {
		return Schedule{}, fmt.Errorf("cron expression %q has %d fields; want 5 (minute hour day-of-month month day-of-week)", expr, len(parts))
	}
	var s Schedule
	for i, part := range parts {
		for _, term := range strings.Split(part, ",") {
			bits, err := fields[i].parseTerm(term)
			if err != nil {
				return Schedule{}, fmt.Errorf("cron %s field %q: %w", fields[i].name, part, err)
			}
			s.bits[i] |= bits
		}
	}
	if s.bits[dayOfWeek]&(1<<7) != 0 {
		s.bits[dayOfWeek] = s.bits[dayOfWeek]&^(1<<7) | 1
	}
	s.domStar = strings.HasPrefix(parts[dayOfMonth], "*")
	s.dowStar = strings.HasPrefix(parts[dayOfWeek], "*")
	return s, nil
}

// parseTerm returns the values one term (*, N, N-M, */S, N-M/S) selects.
func (f field) parseTerm(term string) (uint64, error) {
	rng, stepText, hasStep := strings.Cut(term, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || n < 1 || n > f.max {
			return 0, fmt.Errorf("step %q must be a number from 1 to %d", stepText, f.max)
		}
		step = n
	}
	lo, hi := f.min, f.max
	if rng != "*" {
		loText, hiText, isRange := strings.Cut(rng, "-")
		if hasStep && !isRange {
			return 0, fmt.Errorf("a step needs * or a range before it, got %q", term)
		}
		var err error
		if lo, err = f.value(loText); err != nil {
			return 0, err
		}
		hi = lo
		if isRange {
			if hi, err = f.value(hiText); err != nil {
				return 0, err
			}
			if lo > hi {
				return 0, fmt.Errorf("range %q runs backwards", rng)
			}
		}
	}
	var bits uint64
	for v := lo; v <= hi; v += step {
		bits |= 1 << v
	}
	return bits, nil
}

func (f field) value(s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.min || v > f.max {
		return 0, fmt.Errorf("%q is not a value from %d to %d", s, f.min, f.max)
	}
	return v, nil
}

// Matches reports whether the schedule fires in the minute of t, read in
// t's location (seconds are ignored).
func (s Schedule) Matches(t time.Time) bool {
	return s.has(month, int(t.Month())) && s.dayMatches(t) && s.has(hour, t.Hour()) && s.has(minute, t.Minute())
}

func (s Schedule) has(f, v int) bool { return s.bits[f]&(1<<v) != 0 }

// dayMatches follows Vixie cron (and POSIX): when both day fields are
// restricted, a day matching either one fires ("0 0 1 * mon" is the 1st
// and every Monday); when either starts with *, both must match.
func (s Schedule) dayMatches(t time.Time) bool {
	dom, dow := s.has(dayOfMonth, t.Day()), s.has(dayOfWeek, int(t.Weekday()))
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// searchYears bounds Next. The rarest expression that fires at all is a
// 29 February on one weekday ("0 0 29 2 *" AND Sunday, as "0 0 29 2 */7"
// means): up to 40 years apart where a century year is not a leap year.
// One that has not fired after this long never will ("0 0 31 2 *").
const searchYears = 50

// Next returns the first minute strictly after after at which the schedule
// fires, in after's location, or the zero time if it never fires.
func (s Schedule) Next(after time.Time) time.Time {
	loc := after.Location()
	// Start of the next minute, by absolute time: time.Date is ambiguous
	// in the repeated hour of a daylight-saving change.
	t := after.Add(time.Minute - time.Duration(after.Second())*time.Second - time.Duration(after.Nanosecond()))
	end := t.AddDate(searchYears, 0, 0)
	for t.Before(end) {
		var next time.Time
		switch {
		case !s.has(month, int(t.Month())):
			next = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc)
		case !s.dayMatches(t):
			next = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
		case !s.has(hour, t.Hour()):
			next = t.Add(time.Duration(60-t.Minute()) * time.Minute)
		case !s.has(minute, t.Minute()):
			next = t.Add(time.Minute)
		default:
			return t
		}
		// A zone whose clocks go back at midnight can make time.Date land
		// before t; a minute at a time always makes progress.
		if !next.After(t) {
			next = t.Add(time.Minute)
		}
		t = next
	}
	return time.Time{}
}
