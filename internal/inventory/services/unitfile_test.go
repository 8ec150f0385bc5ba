package services

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestParseUnit(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		entries  []Entry
		problems []Problem
	}{
		{
			name: "sections keys comments",
			in:   "# comment\n; also comment\n[Unit]\nDescription = Foo bar \n\n[Service]\nExecStart=/bin/foo\n",
			entries: []Entry{
				{"Unit", "Description", "Foo bar", 4},
				{"Service", "ExecStart", "/bin/foo", 7},
			},
		},
		{
			name: "continuation joins with a space and skips comment lines",
			in:   "[Service]\nExecStart=/bin/sh -c \\\n# inside\n  'echo hi'\nUser=nobody\n",
			entries: []Entry{
				{"Service", "ExecStart", "/bin/sh -c    'echo hi'", 2},
				{"Service", "User", "nobody", 5},
			},
		},
		{
			name:    "continuation at end of file",
			in:      "[Service]\nExecStart=/bin/true \\",
			entries: []Entry{{"Service", "ExecStart", "/bin/true", 2}},
		},
		{
			name:    "CRLF and BOM",
			in:      "\uFEFF[Unit]\r\nDescription=x\r\n",
			entries: []Entry{{"Unit", "Description", "x", 2}},
		},
		{
			name:     "assignment outside section, missing =, bad header",
			in:       "Foo=bar\n[Unit]\nnonsense\n[Broken\nDescription=ignored\n[Service]\nUser=a\n",
			entries:  []Entry{{"Service", "User", "a", 7}},
			problems: []Problem{{1, "assignment outside of a section"}, {3, "missing '='"}, {4, "invalid section header"}},
		},
		{
			name:     "empty key and include",
			in:       "[Unit]\n=x\n.include /etc/foo\n",
			problems: []Problem{{2, "empty key"}, {3, ".include is not supported"}},
		},
		{
			name:    "value may contain =",
			in:      "[Service]\nEnvironment=A=b C=d\n",
			entries: []Entry{{"Service", "Environment", "A=b C=d", 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseUnit(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.entries, u.Entries); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.problems, u.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseUnitLineTooLong(t *testing.T) {
	long := "[Service]\nExecStart=" + strings.Repeat("a", MaxUnitLine+10) + "\n"
	if _, err := ParseUnit(strings.NewReader(long)); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("single long line: err = %v", err)
	}
	cont := "[Service]\nExecStart=" + strings.Repeat(strings.Repeat("b", 1000)+"\\\n", MaxUnitLine/1000+2)
	if _, err := ParseUnit(strings.NewReader(cont)); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("long continuation: err = %v", err)
	}
}

func TestUnitValuesReset(t *testing.T) {
	u, _ := ParseUnit(strings.NewReader("[Service]\nExecStart=/a\nExecStart=/b\nUser=x\n"))
	drop, _ := ParseUnit(strings.NewReader("[Service]\nExecStart=\nExecStart=/c --flag\nUser=\n"))
	if got := u.Values("Service", "ExecStart"); !cmp.Equal(got, []string{"/a", "/b"}) {
		t.Errorf("before drop-in: %q", got)
	}
	u.Append(drop)
	if got := u.Values("Service", "ExecStart"); !cmp.Equal(got, []string{"/c --flag"}) {
		t.Errorf("after reset: %q", got)
	}
	if got := u.Value("Service", "User"); got != "" {
		t.Errorf("User after empty assignment = %q", got)
	}
	if u.HasSection("Install") || !u.HasSection("Service") {
		t.Error("HasSection wrong")
	}
}

func TestCommandLine(t *testing.T) {
	tests := map[string]string{
		"/usr/sbin/sshd -D $SSHD_OPTS":        "/usr/sbin/sshd -D $SSHD_OPTS",
		"-/sbin/agetty --noclear - $TERM":     "/sbin/agetty --noclear - $TERM",
		"+/usr/bin/setup":                     "/usr/bin/setup",
		"!!/usr/bin/x a":                      "/usr/bin/x a",
		":-/bin/true":                         "/bin/true",
		"@/tmp/.x [kworker/0:2] -c /tmp/.cfg": "/tmp/.x -c /tmp/.cfg",
		"-@/usr/bin/foo foo":                  "/usr/bin/foo",
		"@/usr/bin/foo":                       "/usr/bin/foo",
		"  /bin/echo   spaced  ":              "/bin/echo   spaced",
		"|/bin/sh -c true":                    "/bin/sh -c true",
		"":                                    "",
	}
	for in, want := range tests {
		if got := CommandLine(in); got != want {
			t.Errorf("CommandLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseRealUnits parses every unit file of the fixture roots and checks
// none is reported as malformed: they are real files systemd accepts.
func TestParseRealUnits(t *testing.T) {
	for _, root := range []string{"debian", "rhel"} {
		for _, dir := range []string{"lib/systemd/system", "usr/lib/systemd/system", "etc/systemd/system"} {
			base := filepath.Join(testutil.RepoRoot(), "testdata", "roots", root, dir)
			entries, _ := os.ReadDir(base)
			for _, e := range entries {
				if !e.Type().IsRegular() {
					continue
				}
				data, err := os.ReadFile(filepath.Join(base, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				u, err := ParseUnit(strings.NewReader(string(data)))
				if err != nil || len(u.Problems) > 0 || len(u.Entries) == 0 {
					t.Errorf("%s/%s/%s: err %v problems %v entries %d", root, dir, e.Name(), err, u.Problems, len(u.Entries))
				}
			}
		}
	}
}
