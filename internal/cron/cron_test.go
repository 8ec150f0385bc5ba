package cron

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseGrammar(t *testing.T) {
	tests := []struct {
		expr string
		ok   bool
	}{
		{"0 * * * *", true},
		{"*/15 9-17 * * mon-fri", true},
		{"0 0 1,15 jan,jul 0", true},
		{"30 2 * * 7", true},
		{"0-59/5 0 1 12 SUN", true},
		{"  1   2 3 4 5 ", true},
		{"", false},
		{"* * * *", false},
		{"* * * * * *", false},
		{"60 * * * *", false},
		{"* 24 * * *", false},
		{"* * 0 * *", false},
		{"* * * 13 *", false},
		{"* * * * 8", false},
		{"5/10 * * * *", false},
		{"*/0 * * * *", false},
		{"*/60 * * * *", false},
		{"10-5 * * * *", false},
		{"1,,2 * * * *", false},
		{"-1 * * * *", false},
		{"@daily", false},
		// sun is 0, so this range runs backwards (write fri-sat,sun or 5-7).
		{"* * * * fri-sun", false},
		{"* * * * funday", false},
	}
	for _, tc := range tests {
		if _, err := Parse(tc.expr); (err == nil) != tc.ok {
			t.Errorf("Parse(%q) = %v, want ok=%v", tc.expr, err, tc.ok)
		}
	}
}

// The API shows these messages to users: keep them saying where the
// problem is.
func TestParseErrorsNameTheField(t *testing.T) {
	for expr, want := range map[string]string{
		"* * *":          "has 3 fields; want 5",
		"61 * * * *":     `cron minute field "61": "61" is not a value from 0 to 59`,
		"* * * * mon/2":  `cron day of week field "mon/2": a step needs * or a range before it`,
		"* 9-1 * * *":    `cron hour field "9-1": range "9-1" runs backwards`,
		"* * */32 * *":   `cron day of month field "*/32": step "32" must be a number from 1 to 31`,
		"* * * foo *":    `cron month field "foo"`,
		"1,2,x * * * *":  `cron minute field "1,2,x": "x" is not a value`,
		"* * * * sun-xx": `"xx" is not a value from 0 to 7`,
	} {
		_, err := Parse(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want it to contain %q", expr, err, want)
		}
	}
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMatches(t *testing.T) {
	tests := []struct {
		expr string
		yes  []string
		no   []string
	}{
		{"*/5 * * * *", []string{"2026-03-02 10:00", "2026-03-02 10:05", "2026-03-02 23:55"}, []string{"2026-03-02 10:01", "2026-03-02 10:04", "2026-03-02 10:59"}},
		{"30 2 * * *", []string{"2026-03-02 02:30"}, []string{"2026-03-02 03:30", "2026-03-02 02:31"}},
		{"10-20/5 * * * *", []string{"2026-03-02 00:10", "2026-03-02 00:15", "2026-03-02 00:20"}, []string{"2026-03-02 00:25", "2026-03-02 00:05", "2026-03-02 00:11"}},
		// 2026-03-01 is a Sunday; 7 and sun are Sunday too.
		{"0 0 * * 7", []string{"2026-03-01 00:00", "2026-03-08 00:00"}, []string{"2026-03-02 00:00"}},
		{"0 0 * * SUN", []string{"2026-03-01 00:00"}, []string{"2026-03-07 00:00"}},
		{"0 0 * * 5-7", []string{"2026-03-06 00:00", "2026-03-01 00:00"}, []string{"2026-03-04 00:00"}},
		{"0 12 1 jan,jul *", []string{"2026-01-01 12:00", "2026-07-01 12:00"}, []string{"2026-02-01 12:00", "2026-01-02 12:00"}},
		// Both day fields restricted: either fires (the 15th, or a Monday).
		{"0 0 15 * mon", []string{"2026-03-15 00:00", "2026-03-02 00:00"}, []string{"2026-03-03 00:00"}},
		// A day field starting with * makes both required.
		{"0 0 */2 * mon", []string{"2026-03-09 00:00"}, []string{"2026-03-02 00:00", "2026-03-03 00:00"}},
		{"0 0 1 * *", []string{"2026-03-01 00:00"}, []string{"2026-03-02 00:00"}},
	}
	for _, tc := range tests {
		s, err := Parse(tc.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.expr, err)
		}
		for _, y := range tc.yes {
			if !s.Matches(at(y)) {
				t.Errorf("%q does not match %s", tc.expr, y)
			}
		}
		for _, n := range tc.no {
			if s.Matches(at(n)) {
				t.Errorf("%q matches %s", tc.expr, n)
			}
		}
	}
}

