package services

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory"
)

func TestUnitCgroup(t *testing.T) {
	tests := []struct{ name, slice, want string }{
		{"ssh.service", "", "system.slice/ssh.service"},
		{"getty@tty1.service", "", `system.slice/system-getty.slice/getty@tty1.service`},
		{"serial-getty@ttyS0.service", "", `system.slice/system-serial\x2dgetty.slice/serial-getty@ttyS0.service`},
		{"batch.service", "workload-batch.slice", "workload.slice/workload-batch.slice/batch.service"},
		{"x.service", "-.slice", "x.service"},
		{"x.service", "../../etc.slice", "system.slice/x.service"}, // never a path from the unit file
		{"x.service", "notaslice", "system.slice/x.service"},
	}
	for _, tt := range tests {
		if got := unitCgroup(tt.name, tt.slice); got != tt.want {
			t.Errorf("unitCgroup(%q, %q) = %q, want %q", tt.name, tt.slice, got, tt.want)
		}
	}
}

func TestParseCgroupProcs(t *testing.T) {
	n, low := ParseCgroupProcs(strings.NewReader("812\n655\n\nbogus\n-3\n9000\n"))
	if n != 3 || low != 655 {
		t.Errorf("got %d pids, lowest %d", n, low)
	}
}

func TestActiveFromCgroups(t *testing.T) {
	fsys := makeRoot(t,
		file(lib+"ssh.service", svcUnit("/usr/sbin/sshd -D")),
		file(lib+"nginx.service", svcUnit("/usr/sbin/nginx")),
		file(lib+"cron.service", svcUnit("/usr/sbin/cron -f")),
		file(lib+"redis.service", svcUnit("/usr/bin/redis-server")),
		file(lib+"getty@.service", svcUnit("/sbin/agetty", "WantedBy=getty.target")),
		link(etc+"getty.target.wants/getty@tty1.service", "/lib/systemd/system/getty@.service"),
		file(lib+"batch.service", svcUnit("/usr/bin/batch")+"Slice=workload-batch.slice\n"),
	)
	type state struct {
		Active  string
		MainPID int
	}
	tests := []struct {
		tree string
		want map[string]state
	}{
		{"cgroup-v2", map[string]state{
			"ssh.service":        {"active", 655},
			"nginx.service":      {"active", 1201}, // processes in a sub-cgroup
			"cron.service":       {"inactive", 0},
			"redis.service":      {"inactive", 0}, // no cgroup at all
			"getty@.service":     {"", 0},         // templates never run
			"getty@tty1.service": {"active", 433},
			"batch.service":      {"active", 2000},
		}},
		{"cgroup-v1", map[string]state{
			"ssh.service":        {"active", 700},
			"nginx.service":      {"inactive", 0},
			"cron.service":       {"inactive", 0},
			"redis.service":      {"inactive", 0},
			"getty@.service":     {"", 0},
			"getty@tty1.service": {"inactive", 0},
			"batch.service":      {"inactive", 0},
		}},
		// No systemd hierarchy: unknown, not inactive.
		{"cgroup-none", map[string]state{
			"ssh.service": {}, "nginx.service": {}, "cron.service": {}, "redis.service": {},
			"getty@.service": {}, "getty@tty1.service": {}, "batch.service": {},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.tree, func(t *testing.T) {
			env, _ := inventory.TestEnv(fsys, "system/services")
			env.Live = true
			c := New()
			c.CgroupRoot = filepath.Join("testdata", tt.tree)
			inv, err := c.Collect(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]state{}
			for _, s := range inv.Services {
				got[s.Name] = state{s.Active, s.MainPID}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// Not live: the cgroup tree is never read.
	env, _ := inventory.TestEnv(fsys, "system/services")
	c := New()
	c.CgroupRoot = filepath.Join("testdata", "cgroup-v2")
	inv, _ := c.Collect(context.Background(), env)
	for _, s := range inv.Services {
		if s.Active != "" || s.MainPID != 0 {
			t.Errorf("%s: active state %q pid %d on a non-live scan", s.Name, s.Active, s.MainPID)
		}
	}
}
