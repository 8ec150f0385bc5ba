// Package host collects the facts about the machine or image itself: OS
// release, identity, kernel, and on the running host the hardware, mounts,
// network interfaces, virtualization and cloud instance.
package host

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// Collector gathers model.Host. It reads files of the root always, and the
// running system's /proc, /sys, uname and network interfaces when env.Live.
type Collector struct {
	// SysRoot is where the running host's sysfs is mounted ("/sys"); tests
	// point it at a fixture tree, as env.ProcRoot for /proc.
	SysRoot string

	live  liveSources
	guard statfsGuard
	// statfs deadlines: per mount, and for the whole mount table.
	statfsTimeout, statfsBudget time.Duration
}

// liveSources are the facts that come from system calls rather than files,
// swappable so tests over fixture trees stay deterministic.
type liveSources struct {
	uname      func() (release, version, machine string, err error)
	hostname   func() (string, error)
	interfaces func() ([]model.Interface, error)
	statfs     statfsFunc
}

// New returns the host facts collector.
func New() inventory.Collector { return newCollector() }

func newCollector() *Collector {
	return &Collector{
		SysRoot:       "/sys",
		statfsTimeout: 2 * time.Second,
		statfsBudget:  10 * time.Second,
		live: liveSources{
			uname:      uname,
			hostname:   os.Hostname,
			interfaces: liveInterfaces,
			statfs:     statfsUsage,
		},
	}
}

// withDefaults fills what a zero Collector{} (not made by New) lacks. The
// runner never runs one collector concurrently with itself.
func (c *Collector) withDefaults() {
	d := newCollector()
	if c.live.uname == nil {
		c.live.uname = d.live.uname
	}
	if c.live.hostname == nil {
		c.live.hostname = d.live.hostname
	}
	if c.live.interfaces == nil {
		c.live.interfaces = d.live.interfaces
	}
	if c.live.statfs == nil {
		c.live.statfs = d.live.statfs
	}
	if c.statfsTimeout <= 0 {
		c.statfsTimeout = d.statfsTimeout
	}
	if c.statfsBudget <= 0 {
		c.statfsBudget = d.statfsBudget
	}
}

func (c *Collector) Name() string    { return "host/info" }
func (c *Collector) Phase() int      { return 0 }
func (c *Collector) NeedsLive() bool { return false }

// Collect never fails as a whole: every fact is optional.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	h := &model.Host{
		OS:        readOS(env),
		MachineID: readMachineID(env),
		Timezone:  readTimezone(env),
	}
	if env.Live {
		c.withDefaults()
		c.collectLive(ctx, env, h)
	} else {
		h.Hostname = readHostnameFile(env)
		h.Kernel = inferKernel(env)
		h.KernelInferred = h.Kernel != ""
		h.Mounts = readFstab(env)
	}
	h.Cloud = detectCloud(env, h.DMI)
	return &model.Inventory{Host: h}, ctx.Err()
}

func (c *Collector) collectLive(ctx context.Context, env *inventory.Env, h *model.Host) {
	if name, err := c.live.hostname(); err == nil && name != "" {
		h.Hostname = name
	} else {
		h.Hostname = readHostnameFile(env)
	}
	if rel, ver, mach, err := c.live.uname(); err == nil {
		h.Kernel, h.KernelBuild, h.Arch = rel, ver, mach
	} else {
		env.Warnf("uname", "%v", err)
		h.Kernel = inferKernel(env)
		h.KernelInferred = h.Kernel != ""
	}

	proc := procRoot(env)
	if data, err := readHost(filepath.Join(proc, "uptime"), maxSysAttr); err == nil {
		if up, err := ParseUptime(data); err == nil {
			h.UptimeSeconds = up
		} else {
			env.Warn(filepath.Join(proc, "uptime"), err)
		}
	} else {
		env.Warn(filepath.Join(proc, "uptime"), err)
	}
	if bt, err := readProc(env, "stat", ParseBootTime); err == nil {
		t := time.Unix(bt, 0).UTC()
		h.BootTime = &t
	}
	var cpu *CPUInfo
	if info, err := readProc(env, "cpuinfo", ParseCPUInfo); err == nil || info.Threads > 0 {
		cpu = &info
		h.CPU = &model.CPU{Model: info.Model, Vendor: info.Vendor, Sockets: info.Sockets, Cores: info.Cores, Threads: info.Threads, MHz: info.MHz}
	}
	if mem, err := readProc(env, "meminfo", ParseMeminfo); err == nil {
		h.MemoryBytes, h.SwapBytes = mem.MemTotal, mem.SwapTotal
	}
	h.Mounts = c.liveMounts(ctx, env)

	sys := c.sysRoot()
	disks, err := readDisks(sys)
	if err != nil {
		env.Warn(filepath.Join(sys, "block"), err)
	}
	h.Disks = disks
	h.DMI = readDMI(sys)
	h.Virtualization = detectVirtualization(env, sys, h.DMI, cpu)

	ifs, err := c.live.interfaces()
	if err != nil {
		env.Warnf("network interfaces", "%v", err)
	}
	h.Interfaces = ifs
}

