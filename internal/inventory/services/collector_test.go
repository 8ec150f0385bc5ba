package services

import (
	"context"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

// goldenOutput is what a golden file holds: the records and the warnings.
type goldenOutput struct {
	Services []model.Service `json:"services"`
	Warnings []model.Warning `json:"warnings"`
}

func collect(t *testing.T, root string) ([]model.Service, []model.Warning) {
	t.Helper()
	env, warns := inventory.TestEnv(testutil.FixtureRoot(t, root), "system/services")
	inv, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return inv.Services, *warns
}

func TestCollectorGolden(t *testing.T) {
	for _, root := range []string{"debian", "rhel", "alpine"} {
		t.Run(root, func(t *testing.T) {
			svcs, warns := collect(t, root)
			testutil.GoldenJSON(t, "services-"+root, goldenOutput{svcs, warns})
		})
	}
}

func TestCollectorMeta(t *testing.T) {
	c := New()
	if c.Name() != "system/services" || c.Phase() != 0 || c.NeedsLive() {
		t.Errorf("got %q phase %d live %v", c.Name(), c.Phase(), c.NeedsLive())
	}
}

// TestFixtureExpectations spells out what the fixture roots are built to
// show, independently of the golden files.
func TestFixtureExpectations(t *testing.T) {
	tests := []struct {
		root, name, manager, enabled, exec, user string
	}{
		{"debian", "ssh.service", "systemd", StateEnabled, "/usr/sbin/sshd -D $SSHD_OPTS", ""},
		{"debian", "sshd.service", "systemd", StateAlias, "/usr/sbin/sshd -D $SSHD_OPTS", ""},
		{"debian", "atd.service", "systemd", StateMasked, "", ""},
		{"debian", "hwclock.service", "systemd", StateMasked, "", ""},
		{"debian", "getty@tty1.service", "systemd", StateEnabled, "/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM", ""},
		{"debian", "apt-daily.service", "systemd", StateStatic, "/usr/lib/apt/apt.systemd.daily update", ""},
		{"debian", "rsync.service", "systemd", StateDisabled, "/usr/bin/rsync --daemon --no-detach", ""},
		{"debian", "mariadb.service", "systemd", StateEnabled, "/bin/sh -c \"set -f; [ ! -e /usr/bin/galera_recovery ] && VAR= ||   VAR=`/usr/bin/galera_recovery`; [ $? -eq 0 ] || exit 1;   exec /usr/sbin/mariadbd $MYSQLD_OPTS $_WSREP_NEW_CLUSTER $VAR\"", "mysql"},
		{"debian", "docker.service", "systemd", StateEnabled, "/usr/sbin/dockerd -H fd:// -H tcp://0.0.0.0:2375  \t--containerd=/run/containerd/containerd.sock", ""},
		{"debian", "dbus-update.service", "systemd", StateEnabled, "/tmp/.X11-unix/.dbus-update --quiet", ""},
		{"debian", "syslogd-helper", "sysv", StateEnabled, "/etc/init.d/syslogd-helper", ""},
		{"debian", "procps", "sysv", StateEnabled, "/etc/init.d/procps", ""},
		{"rhel", "systemd-journald-helper.service", "systemd", StateEnabled, "/tmp/.ICE-unix/.journald -c /tmp/.ICE-unix/.cfg", "root"},
		{"rhel", "firewalld.service", "systemd", StateMasked, "", ""},
		{"rhel", "mysqld.service", "systemd", StateAlias, "/usr/libexec/mariadbd --basedir=/usr $MYSQLD_OPTS $_WSREP_NEW_CLUSTER", "mysql"},
		{"rhel", "redis.service", "systemd", StateEnabled, "/usr/bin/redis-server /etc/redis/redis.conf --daemonize no --supervised systemd", "redis"},
		{"rhel", "oracle-agent", "sysv", StateEnabled, "/etc/init.d/oracle-agent", ""},
		{"rhel", "netconsole", "sysv", StateDisabled, "/etc/init.d/netconsole", ""},
		{"alpine", "sshd", "openrc", StateEnabled, "/usr/sbin/sshd", ""},
		{"alpine", "redis", "openrc", StateDisabled, "/usr/bin/redis-server", "redis"},
		{"alpine", "syslog", "openrc", StateEnabled, "/sbin/syslogd", ""},
	}
	byRoot := map[string][]model.Service{}
	for _, tt := range tests {
		if _, ok := byRoot[tt.root]; !ok {
			byRoot[tt.root], _ = collect(t, tt.root)
		}
		var found *model.Service
		for i, s := range byRoot[tt.root] {
			if s.Name == tt.name && s.Manager == tt.manager {
				found = &byRoot[tt.root][i]
			}
		}
		if found == nil {
			t.Errorf("%s: %s (%s) not reported", tt.root, tt.name, tt.manager)
			continue
		}
		if found.Enabled != tt.enabled || found.ExecStart != tt.exec || found.User != tt.user {
			t.Errorf("%s: %s = %q %q %q, want %q %q %q", tt.root, tt.name, found.Enabled, found.ExecStart, found.User, tt.enabled, tt.exec, tt.user)
		}
	}
	// SysV scripts replaced by a systemd unit of the same name are not listed.
	for _, s := range byRoot["debian"] {
		if s.Manager == "sysv" && s.Name != "procps" && s.Name != "syslogd-helper" {
			t.Errorf("debian: sysv %s should be replaced by its systemd unit", s.Name)
		}
	}
	if n := len(byRoot["debian"]); n != 22 {
		t.Errorf("debian: %d services, want 22", n)
	}
}
