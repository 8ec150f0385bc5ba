package services

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func fixture(t *testing.T, root, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata", "roots", root, p))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestParseLSBHeader(t *testing.T) {
	tests := []struct {
		root, path string
		want       LSBHeader
	}{
		{"debian", "etc/init.d/ssh", LSBHeader{Found: true, Provides: []string{"ssh", "sshd"},
			ShortDescription: "OpenBSD Secure Shell server", DefaultStart: []string{"2", "3", "4", "5"}}},
		{"debian", "etc/init.d/rsync", LSBHeader{Found: true, Provides: []string{"rsyncd"},
			ShortDescription: "fast remote file copy program daemon",
			Description:      "rsync is a program that allows files to be copied to and from remote machines in much the same way as rcp. This provides rsyncd daemon functionality.",
			DefaultStart:     []string{"2", "3", "4", "5"}}},
		{"debian", "etc/init.d/hwclock.sh", LSBHeader{Found: true, Provides: []string{"hwclock"},
			ShortDescription: "Save system clock to hardware on shutdown.", DefaultStart: []string{"S"}, DefaultStop: []string{"0", "6"}}},
		{"debian", "etc/init.d/redis-server", LSBHeader{Found: true, Provides: []string{"redis-server"},
			ShortDescription: "redis-server - Persistent key-value db", Description: "redis-server - Persistent key-value db",
			DefaultStart: []string{"2", "3", "4", "5"}, DefaultStop: []string{"0", "1", "6"}}},
		{"rhel", "etc/rc.d/init.d/oracle-agent", LSBHeader{Found: true,
			Description:  "Monitoring agent for the database host. Ward test fixture: a legacy chkconfig-style script.",
			DefaultStart: []string{"2", "3", "4", "5"}}},
		{"rhel", "etc/rc.d/init.d/netconsole", LSBHeader{Found: true, Provides: []string{"netconsole"},
			ShortDescription: "Initializes network console logging",
			Description:      "Initializes network console logging of kernel messages."}},
		{"rhel", "etc/rc.d/init.d/README", LSBHeader{}},
	}
	for _, tt := range tests {
		t.Run(tt.root+"/"+tt.path, func(t *testing.T) {
			got, err := ParseLSBHeader(strings.NewReader(fixture(t, tt.root, tt.path)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The docker script's Description starts on the line after the key.
	got, _ := ParseLSBHeader(strings.NewReader(fixture(t, "debian", "etc/init.d/docker")))
	if !strings.HasPrefix(got.Description, "Docker is an open-source project") {
		t.Errorf("docker description = %q", got.Description)
	}
}

func TestSysVEnablement(t *testing.T) {
	header := func(name string) string {
		return lines("#!/bin/sh", "### BEGIN INIT INFO", "# Provides: "+name, "# Short-Description: "+name+" daemon", "### END INIT INFO")
	}
	fsys := makeRoot(t,
		exe("etc/init.d/legacy", header("legacy")),
		link("etc/rc2.d/S20legacy", "../init.d/legacy"),
		exe("etc/init.d/boot.sh", header("boot")),
		link("etc/rcS.d/S05boot.sh", "../init.d/boot.sh"),
		exe("etc/init.d/off", header("off")),
		link("etc/rc0.d/K01off", "../init.d/off"), // stop links do not enable
		link("etc/rc2.d/K01off", "../init.d/off"), // nor in a start runlevel
		link("etc/rc1.d/S01off", "../init.d/off"), // rc1 is single-user
		exe("etc/init.d/ssh", header("ssh")),      // replaced by ssh.service
		link("etc/rc2.d/S01ssh", "../init.d/ssh"),
		exe("etc/init.d/hwclock.sh", header("hwclock")), // replaced by a masked hwclock.service
		link(lib+"hwclock.service", "/dev/null"),
		file(lib+"ssh.service", svcUnit("/usr/sbin/sshd -D", "WantedBy=multi-user.target")),
		file("etc/init.d/README", "read me\n"),
		exe("etc/init.d/skeleton", header("skeleton")),
		exe("etc/init.d/rc", "#!/bin/sh\n"),
		file("etc/init.d/noexec", header("noexec")),
		exe("etc/init.d/legacy.dpkg-old", header("legacy")),
		exe("etc/init.d/.hidden", header("hidden")),
		dir("etc/init.d/subdir"),
	)
	got, warns := collectRoot(t, fsys)
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	want := map[string]model.Service{
		"legacy/sysv":             {Name: "legacy", Manager: "sysv", Enabled: StateEnabled, Description: "legacy daemon", ExecStart: "/etc/init.d/legacy", UnitFile: "/etc/init.d/legacy"},
		"boot.sh/sysv":            {Name: "boot.sh", Manager: "sysv", Enabled: StateEnabled, Description: "boot daemon", ExecStart: "/etc/init.d/boot.sh", UnitFile: "/etc/init.d/boot.sh"},
		"off/sysv":                {Name: "off", Manager: "sysv", Enabled: StateDisabled, Description: "off daemon", ExecStart: "/etc/init.d/off", UnitFile: "/etc/init.d/off"},
		"ssh.service/systemd":     {Name: "ssh.service", Manager: "systemd", Enabled: StateDisabled, Description: "test", ExecStart: "/usr/sbin/sshd -D", UnitFile: "/lib/systemd/system/ssh.service"},
		"hwclock.service/systemd": {Name: "hwclock.service", Manager: "systemd", Enabled: StateMasked, UnitFile: "/lib/systemd/system/hwclock.service"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestOpenRC(t *testing.T) {
	tests := []struct {
		name string
		want OpenRCScript
	}{
		{"sshd", OpenRCScript{OpenRC: true, Description: "OpenBSD Secure Shell server", Command: "/usr/sbin/sshd"}},
		{"crond", OpenRCScript{OpenRC: true, Name: "busybox crond", Command: "/usr/sbin/crond"}},
		{"nginx", OpenRCScript{OpenRC: true, Description: "Nginx http and reverse proxy server", Command: "/usr/sbin/nginx"}},
		{"redis", OpenRCScript{OpenRC: true, Name: "Redis server", Command: "/usr/bin/redis-server", CommandUser: "redis:redis"}},
		{"syslog", OpenRCScript{OpenRC: true, Description: "Message logging system", Name: "busybox syslog", Command: "/sbin/syslogd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOpenRCScript(strings.NewReader(fixture(t, "alpine", "etc/init.d/"+tt.name)), tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpandShell(t *testing.T) {
	vars := map[string]string{"RC_SVCNAME": "svc", "dir": "/opt/x", "empty": ""}
	tests := map[string]string{
		`"/usr/sbin/$RC_SVCNAME"`:        "/usr/sbin/svc",
		`${dir}/bin`:                     "/opt/x/bin",
		`"${UNSET:-"/usr/bin/default"}"`: "/usr/bin/default",
		`${empty:-fallback}`:             "fallback",
		`${empty-kept}`:                  "",
		`${UNSET-word}`:                  "word",
		`${A:-${B:-"nested"}}`:           "nested",
		`'$literal'`:                     "$literal",
		`a\$b`:                           "a$b",
		`${unterminated`:                 "${unterminated",
		`${dir%/x}`:                      "/opt/x",
		`$(id -u)`:                       "$(id -u)",
	}
	for in, want := range tests {
		if got := expandShell(in, vars, 0); got != want {
			t.Errorf("expandShell(%q) = %q, want %q", in, got, want)
		}
	}
	deep := strings.Repeat("${X:-", 50) + "end" + strings.Repeat("}", 50)
	if got := expandShell(deep, vars, 0); len(got) > len(deep) {
		t.Errorf("deep nesting grew: %d bytes", len(got))
	}
}

func TestOpenRCEnablement(t *testing.T) {
	fsys := makeRoot(t,
		exe("etc/init.d/web", "#!/sbin/openrc-run\ndescription=\"web\"\ncommand=/usr/bin/web\ncommand_user=\"www:www\"\n"),
		exe("etc/init.d/idle", "#!/sbin/openrc-run\ncommand=/usr/bin/idle\n"),
		exe("etc/init.d/local", "#!/bin/sh\n# old-style script on an OpenRC system\n"),
		link("etc/runlevels/default/web", "/etc/init.d/web"),
		link("etc/runlevels/boot/local", "/etc/init.d/local"),
	)
	got, _ := collectRoot(t, fsys)
	want := map[string]model.Service{
		"web/openrc":   {Name: "web", Manager: "openrc", Enabled: StateEnabled, Description: "web", ExecStart: "/usr/bin/web", User: "www", UnitFile: "/etc/init.d/web"},
		"idle/openrc":  {Name: "idle", Manager: "openrc", Enabled: StateDisabled, ExecStart: "/usr/bin/idle", UnitFile: "/etc/init.d/idle"},
		"local/openrc": {Name: "local", Manager: "openrc", Enabled: StateEnabled, UnitFile: "/etc/init.d/local"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