// readProc streams ProcRoot/name through a parser, warning (with the file
// name) on any problem. The parser's partial result is returned with the error.
func readProc[T any](env *inventory.Env, name string, parse func(io.Reader) (T, error)) (T, error) {
	p := filepath.Join(procRoot(env), name)
	rc, err := openHost(p, maxProcFile)
	if err != nil {
		var zero T
		env.Warn(p, err)
		return zero, err
	}
	defer rc.Close()
	v, err := parse(rc)
	if err != nil {
		env.Warn(p, err)
	}
	return v, err
}

// liveMounts reads the mount table and adds size and free space of every
// filesystem that holds data.
func (c *Collector) liveMounts(ctx context.Context, env *inventory.Env) []model.Mount {
	p := filepath.Join(procRoot(env), "self", "mountinfo")
	rc, err := openHost(p, maxProcFile)
	if err != nil {
		env.Warn(p, err)
		return nil
	}
	infos, err := ParseMountinfo(rc)
	rc.Close()
	if err != nil {
		env.Warn(p, err)
	}
	deadline := time.Now().Add(c.statfsBudget)
	budgetSpent := false
	out := make([]model.Mount, 0, len(infos))
	for _, mi := range infos {
		m := mountFromInfo(mi)
		if !pseudoFS[m.FSType] && !budgetSpent && ctx.Err() == nil {
			if time.Now().After(deadline) {
				budgetSpent = true
				env.Warnf(m.MountPoint, "statfs time budget (%s) spent; sizes of this and later mounts left out", c.statfsBudget)
			} else {
				u, err := c.guard.statfs(ctx, c.live.statfs, m.MountPoint, c.statfsTimeout)
				if err == nil {
					m.TotalBytes, m.FreeBytes = u.Total, u.Free
				} else if !errors.Is(err, fs.ErrPermission) && !errors.Is(err, fs.ErrNotExist) {
					env.Warn(m.MountPoint, err)
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// readFstab gives an image's configured mounts, in file (mount) order.
func readFstab(env *inventory.Env) []model.Mount {
	const name = "/etc/fstab"
	data := readRootFile(env, name, maxProcFile)
	if data == nil {
		return nil
	}
	entries, err := ParseFstab(bytes.NewReader(data))
	if err != nil {
		env.Warn(name, err)
	}
	out := make([]model.Mount, 0, len(entries))
	for _, e := range entries {
		out = append(out, mountFromFstab(e))
	}
	return out
}

// procRoot and sysRoot default to the host's mounts when left unset.
func procRoot(env *inventory.Env) string {
	if env.ProcRoot == "" {
		return "/proc"
	}
	return env.ProcRoot
}

func (c *Collector) sysRoot() string {
	if c.SysRoot == "" {
		return "/sys"
	}
	return c.SysRoot
}

func uname() (release, version, machine string, err error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", "", "", err
	}
	return unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:]), unix.ByteSliceToString(u.Machine[:]), nil
}
