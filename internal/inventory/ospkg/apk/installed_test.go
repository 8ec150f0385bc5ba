package apk

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parseAll(t testing.TB, data string) ([]Entry, []ParseError) {
	t.Helper()
	var entries []Entry
	var errs []ParseError
	err := ParseInstalled(strings.NewReader(data), func(e Entry) { entries = append(entries, e) }, func(e ParseError) { errs = append(errs, e) })
	if err != nil {
		t.Fatalf("ParseInstalled: %v", err)
	}
	return entries, errs
}

func TestParseInstalled(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	tests := []struct {
		name    string
		in      string
		want    []Entry
		wantErr []ParseError
	}{
		{
			name: "files, dirs and files before any directory",
			in:   "P:a\nV:1.0-r0\nA:x86_64\no:asrc\nL:MIT\nm:Me <me@x>\nR:toplevel\nF:usr/bin\nR:a\nZ:Q1abc=\nR:b\nF:etc\nF:etc/a.d\nR:conf\n",
			want: []Entry{{Line: 1, Name: "a", Version: "1.0-r0", Arch: "x86_64", Origin: "asrc", License: "MIT", Maintainer: "Me <me@x>",
				Files: []string{"/toplevel", "/usr/bin", "/usr/bin/a", "/usr/bin/b", "/etc", "/etc/a.d", "/etc/a.d/conf"}}},
		},
		{
			name: "blank lines, CRLF and no final newline",
			in:   "\n\nP:a\r\nV:1\r\n\r\n\r\nP:b\r\nV:2",
			want: []Entry{{Line: 3, Name: "a", Version: "1"}, {Line: 7, Name: "b", Version: "2"}},
		},
		{
			name:    "malformed line spoils only its package",
			in:      "P:a\nV:1\n\nP:b\nbad\nV:2\n\nP:c\nV:3\n",
			want:    []Entry{{Line: 1, Name: "a", Version: "1"}, {Line: 8, Name: "c", Version: "3"}},
			wantErr: []ParseError{{Line: 5, Msg: `expected "K:value"`}},
		},
		{
			name:    "missing version",
			in:      "P:a\nA:x86_64\n",
			wantErr: []ParseError{{Line: 1, Msg: "package record without P: (name) or V: (version)"}},
		},
		{
			name:    "duplicate name",
			in:      "P:a\nV:1\nP:b\n",
			wantErr: []ParseError{{Line: 3, Msg: "duplicate P: line"}},
		},
		{
			name: "over-long skipped field is discarded",
			in:   "P:a\nT:" + long + "\nV:1\n",
			want: []Entry{{Line: 1, Name: "a", Version: "1"}},
		},
		{
			name:    "over-long kept field is an error",
			in:      "P:a\nV:" + long + "\n",
			wantErr: []ParseError{{Line: 2, Msg: "V: value longer than 65536 bytes"}},
		},
		{
			name: "hostile directory stays absolute",
			in:   "P:a\nV:1\nF:../../etc\nR:../shadow\n",
			want: []Entry{{Line: 1, Name: "a", Version: "1", Files: []string{"/etc", "/shadow"}}},
		},
		{
			name:    "empty R:",
			in:      "P:a\nV:1\nR:\n",
			wantErr: []ParseError{{Line: 3, Msg: "empty R: file name"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := parseAll(t, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseScalibrFixtures runs the parser over osv-scalibr's real apk
// databases (Apache-2.0).
func TestParseScalibrFixtures(t *testing.T) {
	tests := []struct {
		file      string
		names     []string
		arch      string
		origin    string
		files     int
		errs      int
		firstFile string
	}{
		{file: "single", names: []string{"alpine-baselayout-data"}, arch: "x86_64", origin: "alpine-baselayout", files: 16, firstFile: "/etc"},
		{file: "different-arch", names: []string{"alpine-baselayout-data"}, arch: "noarch", origin: "alpine-baselayout", files: 16, firstFile: "/etc"},
		{file: "no-origin", names: []string{"pkgname"}, arch: "x86_64", origin: ""},
		{file: "invalid", errs: 2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/scalibr/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, errs := parseAll(t, string(data))
			if len(errs) != tt.errs {
				t.Errorf("%d errors, want %d: %v", len(errs), tt.errs, errs)
			}
			var names []string
			for _, e := range got {
				names = append(names, e.Name)
			}
			if diff := cmp.Diff(tt.names, names); diff != "" {
				t.Fatalf("names (-want +got):\n%s", diff)
			}
			if len(got) == 0 {
				return
			}
			e := got[0]
			if e.Arch != tt.arch || e.Origin != tt.origin || len(e.Files) != tt.files {
				t.Errorf("got arch %q origin %q %d files; want %q %q %d", e.Arch, e.Origin, len(e.Files), tt.arch, tt.origin, tt.files)
			}
			if tt.firstFile != "" && e.Files[0] != tt.firstFile {
				t.Errorf("first file %q, want %q", e.Files[0], tt.firstFile)
			}
		})
	}
}
