package host

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

// fixtureLiveCollector reads the fixture proc/sys trees (copied from a
// Debian 12 VM) with the system-call sources replaced by fixed answers.
func fixtureLiveCollector(statfs statfsFunc) *Collector {
	c := newCollector()
	c.SysRoot = filepath.Join("testdata", "sys")
	c.live = liveSources{
		uname: func() (string, string, string, error) {
			return "6.1.0-28-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)", "x86_64", nil
		},
		hostname: func() (string, error) { return "vm", nil },
		interfaces: func() ([]model.Interface, error) {
			return []model.Interface{{Name: "lo", MTU: 65536, Up: true, Addresses: []string{"127.0.0.1/8"}}}, nil
		},
		statfs: statfs,
	}
	return c
}

func fixtureLiveEnv(t *testing.T) (*inventory.Env, *[]model.Warning) {
	env, warnings := inventory.TestEnv(testutil.FixtureRoot(t, "debian"), "host/info")
	env.Live = true
	env.ProcRoot = filepath.Join("testdata", "proc")
	return env, warnings
}

// recordingStatfs answers every statfs with fixed sizes and records the
// mount points asked about.
type recordingStatfs struct {
	mu    sync.Mutex
	paths []string
}

func (r *recordingStatfs) statfs(p string) (fsUsage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, p)
	return fsUsage{Total: 10 << 30, Free: 4 << 30}, nil
}

func TestCollectLiveFromFixtureTrees(t *testing.T) {
	env, warnings := fixtureLiveEnv(t)
	rec := &recordingStatfs{}
	inv, err := fixtureLiveCollector(rec.statfs).Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(*warnings) != 0 {
		t.Errorf("warnings: %+v", *warnings)
	}
	h := inv.Host
	if h.Hostname != "vm" || h.Kernel != "6.1.0-28-amd64" || h.KernelInferred || h.Arch != "x86_64" {
		t.Errorf("identity = %q %q inferred=%v %q", h.Hostname, h.Kernel, h.KernelInferred, h.Arch)
	}
	wantCPU := model.CPU{Model: "AMD EPYC", Vendor: "AuthenticAMD", Sockets: 1, Cores: 2, Threads: 2, MHz: 2596.142}
	if h.CPU == nil || *h.CPU != wantCPU {
		t.Errorf("CPU = %+v, want %+v", h.CPU, wantCPU)
	}
	if h.MemoryBytes != 24684084*1024 || h.SwapBytes != 0 {
		t.Errorf("memory %d swap %d", h.MemoryBytes, h.SwapBytes)
	}
	if h.UptimeSeconds != 1978 {
		t.Errorf("uptime %d, want 1978", h.UptimeSeconds)
	}
	if h.BootTime == nil || h.BootTime.Unix() != 1795435313 {
		t.Errorf("boot time %v, want unix 1795435313", h.BootTime)
	}
	if len(h.Disks) != 1 || h.Disks[0] != (model.Disk{Name: "vda", SizeBytes: 536870912 * 512, Rotational: true}) {
		t.Errorf("disks = %+v; want only vda (loop0 and the empty zram0 skipped)", h.Disks)
	}
	if h.DMI == nil || h.DMI.SystemVendor != "QEMU" || h.DMI.BIOSVersion != "1.16.2-debian-1.16.2-1" || h.DMI.ProductSerial != "" {
		t.Errorf("DMI = %+v", h.DMI)
	}
	if h.Virtualization != "qemu" {
		t.Errorf("Virtualization = %q, want qemu", h.Virtualization)
	}
	if h.Cloud != nil {
		t.Errorf("Cloud = %+v on a plain QEMU guest", h.Cloud)
	}
	// statfs only for filesystems holding data: ext4 / and the tmpfs mounts, in table order.
	if got := strings.Join(rec.paths, " "); got != "/dev/shm / /dev/shm /sys/fs/cgroup" {
		t.Errorf("statfs asked for %q", got)
	}
	for _, m := range h.Mounts {
		if m.Source != "mountinfo" {
			t.Errorf("mount %s source %q", m.MountPoint, m.Source)
		}
		if pseudoFS[m.FSType] && m.TotalBytes != 0 {
			t.Errorf("pseudo filesystem %s %s has a size", m.FSType, m.MountPoint)
		}
	}
	testutil.GoldenJSON(t, "host-live-fixture", h)
}