func TestMatchesIgnoresSecondsAndUsesTheLocation(t *testing.T) {
	s, _ := Parse("0 9 * * *")
	if !s.Matches(time.Date(2026, 3, 2, 9, 0, 59, 999, time.UTC)) {
		t.Error("seconds into the minute do not match")
	}
	berlin := time.FixedZone("CET", 3600)
	if !s.Matches(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC).In(berlin)) {
		t.Error("not evaluated in the time's location")
	}
}

func TestNext(t *testing.T) {
	tests := []struct{ expr, after, want string }{
		{"*/5 * * * *", "2026-03-02 10:00", "2026-03-02 10:05"},
		{"*/5 * * * *", "2026-03-02 10:03", "2026-03-02 10:05"},
		{"0 0 1 * *", "2026-12-15 08:00", "2027-01-01 00:00"},
		{"0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00"},
		{"0 0 29 2 *", "2096-03-01 00:00", "2104-02-29 00:00"},
		{"0 0 29 2 */7", "2088-03-01 00:00", "2128-02-29 00:00"},
		{"30 23 31 * *", "2026-04-01 00:00", "2026-05-31 23:30"},
		{"0 9 * * mon-fri", "2026-03-06 09:00", "2026-03-09 09:00"},
	}
	for _, tc := range tests {
		s, err := Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Next(at(tc.after)); !got.Equal(at(tc.want)) {
			t.Errorf("%q.Next(%s) = %s, want %s", tc.expr, tc.after, got, tc.want)
		}
	}
	never, _ := Parse("0 0 31 2 *")
	if got := never.Next(at("2026-01-01 00:00")); !got.IsZero() {
		t.Errorf("31 February fires at %s", got)
	}
	s, _ := Parse("* * * * *")
	if got := s.Next(time.Date(2026, 3, 2, 10, 0, 59, 5, time.UTC)); !got.Equal(at("2026-03-02 10:01")) {
		t.Errorf("Next within a minute = %s", got)
	}
}

// Next across daylight-saving changes: it never returns a time at or
// before after, and skips a wall time that does not exist.
func TestNextAcrossDaylightSaving(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	s, _ := Parse("30 2 * * *")
	// 2026-03-29 02:00 CET jumps to 03:00 CEST: no 02:30 that day.
	got := s.Next(time.Date(2026, 3, 28, 12, 0, 0, 0, berlin))
	if want := time.Date(2026, 3, 30, 2, 30, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("spring forward: %s, want %s", got, want)
	}
	every, _ := Parse("*/20 * * * *")
	after := time.Date(2026, 10, 25, 1, 0, 0, 0, berlin)
	for range 12 {
		next := every.Next(after)
		if !next.After(after) || next.Sub(after) > 20*time.Minute {
			t.Fatalf("fall back: Next(%s) = %s", after, next)
		}
		after = next
	}
}

// Next agrees with scanning minute by minute with Matches.
func TestNextAgreesWithMatches(t *testing.T) {
	exprs := []string{"*/7 * * * *", "0 */5 * * *", "15 3 * * mon,thu", "0 0 13 * fri", "5-10 22-23 */3 * *",
		"0 12 * feb,mar sat", "59 23 31 * *", "0 0 1 */4 *", "*/13 1-3 2-5 * 0"}
	rng := rand.New(rand.NewPCG(1, 2))
	start := at("2026-01-01 00:00")
	for _, expr := range exprs {
		s, err := Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			after := start.Add(time.Duration(rng.IntN(400*24*60)) * time.Minute).Add(time.Duration(rng.IntN(60)) * time.Second)
			got := s.Next(after)
			want := after.Truncate(time.Minute).Add(time.Minute)
			for !s.Matches(want) {
				want = want.Add(time.Minute)
			}
			if !got.Equal(want) {
				t.Fatalf("%q.Next(%s) = %s, scanning finds %s", expr, after, got, want)
			}
		}
	}
}
