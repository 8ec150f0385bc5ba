package startup

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePreload(t *testing.T) {
	in := "/usr/lib/libprocesshider.so\n# comment /not/this.so\n/lib/a.so:/lib/b.so  /lib/c.so # trailing\n\n"
	got, err := ParsePreload(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []PreloadEntry{
		{1, "/usr/lib/libprocesshider.so"},
		{3, "/lib/a.so"}, {3, "/lib/b.so"}, {3, "/lib/c.so"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseScriptLines(t *testing.T) {
	in := "#!/bin/sh -e\n# comment\n\n/usr/local/bin/x &\n  exit 0\nif true; then\n  echo hi\nfi\n"
	got, err := ParseScriptLines(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []ScriptLine{{4, "/usr/local/bin/x &"}, {6, "if true; then"}, {7, "echo hi"}, {8, "fi"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseDesktopEntry(t *testing.T) {
	tests := []struct {
		name, in string
		want     DesktopEntry
	}{
		{"plain", "[Desktop Entry]\nType=Application\nName=User folders update\nName[de]=Ordner\nExec=xdg-user-dirs-update\n",
			DesktopEntry{Name: "User folders update", Exec: "xdg-user-dirs-update", ExecLine: 5}},
		{"hidden", "[Desktop Entry]\nExec=/usr/bin/x\nHidden=true\n", DesktopEntry{Exec: "/usr/bin/x", ExecLine: 2, Hidden: true}},
		{"gnome disabled", "[Desktop Entry]\nExec=/usr/bin/x\nX-GNOME-Autostart-enabled=false\n",
			DesktopEntry{Exec: "/usr/bin/x", ExecLine: 2, Disabled: true}},
		{"other groups ignored", "[Desktop Action new]\nExec=/wrong\n[Desktop Entry]\nExec = /right\\s--flag\n",
			DesktopEntry{Exec: "/right --flag", ExecLine: 4}},
		{"escapes", "[Desktop Entry]\nExec=a\\\\b\\tc\\;d\\\n", DesktopEntry{Exec: "a\\b\tc\\;d\\", ExecLine: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDesktopEntry(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunPartsName(t *testing.T) {
	tests := []struct {
		name            string
		strict, lenient bool
	}{
		{"logrotate", true, true},
		{"0anacron", true, true},
		{"my_job-2", true, true},
		{"man-db.cron", false, true},
		{"job.sh", false, true},
		{".placeholder", false, false},
		{"job~", false, false},
		{"sysstat.rpmsave", false, false},
		{"sysstat.rpmnew", false, false},
		{"x.swp", false, false},
		{"#job#", false, false},
		{"job,", false, false},
		{"nginx.dpkg-old", false, true},
		{"", false, false},
	}
	for _, tt := range tests {
		if got := runPartsName(tt.name, true); got != tt.strict {
			t.Errorf("strict %q = %v", tt.name, got)
		}
		if got := runPartsName(tt.name, false); got != tt.lenient {
			t.Errorf("lenient %q = %v", tt.name, got)
		}
	}
}
