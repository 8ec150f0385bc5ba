package startup

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

func addSeeds(f *testing.F, files ...string) {
	for _, p := range files {
		if data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata", "roots", p)); err == nil {
			f.Add(data)
		}
	}
}

func FuzzParseCrontab(f *testing.F) {
	addSeeds(f, "debian/etc/crontab", "debian/etc/cron.d/e2scrub_all", "debian/etc/cron.d/anacron",
		"debian/var/spool/cron/crontabs/root", "debian/var/spool/cron/crontabs/www-data",
		"rhel/etc/crontab", "rhel/etc/cron.d/0hourly", "rhel/etc/cron.d/sysstat",
		"rhel/var/spool/cron/root", "alpine/etc/crontabs/root")
	f.Add([]byte("-@reboot root x\n\"A\"=b\n1-2~3/4,jan * * * * u c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, system := range []bool{false, true} {
			entries, bad, err := ParseCrontab(bytes.NewReader(data), system)
			for _, e := range entries {
				if e.Command == "" || e.Schedule == "" || e.Line < 1 || system && e.User == "" {
					t.Fatalf("incomplete entry %+v", e)
				}
				if strings.ContainsAny(e.Command, "\n") {
					t.Fatalf("command spans lines: %q", e.Command)
				}
			}
			for _, b := range bad {
				if b.Line < 1 {
					t.Fatalf("bad line number %+v", b)
				}
			}
			_ = err
		}
	})
}

func FuzzParseAnacrontab(f *testing.F) {
	addSeeds(f, "debian/etc/anacrontab", "rhel/etc/anacrontab")
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _, _ := ParseAnacrontab(bytes.NewReader(data))
		for _, e := range entries {
			// Fields are separated by blanks and tabs only, as anacron does.
			f := strings.FieldsFunc(e.Schedule, func(r rune) bool { return r == ' ' || r == '\t' })
			if e.Command == "" || len(f) != 3 {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func FuzzParseDesktopEntry(f *testing.F) {
	addSeeds(f, "debian/etc/xdg/autostart/xdg-user-dirs.desktop", "debian/etc/xdg/autostart/at-spi-dbus-bus.desktop")
	f.Add([]byte("[Desktop Entry]\nExec=a\\s\\\\\\\nHidden=true\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, _ := ParseDesktopEntry(bytes.NewReader(data))
		if len(d.Exec) > len(data) {
			t.Fatalf("Exec longer than input")
		}
	})
}

func FuzzParsePreload(f *testing.F) {
	addSeeds(f, "debian/etc/ld.so.preload")
	f.Fuzz(func(t *testing.T, data []byte) {
		libs, _ := ParsePreload(bytes.NewReader(data))
		for _, l := range libs {
			if l.Path == "" || strings.ContainsAny(l.Path, " \t:#\n") {
				t.Fatalf("bad path %q", l.Path)
			}
		}
	})
}
