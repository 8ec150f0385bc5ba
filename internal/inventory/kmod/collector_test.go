package kmod

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

func collect(t *testing.T, env *inventory.Env, sysRoot string) []model.KernelModule {
	t.Helper()
	inv, err := (&Collector{SysRoot: sysRoot}).Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return inv.KernelModules
}

// summary renders records as "name source disabled file:line" for compact
// exact comparisons.
func summary(mods []model.KernelModule) []string {
	var out []string
	for _, m := range mods {
		s := m.Name + " " + m.Source
		if m.Disabled != "" {
			s += " [" + m.Disabled + "]"
		}
		if m.File != "" {
			s += " " + m.File + ":" + itoa(m.Line)
		}
		if m.Loaded && m.Source != SourceProc {
			s += " loaded"
		}
		out = append(out, s)
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestCollectFixtureRoots(t *testing.T) {
	tests := []struct {
		root string
		want []string
	}{
		{"debian", []string{
			"8021q modules-load.d /etc/modules:7",
			"bonding modules-load.d /etc/modules:8",
			"cramfs modprobe.d [install /bin/false] /etc/modprobe.d/cis-hardening.conf:2",
			"cramfs modprobe.d [blacklist] /etc/modprobe.d/cis-hardening.conf:3",
			"freevxfs modprobe.d [install /bin/false] /etc/modprobe.d/cis-hardening.conf:4",
			"freevxfs modprobe.d [blacklist] /etc/modprobe.d/cis-hardening.conf:5",
			"usb_storage modprobe.d [install /bin/false] /etc/modprobe.d/cis-hardening.conf:6",
			"usb_storage modprobe.d [blacklist] /etc/modprobe.d/cis-hardening.conf:7",
		}},
		{"rhel", []string{
			"br_netfilter modules-load.d /etc/modules-load.d/k8s.conf:2",
			"cramfs modprobe.d [install /bin/true] /etc/modprobe.d/CIS.conf:1",
			"overlay modules-load.d /etc/modules-load.d/k8s.conf:1",
			"udf modprobe.d [install /bin/true] /etc/modprobe.d/CIS.conf:2",
			"usb_storage modprobe.d [install /bin/true] /etc/modprobe.d/CIS.conf:3",
			"usb_storage modprobe.d [blacklist] /etc/modprobe.d/CIS.conf:4",
		}},
		{"alpine", []string{
			"af_packet modules-load.d /etc/modules:1",
			"de4x5 modprobe.d [blacklist] /etc/modprobe.d/blacklist.conf:8",
			"i8xx_tco modprobe.d [blacklist] /etc/modprobe.d/blacklist.conf:15",
			"ipv6 modules-load.d /etc/modules:2",
			"microcode modprobe.d [blacklist] /etc/modprobe.d/blacklist.conf:20",
			"snd_pcsp modprobe.d [blacklist] /etc/modprobe.d/blacklist.conf:18",
			"tiny_power_button modprobe.d [blacklist] /etc/modprobe.d/blacklist.conf:24",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.root, func(t *testing.T) {
			env, warnings := inventory.TestEnv(testutil.FixtureRoot(t, tc.root), "system/kmod")
			env.Live = false
			mods := collect(t, env, "/nonexistent")
			if len(*warnings) != 0 {
				t.Errorf("warnings: %+v", *warnings)
			}
			got := summary(mods)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			testutil.GoldenJSON(t, "kmod-"+tc.root, mods)
		})
	}
}

// TestCollectLiveFromFixtureTrees reads a /proc/modules and /sys/module
// fixture as if live, over the Debian root's configuration.
func TestCollectLiveFromFixtureTrees(t *testing.T) {
	env, warnings := inventory.TestEnv(testutil.FixtureRoot(t, "debian"), "system/kmod")
	env.Live = true
	env.ProcRoot = filepath.Join("testdata", "proc")
	mods := collect(t, env, filepath.Join("testdata", "sys"))
	if len(*warnings) != 0 {
		t.Errorf("warnings: %+v", *warnings)
	}
	proc := map[string]model.KernelModule{}
	for _, m := range mods {
		if m.Source == SourceProc {
			proc[m.Name] = m
		}
	}
	if len(proc) != 19 {
		t.Errorf("%d loaded modules, want 19", len(proc))
	}
	if m := proc["vboxdrv"]; m.Size != 503808 || m.RefCount != 2 || m.Taints != "OE" || strings.Join(m.UsedBy, ",") != "vboxnetflt,vboxnetadp" || !m.Loaded || m.State != "Live" {
		t.Errorf("vboxdrv = %+v", m)
	}
	if m := proc["8021q"]; m.Version != "1.8" || m.RefCount != 0 {
		t.Errorf("8021q = %+v", m)
	}
	if m := proc["vboxnetflt"]; m.Taints != "OE" {
		t.Errorf("vboxnetflt taints %q from /proc/modules, want OE", m.Taints)
	}
	// Disabled by modprobe.d yet loaded: both records say so.
	n := 0
	for _, m := range mods {
		if m.Name == "usb_storage" && m.Source == SourceModprobe {
			n++
			if !m.Loaded {
				t.Errorf("usb_storage %s record not marked loaded", m.Disabled)
			}
		}
		if m.Name == "cramfs" && m.Loaded {
			t.Errorf("cramfs marked loaded")
		}
	}
	if n != 2 {
		t.Errorf("%d modprobe.d records for usb_storage, want 2", n)
	}
	testutil.GoldenJSON(t, "kmod-live-fixture", mods)
}

func TestConfigPrecedenceAndMasking(t *testing.T) {
	fsys := testutil.TempRoot(t, map[string]string{
		// /etc masks the vendor file of the same name with a /dev/null link
		"usr/lib/modules-load.d/vendor.conf": "nbd\n",
		"etc/modules-load.d/vendor.conf":     "->/dev/null",
		// /run overrides /usr/lib; a non-.conf file is ignored
		"usr/lib/modules-load.d/tun.conf": "tun\n",
		"run/modules-load.d/tun.conf":     "tap\n",
		"etc/modules-load.d/README":       "not-a-module\n",
		// a dangling link configures nothing and is no error
		"etc/modules-load.d/gone.conf": "->/nowhere/gone.conf",
		// /etc/modprobe.d wins over /lib/modprobe.d
		"lib/modprobe.d/fs.conf":      "install cramfs /bin/false\n",
		"etc/modprobe.d/fs.conf":      "# cramfs allowed here\nblacklist squashfs\n",
		"usr/lib/modprobe.d/dev.conf": "install firewire-core /bin/true\ninstall nfs /sbin/modprobe --ignore-install nfs $CMDLINE_OPTS\n",
		// a link to a directory named .conf
		"etc/modprobe.d/dir.conf/x": "blacklist x\n",
	})
	env, warnings := inventory.TestEnv(fsys, "system/kmod")
	env.Live = false
	got := summary(collect(t, env, "/nonexistent"))
	want := []string{
		"firewire_core modprobe.d [install /bin/true] /usr/lib/modprobe.d/dev.conf:1",
		"squashfs modprobe.d [blacklist] /etc/modprobe.d/fs.conf:2",
		"tap modules-load.d /run/modules-load.d/tun.conf:1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(*warnings) != 0 {
		t.Errorf("warnings: %+v", *warnings)
	}
}

func TestBadConfigWarnsAndGoesOn(t *testing.T) {
	big := strings.Repeat("# padding\n", maxConfigFile/10+1)
	fsys := testutil.TempRoot(t, map[string]string{
		"etc/modules-load.d/a.conf": "good_one\nbad/../name\n",
		"etc/modules-load.d/b.conf": big,
		"etc/modules-load.d/c.conf": "after_the_big_one\n",
	})
	env, warnings := inventory.TestEnv(fsys, "system/kmod")
	env.Live = false
	got := summary(collect(t, env, "/nonexistent"))
	want := "after_the_big_one modules-load.d /etc/modules-load.d/c.conf:1\ngood_one modules-load.d /etc/modules-load.d/a.conf:1"
	if strings.Join(got, "\n") != want {
		t.Errorf("got:\n%s", strings.Join(got, "\n"))
	}
	paths := map[string]bool{}
	for _, w := range *warnings {
		paths[w.Path] = true
	}
	if len(*warnings) != 2 || !paths["/etc/modules-load.d/a.conf"] || !paths["/etc/modules-load.d/b.conf"] {
		t.Errorf("warnings = %+v, want one for a.conf and one for b.conf", *warnings)
	}
}

// TestLiveHost reads this machine's modules (some kernels, like
// Firecracker's, are built without module support).
func TestLiveHost(t *testing.T) {
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Skip(err)
	}
	defer fsys.Close()
	env, warnings := inventory.TestEnv(fsys, "system/kmod")
	if !env.Live {
		t.Skip("/ is not the live root")
	}
	mods := collect(t, env, "/sys")
	for _, w := range *warnings {
		t.Errorf("warning: %+v", w)
	}
	data, err := os.ReadFile("/proc/modules")
	if err != nil {
		for _, m := range mods {
			if m.Source == SourceProc {
				t.Errorf("loaded module %s without /proc/modules", m.Name)
			}
		}
		t.Skip("no /proc/modules on this kernel; loaded modules not checked")
	}
	want := strings.Count(string(data), "\n")
	got := 0
	for _, m := range mods {
		if m.Source == SourceProc {
			got++
		}
	}
	if got != want {
		t.Errorf("%d loaded modules, /proc/modules has %d lines", got, want)
	}
}
