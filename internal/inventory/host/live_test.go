package host

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/rootfs"
)

// TestLiveHost runs the collector on this machine and checks it against
// what the system's own tools report.
func TestLiveHost(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the live host")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Skip(err)
	}
	defer fsys.Close()
	env, warnings := inventory.TestEnv(fsys, "host/info")
	if !env.Live {
		t.Skip("/ is not the live root")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv, err := New().Collect(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	h := inv.Host
	for _, w := range *warnings {
		t.Logf("warning: %+v", w)
	}

	if want, err := os.Hostname(); err == nil && h.Hostname != want {
		t.Errorf("Hostname = %q, want %q", h.Hostname, want)
	}
	if out, err := exec.CommandContext(ctx, "uname", "-r").Output(); err == nil {
		if want := strings.TrimSpace(string(out)); h.Kernel != want || h.KernelInferred {
			t.Errorf("Kernel = %q (inferred %v), want %q from uname -r", h.Kernel, h.KernelInferred, want)
		}
	} else {
		t.Logf("uname -r: %v (kernel not checked)", err)
	}
	if want := memTotal(t); want > 0 {
		diff := float64(h.MemoryBytes) - float64(want)
		if diff < 0 {
			diff = -diff
		}
		if diff > float64(want)/100 {
			t.Errorf("MemoryBytes = %d, want within 1%% of %d", h.MemoryBytes, want)
		}
	}
	if data, err := os.ReadFile("/etc/os-release"); err == nil && strings.Contains(string(data), "ID=debian") {
		if h.OS.ID != "debian" || h.OS.Family != "debian" || h.OS.Version == "" {
			t.Errorf("OS = %+v, want Debian", h.OS)
		}
	} else {
		t.Log("not a Debian host: OS ID not checked")
	}
	if h.CPU == nil || h.CPU.Threads < 1 {
		t.Errorf("CPU = %+v", h.CPU)
	}
	if h.BootTime == nil || h.BootTime.After(time.Now()) || h.UptimeSeconds <= 0 {
		t.Errorf("boot time %v uptime %d", h.BootTime, h.UptimeSeconds)
	}
	haveRoot, haveLo := false, false
	for _, m := range h.Mounts {
		if m.MountPoint == "/" && m.TotalBytes > 0 {
			haveRoot = true
		}
	}
	for _, i := range h.Interfaces {
		if i.Name == "lo" && i.Up {
			haveLo = true
		}
	}
	if !haveRoot {
		t.Errorf("no sized / mount in %+v", h.Mounts)
	}
	if !haveLo {
		t.Errorf("no loopback interface in %+v", h.Interfaces)
	}
	t.Logf("virtualization %q, %d disks, %d mounts, %d interfaces", h.Virtualization, len(h.Disks), len(h.Mounts), len(h.Interfaces))
}

func memTotal(t *testing.T) uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Logf("no /proc/meminfo: %v", err)
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			f := strings.Fields(rest)
			if n, err := strconv.ParseUint(f[0], 10, 64); err == nil {
				return n * 1024
			}
		}
	}
	return 0
}

// A Collector{} not made by New still works (and does not panic).
func TestZeroCollectorLive(t *testing.T) {
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Skip(err)
	}
	defer fsys.Close()
	env, _ := inventory.TestEnv(fsys, "host/info")
	inv, err := (&Collector{}).Collect(context.Background(), env)
	if err != nil || inv.Host == nil || inv.Host.Kernel == "" {
		t.Errorf("zero Collector: %+v, %v", inv, err)
	}
}
