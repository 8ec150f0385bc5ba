package startup

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/model"
)

// brief is the part of an item most tests compare.
type brief struct {
	Kind, Path, User, Schedule, Command string
	Line                                int
}

func briefs(items []model.StartupItem, kind string) []brief {
	var out []brief
	for _, it := range items {
		if kind == "" || it.Kind == kind {
			out = append(out, brief{it.Kind, it.Path, it.User, it.Schedule, it.Command, it.Line})
		}
	}
	return out
}

func TestCronDNamingRules(t *testing.T) {
	nodes := []node{
		file("etc/cron.d/good", "1 2 * * * root /bin/good\n"),
		file("etc/cron.d/job.cron", "1 2 * * * root /bin/dotted\n"),
		file("etc/cron.d/old~", "1 2 * * * root /bin/backup\n"),
		file("etc/cron.d/x.rpmsave", "1 2 * * * root /bin/rpmsave\n"),
		file("etc/cron.d/.placeholder", "# placeholder\n"),
		dir("etc/cron.d/subdir"),
	}
	tests := []struct {
		name     string
		extra    []node
		commands []string
	}{
		{"cronie rules", nil, []string{"/bin/good", "/bin/dotted"}},
		{"debian rules", []node{file("etc/debian_version", "12.8\n")}, []string{"/bin/good"}},
		{"busybox rules", []node{file("etc/alpine-release", "3.20.3\n")}, []string{"/bin/good"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, warns := collectFS(t, makeRoot(t, append(append([]node{}, nodes...), tt.extra...)...))
			var cmds []string
			for _, it := range items {
				cmds = append(cmds, it.Command)
			}
			if diff := cmp.Diff(tt.commands, cmds); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(warns) != 0 {
				t.Errorf("warnings: %v", warns)
			}
		})
	}
}

