package services

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/rootfs"
)

// liveUnitNames lists, independently of the collector, every .service name
// in the host's unit directories (regular files and links that resolve),
// reading each real directory once.
func liveUnitNames(t *testing.T) (names map[string]bool, regular int) {
	t.Helper()
	dirs := []string{
		"/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
		"/run/systemd/generator.early", "/etc/systemd/system", "/etc/systemd/system.attached",
		"/run/systemd/system", "/run/systemd/system.attached", "/run/systemd/generator",
		"/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system",
		"/run/systemd/generator.late",
	}
	names = map[string]bool{}
	regulars := map[string]bool{}
	seen := map[string]bool{}
	for _, d := range dirs {
		real, err := filepath.EvalSymlinks(d)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if !strings.HasSuffix(n, ".service") || strings.HasPrefix(n, ".") {
				continue
			}
			p := filepath.Join(d, n)
			if e.Type().IsRegular() {
				names[n] = true
				regulars[n] = true
				continue
			}
			if e.Type()&os.ModeSymlink != 0 {
				if target, err := os.Readlink(p); err == nil && target == "/dev/null" {
					names[n] = true // a mask
					continue
				}
				if st, err := os.Stat(p); err == nil && (st.Mode().IsRegular() || st.Mode()&os.ModeCharDevice != 0) {
					names[n] = true
				}
			}
		}
	}
	return names, len(regulars)
}

func TestLiveServices(t *testing.T) {
	want, regular := liveUnitNames(t)
	if len(want) == 0 {
		t.Skip("no systemd unit directories on this host")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	env, _ := inventory.TestEnv(fsys, "system/services")
	inv, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	byName := map[string]int{}
	for i, s := range inv.Services {
		if s.Manager != "systemd" {
			continue
		}
		byName[s.Name] = i
		if _, inst, ok := SplitInstance(s.Name); ok && inst != "" {
			if _, own := want[s.Name]; !own {
				continue // an enabled instance of a template, not a file
			}
		}
		got[s.Name] = true
	}
	if len(got) != len(want) {
		t.Errorf("collector saw %d .service unit names, the directories hold %d (%d regular files)", len(got), len(want), regular)
	}
	if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
		t.Errorf("unit names (-dirs +collector):\n%s", diff)
	}
	found := false
	for _, n := range []string{"cron.service", "ssh.service"} {
		if !want[n] {
			continue
		}
		found = true
		i, ok := byName[n]
		if !ok {
			t.Errorf("%s not reported", n)
			continue
		}
		if s := inv.Services[i]; s.ExecStart == "" || s.Enabled == "" {
			t.Errorf("%s reported without ExecStart or state: %+v", n, s)
		}
	}
	if !found {
		t.Log("neither cron.service nor ssh.service is installed on this host")
	}
	// Without a systemd cgroup tree (PID 1 not systemd) nothing may be
	// called active or inactive.
	if _, ok := findCgroupTree("/sys/fs/cgroup"); !ok {
		for _, s := range inv.Services {
			if s.Active != "" {
				t.Errorf("%s: Active %q without a systemd cgroup tree", s.Name, s.Active)
			}
		}
	}
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
