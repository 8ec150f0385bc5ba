package api

import (
	"fmt"
	"strconv"
	"strings"
)

// cronField is one of the five fields of a cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var cronFields = []cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{name: "day of week", min: 0, max: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// checkCron validates a standard 5-field cron expression: each field a
// comma-separated list of *, N, N-M, with an optional /STEP after * or a
// range; months and weekdays also by three-letter name; weekday 0 and 7
// are Sunday. Macros (@daily) and seconds fields are not accepted: the
// scheduler evaluates exactly this grammar.
func checkCron(expr string) error {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return fmt.Errorf("cron expression %q has %d fields; want 5 (minute hour day-of-month month day-of-week)", expr, len(fields))
	}
	for i, f := range fields {
		for _, term := range strings.Split(f, ",") {
			if err := cronFields[i].checkTerm(term); err != nil {
				return fmt.Errorf("cron %s field %q: %w", cronFields[i].name, f, err)
			}
		}
	}
	return nil
}

func (c cronField) checkTerm(term string) error {
	rng, step, hasStep := strings.Cut(term, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 || n > c.max {
			return fmt.Errorf("step %q must be a number from 1 to %d", step, c.max)
		}
	}
	if rng == "*" {
		return nil
	}
	lo, hi, isRange := strings.Cut(rng, "-")
	if hasStep && !isRange {
		return fmt.Errorf("a step needs * or a range before it, got %q", term)
	}
	a, err := c.value(lo)
	if err != nil {
		return err
	}
	if !isRange {
		return nil
	}
	b, err := c.value(hi)
	if err != nil {
		return err
	}
	if a > b {
		return fmt.Errorf("range %q runs backwards", rng)
	}
	return nil
}

func (c cronField) value(s string) (int, error) {
	for i, n := range c.names {
		if strings.EqualFold(s, n) {
			return c.min + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < c.min || v > c.max {
		return 0, fmt.Errorf("%q is not a value from %d to %d", s, c.min, c.max)
	}
	return v, nil
}