func TestStatfsNeverBlocksTheScan(t *testing.T) {
	release := make(chan struct{})
	var calls sync.Map
	hang := func(p string) (fsUsage, error) {
		n, _ := calls.LoadOrStore(p, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		if p == "/" {
			<-release // a dead NFS server: statfs does not return
		}
		return fsUsage{Total: 1, Free: 1}, nil
	}
	c := fixtureLiveCollector(hang)
	c.statfsTimeout = 50 * time.Millisecond

	for round := 1; round <= 2; round++ {
		env, warnings := fixtureLiveEnv(t)
		start := time.Now()
		inv, err := c.Collect(context.Background(), env)
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("round %d took %s", round, d)
		}
		var msg string
		for _, w := range *warnings {
			if w.Path == "/" {
				msg = w.Message
			}
		}
		want := errStatfsTimeout.Error()
		if round == 2 {
			want = errStatfsStuck.Error()
		}
		if msg != want {
			t.Errorf("round %d: warning for / = %q, want %q", round, msg, want)
		}
		for _, m := range inv.Host.Mounts {
			if m.MountPoint == "/" && m.TotalBytes != 0 {
				t.Errorf("round %d: hung mount got a size", round)
			}
		}
	}
	n, _ := calls.Load("/")
	if got := n.(*atomic.Int32).Load(); got != 1 {
		t.Errorf("statfs of the hung mount started %d times, want 1", got)
	}
	close(release)
	// Once the call returns, the mount is tried again.
	deadline := time.Now().Add(2 * time.Second)
	for {
		c.guard.mu.Lock()
		stuck := c.guard.stuck["/"]
		c.guard.mu.Unlock()
		if !stuck {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("hung statfs returned but the mount stays marked stuck")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStatfsBudget(t *testing.T) {
	slow := func(p string) (fsUsage, error) {
		time.Sleep(30 * time.Millisecond)
		return fsUsage{Total: 1}, nil
	}
	c := fixtureLiveCollector(slow)
	c.statfsBudget = 10 * time.Millisecond
	env, warnings := fixtureLiveEnv(t)
	inv, _ := c.Collect(context.Background(), env)
	sized := 0
	for _, m := range inv.Host.Mounts {
		if m.TotalBytes != 0 {
			sized++
		}
	}
	if sized != 1 {
		t.Errorf("%d mounts sized after the budget ran out, want 1", sized)
	}
	found := false
	for _, w := range *warnings {
		found = found || strings.Contains(w.Message, "budget")
	}
	if !found {
		t.Errorf("no budget warning in %+v", *warnings)
	}
}

func TestLiveFallsBackWhenUnameFails(t *testing.T) {
	env, warnings := fixtureLiveEnv(t)
	c := fixtureLiveCollector((&recordingStatfs{}).statfs)
	c.live.uname = func() (string, string, string, error) {
		return "", "", "", errors.New("uname: operation not permitted")
	}
	c.live.hostname = func() (string, error) { return "", errors.New("no hostname") }
	inv, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Host.Kernel != "6.1.0-28-amd64" || !inv.Host.KernelInferred || inv.Host.Hostname != "deb12-web01" {
		t.Errorf("fallback kernel %q inferred=%v hostname %q", inv.Host.Kernel, inv.Host.KernelInferred, inv.Host.Hostname)
	}
	if len(*warnings) != 1 || (*warnings)[0].Path != "uname" {
		t.Errorf("warnings = %+v, want one for uname", *warnings)
	}
}
