// Package kmod collects kernel modules: the ones loaded in the running
// kernel, the ones configured to load at boot, and the ones modprobe.d
// keeps from loading (which compliance checks such as CIS's "cramfs and
// usb-storage disabled" read).
package kmod

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/limitio"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

const (
	maxConfigFile = 1 << 20
	maxProcFile   = 4 << 20
	maxSysAttr    = 4 << 10
	maxConfFiles  = 4096 // files read from one configuration directory
)

// Record sources.
const (
	SourceProc        = "proc"
	SourceModulesLoad = "modules-load.d"
	SourceModprobe    = "modprobe.d"
)

// Directories in systemd/kmod precedence order: a file in an earlier
// directory replaces one of the same name in a later one.
var (
	modulesLoadDirs = []string{"/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d", "/lib/modules-load.d"}
	modprobeDirs    = []string{"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d"}
)

// Collector gathers model.KernelModule records.
type Collector struct {
	// SysRoot is where the running host's sysfs is mounted ("/sys"); tests
	// point it at a fixture tree, as env.ProcRoot for /proc.
	SysRoot string
}

// New returns the kernel module collector.
func New() inventory.Collector { return &Collector{SysRoot: "/sys"} }

func (c *Collector) Name() string    { return "system/kmod" }
func (c *Collector) Phase() int      { return 0 }
func (c *Collector) NeedsLive() bool { return false }

// Collect lists loaded modules (live only) and the boot-load and disable
// configuration of any root. Configuration records are marked Loaded when
// the running kernel has the module, so "disabled but loaded" is visible.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	var mods []model.KernelModule
	loaded := map[string]bool{}
	if env.Live {
		for _, m := range c.loadedModules(env) {
			loaded[m.Name] = true
			mods = append(mods, m)
		}
	}
	for _, e := range configured(ctx, env, "/etc/modules", modulesLoadDirs, ParseModulesLoad) {
		mods = append(mods, model.KernelModule{Name: NormalizeName(e.Name), Source: SourceModulesLoad, File: e.file, Line: e.Line})
	}
	for _, e := range configured(ctx, env, "", modprobeDirs, ParseModprobeConf) {
		mods = append(mods, model.KernelModule{Name: NormalizeName(e.Name), Source: SourceModprobe, Disabled: e.Disabled, File: e.file, Line: e.Line})
	}
	for i := range mods {
		if mods[i].Source != SourceProc && loaded[mods[i].Name] {
			mods[i].Loaded = true
		}
	}
	sort.SliceStable(mods, func(i, j int) bool {
		a, b := mods[i], mods[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return &model.Inventory{KernelModules: mods}, ctx.Err()
}

// loadedModules reads ProcRoot/modules and each module's version and
// taint flags from SysRoot/module.
func (c *Collector) loadedModules(env *inventory.Env) []model.KernelModule {
	procRoot, sysRoot := env.ProcRoot, c.SysRoot
	if procRoot == "" {
		procRoot = "/proc"
	}
	if sysRoot == "" {
		sysRoot = "/sys"
	}
	p := filepath.Join(procRoot, "modules")
	f, err := os.Open(p)
	if err != nil {
		// A kernel built without module support has no /proc/modules.
		if !errors.Is(err, fs.ErrNotExist) {
			env.Warn(p, err)
		}
		return nil
	}
	defer f.Close()
	mods, err := ParseProcModules(limitio.NewReader(f, maxProcFile))
	if err != nil {
		env.Warn(p, err)
	}
	out := make([]model.KernelModule, 0, len(mods))
	for _, m := range mods {
		k := model.KernelModule{
			Name: m.Name, Size: m.Size, UsedBy: m.UsedBy, State: m.State, Taints: m.Taints,
			Loaded: true, Source: SourceProc,
		}
		if m.RefCount > 0 {
			k.RefCount = m.RefCount
		}
		// The name was validated: no separators, so the join stays in SysRoot/module.
		dir := filepath.Join(sysRoot, "module", m.Name)
		k.Version = readSysAttr(filepath.Join(dir, "version"))
		if t := readSysAttr(filepath.Join(dir, "taint")); t != "" {
			k.Taints = t
		}
		out = append(out, k)
	}
	return out
}

func readSysAttr(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSysAttr))
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(data))
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return ""
		}
	}
	return s
}

// located is a configuration entry with the file it came from.
type located struct {
	ConfigEntry
	file string
}

// configured reads extra (if set) and then every *.conf of dirs, a file
// name in an earlier directory masking the same name in later ones, and
// returns what parse found in each.
func configured(ctx context.Context, env *inventory.Env, extra string, dirs []string, parse func(io.Reader) ([]ConfigEntry, error)) []located {
	var files []string
	read := map[string]bool{} // resolved files, so a link to one already read is not read twice
	if extra != "" {
		files = append(files, extra)
	}
	seen := map[string]bool{}
	var names []string
	byName := map[string]string{}
	for _, dir := range dirs {
		entries, err := env.FS.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				env.Warn(dir, err)
			}
			continue
		}
		for i, e := range entries {
			if i >= maxConfFiles {
				env.Warnf(dir, "more than %d entries; the rest are not read", maxConfFiles)
				break
			}
			n := e.Name()
			if !strings.HasSuffix(n, ".conf") || seen[n] {
				continue
			}
			seen[n] = true
			names = append(names, n)
			byName[n] = path.Join(dir, n)
		}
	}
	// Files are applied in name order across directories.
	sort.Strings(names)
	for _, n := range names {
		files = append(files, byName[n])
	}

	var out []located
	for _, file := range files {
		if ctx.Err() != nil {
			return out
		}
		target, masked := resolveLink(env, file)
		if masked || read[target] {
			continue
		}
		read[target] = true
		entries := readConfig(env, file, parse)
		for _, e := range entries {
			out = append(out, located{ConfigEntry: e, file: file})
		}
	}
	return out
}

// resolveLink follows one level of symlink: a link to /dev/null masks the
// file (systemd and kmod convention); Debian links
// modules-load.d/modules.conf to ../modules, which is read once.
func resolveLink(env *inventory.Env, file string) (target string, masked bool) {
	link, err := env.FS.Readlink(file)
	if err != nil {
		return file, false
	}
	if link == "/dev/null" {
		return file, true
	}
	if !path.IsAbs(link) {
		link = path.Join(path.Dir(file), link)
	}
	return rootfs.Clean(link), false
}

func readConfig(env *inventory.Env, file string, parse func(io.Reader) ([]ConfigEntry, error)) []ConfigEntry {
	f, err := env.FS.OpenFile(file)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) { // a dangling link configures nothing
			env.Warn(file, err)
		}
		return nil
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil
	}
	entries, err := parse(limitio.NewReader(f, maxConfigFile))
	if err != nil {
		env.Warn(file, err)
	}
	return entries
}