func TestUserCrontabs(t *testing.T) {
	fsys := makeRoot(t,
		file("etc/crontabs/root", "@reboot /tmp/.x\n"),
		file("etc/crontabs/cron.update", "root\n"),
		link("var/spool/cron/crontabs", "/etc/crontabs"),            // Alpine
		file("var/spool/cron/alice", "0 * * * * /home/alice/job\n"), // cronie
		dir("var/spool/cron/atjobs"),
		file("var/spool/cron/.hidden", "0 * * * * /hidden\n"),
	)
	items, warns := collectFS(t, fsys)
	want := []brief{
		{"cron", "/etc/crontabs/root", "root", "@reboot", "/tmp/.x", 1},
		{"cron", "/var/spool/cron/alice", "alice", "0 * * * *", "/home/alice/job", 1},
	}
	if diff := cmp.Diff(want, briefs(items, "")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
}

func TestCronScriptsAndAt(t *testing.T) {
	fsys := makeRoot(t,
		file("etc/debian_version", "12.8\n"),
		exe("etc/cron.daily/logrotate", "#!/bin/sh\n"),
		file("etc/cron.daily/notexec", "#!/bin/sh\n"),
		exe("etc/cron.daily/job.sh", "#!/bin/sh\n"), // run-parts skips dotted names on Debian
		file("etc/cron.daily/.placeholder", ""),
		exe("usr/local/bin/real", "#!/bin/sh\n"),
		link("etc/cron.hourly/linked", "/usr/local/bin/real"),
		link("etc/cron.hourly/dangling", "/nowhere"),
		exe("etc/periodic/15min/poll", "#!/bin/sh\n"),
		file("var/spool/at/a0001", "#!/bin/sh\n"),
		file("var/spool/at/.SEQ", "1\n"),
		dir("var/spool/at/spool"),
	)
	items, warns := collectFS(t, fsys)
	want := []brief{
		{"at", "/var/spool/at/a0001", "", "", "/var/spool/at/a0001", 0},
		{"cron-script", "/etc/cron.daily/logrotate", "root", "daily", "/etc/cron.daily/logrotate", 0},
		{"cron-script", "/etc/cron.hourly/linked", "root", "hourly", "/etc/cron.hourly/linked", 0},
		{"cron-script", "/etc/periodic/15min/poll", "root", "15min", "/etc/periodic/15min/poll", 0},
	}
	if diff := cmp.Diff(want, briefs(items, "")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
}

func TestTimers(t *testing.T) {
	const sys = "usr/lib/systemd/system/"
	const etc = "etc/systemd/system/"
	fsys := makeRoot(t,
		file(sys+"backup.timer", "[Timer]\nOnCalendar=*-*-* 02:00\nOnCalendar=Sun 04:00\nUnit=backup-run.service\n[Install]\nWantedBy=timers.target\n"),
		file(sys+"backup-run.service", "[Service]\nUser=backup\nExecStart=-/usr/bin/backup --all\n"),
		link(etc+"timers.target.wants/backup.timer", "/usr/lib/systemd/system/backup.timer"),
		file(sys+"idle.timer", "[Timer]\nOnBootSec=5min\n[Install]\nWantedBy=timers.target\n"),
		file(sys+"idle.service", "[Service]\nExecStart=/bin/idle\n"),
		file(sys+"off.timer", "[Timer]\nOnUnitActiveSec=1h\n[Install]\nWantedBy=timers.target\n"),
		link(etc+"off.timer", "/dev/null"),
		link(etc+"timers.target.wants/off.timer", "/usr/lib/systemd/system/off.timer"),
		file(sys+"snap@.timer", "[Timer]\nOnCalendar=hourly\n[Install]\nWantedBy=timers.target\n"),
		file(sys+"snap@.service", "[Service]\nExecStart=/usr/bin/snap %i\n"),
		link(etc+"timers.target.wants/snap@home.timer", "/usr/lib/systemd/system/snap@.timer"),
		link(sys+"nick.timer", "idle.timer"),
		file(sys+"orphan.timer", "[Timer]\nOnCalendar=daily\n"),
		file(etc+"idle.timer.d/override.conf", "[Timer]\nOnBootSec=\nOnBootSec=1min\n"),
	)
	items, warns := collectFS(t, fsys)
	yes, no := true, false
	want := []model.StartupItem{
		{Kind: "systemd-timer", Path: "/etc/systemd/system/off.timer", Command: "", Enabled: &no},
		{Kind: "systemd-timer", Path: "/usr/lib/systemd/system/backup.timer", User: "backup",
			Schedule: "OnCalendar=*-*-* 02:00; OnCalendar=Sun 04:00", Command: "/usr/bin/backup --all", Unit: "backup-run.service", Enabled: &yes},
		{Kind: "systemd-timer", Path: "/usr/lib/systemd/system/idle.timer", User: "root",
			Schedule: "OnBootSec=1min", Command: "/bin/idle", Unit: "idle.service", Enabled: &no},
		{Kind: "systemd-timer", Path: "/usr/lib/systemd/system/orphan.timer", User: "root",
			Schedule: "OnCalendar=daily", Unit: "orphan.service", Enabled: &no},
		{Kind: "systemd-timer", Path: "/usr/lib/systemd/system/snap@.timer", User: "root",
			Schedule: "OnCalendar=hourly", Command: "/usr/bin/snap %i", Unit: "snap@home.service", Enabled: &yes},
	}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
}

func TestBootAndLoginItems(t *testing.T) {
	fsys := makeRoot(t,
		node{Path: "etc/rc.d/rc.local", Data: "#!/bin/bash\ntouch /var/lock/subsys/local\n/opt/x &\nexit 0\n", Mode: 0o644},
		link("etc/rc.local", "rc.d/rc.local"),
		exe("etc/profile.d/a.sh", "export A=1\n"),
		file("etc/profile.d/b.csh", "setenv B 1\n"),
		file("etc/profile.d/c.conf", "ignored\n"),
		file("etc/profile.d/.d.sh", "ignored\n"),
		dir("etc/profile.d/e.sh"),
		file("etc/ld.so.preload", "# hide\n/usr/lib/libprocesshider.so /lib/x.so\n"),
		file("etc/xdg/autostart/on.desktop", "[Desktop Entry]\nExec=/usr/bin/on\n"),
		file("etc/xdg/autostart/hidden.desktop", "[Desktop Entry]\nExec=/usr/bin/hidden\nHidden=true\n"),
		file("etc/xdg/autostart/off.desktop", "[Desktop Entry]\nExec=/usr/bin/off\nX-GNOME-Autostart-enabled=false\n"),
		file("etc/xdg/autostart/noexec.desktop", "[Desktop Entry]\nName=x\n"),
		file("etc/xdg/autostart/readme.txt", "x\n"),
	)
	items, warns := collectFS(t, fsys)
	yes, no := true, false
	want := []model.StartupItem{
		{Kind: "ld.so.preload", Path: "/etc/ld.so.preload", Line: 2, Command: "/usr/lib/libprocesshider.so"},
		{Kind: "ld.so.preload", Path: "/etc/ld.so.preload", Line: 2, Command: "/lib/x.so"},
		{Kind: "profile.d", Path: "/etc/profile.d/a.sh", Command: "/etc/profile.d/a.sh"},
		{Kind: "profile.d", Path: "/etc/profile.d/b.csh", Command: "/etc/profile.d/b.csh"},
		{Kind: "rc.local", Path: "/etc/rc.d/rc.local", Line: 2, User: "root", Command: "touch /var/lock/subsys/local", Enabled: &no},
		{Kind: "rc.local", Path: "/etc/rc.d/rc.local", Line: 3, User: "root", Command: "/opt/x &", Enabled: &no},
		{Kind: "xdg-autostart", Path: "/etc/xdg/autostart/off.desktop", Line: 2, Command: "/usr/bin/off", Enabled: &no},
		{Kind: "xdg-autostart", Path: "/etc/xdg/autostart/on.desktop", Line: 2, Command: "/usr/bin/on", Enabled: &yes},
	}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	wantWarn := []model.Warning{{Collector: "system/startup", Path: "/etc/xdg/autostart/noexec.desktop", Message: "autostart entry without Exec="}}
	if diff := cmp.Diff(wantWarn, warns); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestBadInputWarns(t *testing.T) {
	fsys := makeRoot(t,
		file("etc/crontab", "0 0 * * * root /ok\nbroken line\n"),
		file("var/spool/cron/crontabs/big", "#"+strings.Repeat("x", MaxFile)),
		// An absolute link resolves inside the root, never on the host.
		link("etc/anacrontab", "/../../../../../etc/anacrontab.real"),
		file("etc/anacrontab.real", "1 5 job /bin/inroot\nbad\n"),
	)
	items, warns := collectFS(t, fsys)
	want := []brief{
		{"anacron", "/etc/anacrontab", "root", "1 5 job", "/bin/inroot", 1},
		{"cron", "/etc/crontab", "root", "0 0 * * *", "/ok", 1},
	}
	if diff := cmp.Diff(want, briefs(items, "")); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	wantWarn := []model.Warning{
		{Collector: "system/startup", Path: "/etc/crontab", Message: "line 2: fewer than 5 time fields"},
		{Collector: "system/startup", Path: "/var/spool/cron/crontabs/big", Message: "read: file exceeds size limit (1048576 bytes)"},
		{Collector: "system/startup", Path: "/etc/anacrontab", Message: "line 2: expected: period delay job-identifier command"},
	}
	if diff := cmp.Diff(wantWarn, warns); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
