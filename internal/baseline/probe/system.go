package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/osv-scalibr/semantic"

	"github.com/ward-sec/ward/internal/baseline/config"
	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/inventory/host"
	"github.com/ward-sec/ward/internal/model"
)

// CommandTimeout bounds each allow-listed command.
const CommandTimeout = 5 * time.Second

// maxOutput caps what a command may print.
const maxOutput = 256 << 10

type capped struct {
	buf bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	if room := maxOutput - c.buf.Len(); room > 0 {
		if len(p) > room {
			c.buf.Write(p[:room])
		} else {
			c.buf.Write(p)
		}
	}
	return len(p), nil
}

// ExecRunner runs argv (no shell) with a timeout, a C locale and no stdin.
func ExecRunner(ctx context.Context, argv []string) ([]byte, int, error) {
	if err := policy.CommandAllowed(argv); err != nil {
		return nil, -1, err
	}
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = []string{"LANG=C", "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0"}
	var out capped
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.buf.Bytes(), ee.ExitCode(), nil
	}
	if err != nil {
		return out.buf.Bytes(), -1, err
	}
	return out.buf.Bytes(), 0, nil
}

type cmdResult struct {
	out  []byte
	exit int
	err  error
}

func (t *Target) runCached(argv []string) cmdResult {
	key := strings.Join(argv, "\x00")
	if t.cmdOut == nil {
		t.cmdOut = map[string]cmdResult{}
	}
	if r, ok := t.cmdOut[key]; ok {
		return r
	}
	ctx := t.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	out, exit, err := t.Run(ctx, argv)
	r := cmdResult{out, exit, err}
	t.cmdOut[key] = r
	return r
}

func (t *Target) command(p *policy.CommandProbe) Result {
	if !t.Live {
		return na("command probes need the live host")
	}
	if err := policy.CommandAllowed(p.Argv); err != nil {
		return errorf("%v", err)
	}
	if _, err := os.Stat(p.Argv[0]); err != nil {
		return errorf("cannot run %s: %v", p.Argv[0], shortErr(err))
	}
	r := t.runCached(p.Argv)
	if r.err != nil {
		return errorf("%s: %v", strings.Join(p.Argv, " "), r.err)
	}
	ev := fmt.Sprintf("%s (exit %d)", strings.Join(p.Argv, " "), r.exit)
	if p.Exit != nil && r.exit != *p.Exit {
		return fail(fmt.Sprintf("exit status %d, want %d", r.exit, *p.Exit), ev, compact(firstLine(r.out)))
	}
	if p.Match != "" {
		re, err := cachedRE(p.Match)
		if err != nil {
			return errorf("%v", err)
		}
		if l, ok := matchLine(re.MatchString, r.out); ok {
			return pass(ev, compact(l))
		}
		return fail("output does not match "+p.Match, ev, compact(firstLine(r.out)))
	}
	if p.NoMatch != "" {
		re, err := cachedRE(p.NoMatch)
		if err != nil {
			return errorf("%v", err)
		}
		if l, ok := matchLine(re.MatchString, r.out); ok {
			return fail("output matches "+p.NoMatch, ev, compact(l))
		}
	}
	return pass(ev)
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

func matchLine(match func(string) bool, out []byte) (string, bool) {
	for _, l := range strings.Split(string(out), "\n") {
		if match(l) {
			return strings.TrimSpace(l), true
		}
	}
	return "", false
}

// --- sshd

type sshdState struct {
	absent bool // no sshd_config and no sshd package
	values map[string][]string
	where  map[string]string
	source string
	err    error
}

func (t *Target) sshdConfig() *sshdState {
	if t.sshd != nil {
		return t.sshd
	}
	s := &sshdState{}
	t.sshd = s
	const bin = "/usr/sbin/sshd"
	if t.Live {
		if _, err := os.Stat(bin); err == nil {
			r := t.runCached([]string{bin, "-T"})
			if r.err == nil && r.exit == 0 && len(r.out) > 0 {
				s.values, s.source = config.ParseSSHDT(r.out), "sshd -T"
				return s
			}
		}
	}
	data, exists, err := t.read("/etc/ssh/sshd_config")
	if err != nil {
		s.err = fmt.Errorf("cannot read /etc/ssh/sshd_config: %v", err)
		return s
	}
	if !exists {
		s.err = errors.New("/etc/ssh/sshd_config does not exist")
		// Not installed at all (per the package database): nothing to
		// check. Installed, or unknown: an error, never a pass.
		if _, installed, err := t.Installed([]string{"openssh-server", "openssh"}); err == nil && !installed {
			s.absent = true
		}
		return s
	}
	load := func(pat string) ([]config.SSHDFile, error) {
		var out []config.SSHDFile
		for _, f := range t.glob(pat) {
			d, ok, err := t.read(f)
			if err != nil {
				return out, fmt.Errorf("cannot read %s: %v", f, err)
			}
			if ok {
				out = append(out, config.SSHDFile{Name: f, Data: d})
			}
		}
		return out, nil
	}
	c, err := config.ParseSSHD("/etc/ssh/sshd_config", data, load)
	if err != nil {
		s.err = err
		return s
	}
	s.values, s.where, s.source = c.Values, c.Where, "sshd_config"
	return s
}

func (t *Target) sshdProbe(p *policy.SSHDProbe) Result {
	s := t.sshdConfig()
	if s.absent {
		return na("sshd is not installed")
	}
	if s.err != nil {
		return errorf("%v", s.err)
	}
	var found, ev string
	if v, ok := s.values[p.Key]; ok {
		found = strings.Join(v, " ")
		ev = fmt.Sprintf("%s %s (%s", p.Key, found, s.source)
		if w := s.where[p.Key]; w != "" {
			ev += " " + w
		}
		ev += ")"
	} else if d, ok := config.SSHDDefaults[p.Key]; ok {
		found, ev = d, fmt.Sprintf("%s %s (OpenSSH default)", p.Key, d)
	} else {
		return fail(fmt.Sprintf("%s is not set (%s)", p.Key, s.source))
	}
	ok, err := compare(found, p.Op, p.Value)
	if err != nil {
		return fail(fmt.Sprintf("%s: %v", p.Key, err), compact(ev))
	}
	if !ok {
		return fail(cmpReason(p.Key, found, p.Op, p.Value), compact(ev))
	}
	return pass(compact(ev))
}

// --- PAM

func (t *Target) pamStack(file, typ string, depth int, seen map[string]bool) ([]config.PAMLine, error) {
	p := path.Join("/etc/pam.d", file)
	if depth > 8 || seen[p] {
		return nil, nil
	}
	seen[p] = true
	data, exists, err := t.read(p)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", p, err)
	}
	if !exists {
		return nil, nil
	}
	var out []config.PAMLine
	for _, l := range config.ParsePAM(data) {
		if l.Include != "" {
			if l.Type != "" && l.Type != typ {
				continue
			}
			inc, err := t.pamStack(l.Include, typ, depth+1, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, inc...)
			continue
		}
		if l.Type == typ {
			l.Include = p // remember the file for evidence
			out = append(out, l)
		}
	}
	return out, nil
}

func (t *Target) pam(p *policy.PAMProbe) Result {
	if _, exists, err := t.read(path.Join("/etc/pam.d", p.File)); err != nil {
		return errorf("cannot read /etc/pam.d/%s: %v", p.File, err)
	} else if !exists {
		return fail(fmt.Sprintf("/etc/pam.d/%s does not exist", p.File))
	}
	stack, err := t.pamStack(p.File, p.Type, 0, map[string]bool{})
	if err != nil {
		return errorf("%v", err)
	}
	want := p.Present == nil || *p.Present
	var lines []config.PAMLine
	for _, l := range stack {
		if l.Module != p.Module {
			continue
		}
		if p.Control != "" {
			if re, err := cachedRE(p.Control); err != nil || !re.MatchString(l.Control) {
				continue
			}
		}
		lines = append(lines, l)
	}
	evOf := func(l config.PAMLine) string {
		return compact(fmt.Sprintf("%s:%d: %s %s %s %s", l.Include, l.Line, l.Type, l.Control, l.Module, strings.Join(l.Args, " ")))
	}
	where := fmt.Sprintf("%s stack of /etc/pam.d/%s", p.Type, p.File)
	if p.Arg == "" {
		switch {
		case len(lines) > 0 && want:
			return pass(evOf(lines[0]))
		case len(lines) > 0:
			return fail(fmt.Sprintf("%s is in the %s", p.Module, where), evOf(lines[0]))
		case want:
			return fail(fmt.Sprintf("%s is not in the %s", p.Module, where))
		}
		return pass(fmt.Sprintf("%s is not in the %s", p.Module, where))
	}
	for _, l := range lines {
		v, has := config.PAMArg(l.Args, p.Arg)
		if !has {
			continue
		}
		if !want {
			return fail(fmt.Sprintf("%s has %s", p.Module, p.Arg), evOf(l))
		}
		if p.Op == "" && p.Value == "" {
			return pass(evOf(l))
		}
		ok, err := compare(v, p.Op, p.Value)
		if err != nil {
			return fail(fmt.Sprintf("%s: %v", p.Arg, err), evOf(l))
		}
		if !ok {
			return fail(cmpReason(p.Module+" "+p.Arg, v, p.Op, p.Value), evOf(l))
		}
		return pass(evOf(l))
	}
	if !want {
		return pass(fmt.Sprintf("no %s %s in the %s", p.Module, p.Arg, where))
	}
	if len(lines) == 0 {
		return fail(fmt.Sprintf("%s is not in the %s", p.Module, where))
	}
	return fail(fmt.Sprintf("%s has no %s argument", p.Module, p.Arg), evOf(lines[0]))
}

// --- sysctl

type sysctlVal struct {
	value, where string
}

// sysctlDirs in systemd-sysctl's order: a file name in an earlier
// directory masks the same name in later ones.
var sysctlDirs = []string{"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"}

func (t *Target) persistedSysctl() (map[string]sysctlVal, error) {
	if t.sysctl != nil || t.sysErr != nil {
		return t.sysctl, t.sysErr
	}
	byName := map[string]string{}
	for _, d := range sysctlDirs {
		for _, f := range t.glob(d + "/*.conf") {
			if _, ok := byName[path.Base(f)]; !ok {
				byName[path.Base(f)] = f
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	files := make([]string, 0, len(names)+1)
	for _, n := range names {
		files = append(files, byName[n])
	}
	files = append(files, "/etc/sysctl.conf") // procps reads it last
	m := map[string]sysctlVal{}
	for _, f := range files {
		data, exists, err := t.read(f)
		if err != nil {
			t.sysErr = fmt.Errorf("cannot read %s: %v", f, err)
			return nil, t.sysErr
		}
		if !exists {
			continue
		}
		for _, a := range config.ParseSysctl(data) {
			m[a.Key] = sysctlVal{a.Value, fmt.Sprintf("%s:%d", f, a.Line)}
		}
	}
	t.sysctl = m
	return m, nil
}

func (t *Target) sysctlProbe(p *policy.SysctlProbe) Result {
	scope := p.Scope
	if scope == "" {
		scope = "both"
		if !t.Live {
			scope = "persisted"
		}
	}
	if scope == "runtime" && !t.Live {
		return na("runtime kernel parameters need the live host")
	}
	var ev []string
	if t.Live && (scope == "runtime" || scope == "both") {
		data, err := t.readProc(path.Join("sys", strings.ReplaceAll(p.Key, ".", "/")))
		if errors.Is(err, os.ErrNotExist) {
			return na(fmt.Sprintf("the kernel has no parameter %s", p.Key))
		}
		if err != nil {
			return errorf("cannot read /proc/sys for %s: %v", p.Key, err)
		}
		v := config.NormSysctl(string(data))
		e := fmt.Sprintf("runtime %s = %s", p.Key, v)
		ok, err := compare(v, p.Op, p.Value)
		if err != nil || !ok {
			return fail(cmpReason("runtime "+p.Key, v, p.Op, p.Value), e)
		}
		ev = append(ev, e)
	}
	if scope == "persisted" || scope == "both" {
		m, err := t.persistedSysctl()
		if err != nil {
			return errorf("%v", err)
		}
		v, ok := m[p.Key]
		if !ok {
			return fail(fmt.Sprintf("%s is not set in /etc/sysctl.conf or sysctl.d", p.Key), ev...)
		}
		e := fmt.Sprintf("%s: %s = %s", v.where, p.Key, v.value)
		good, err := compare(v.value, p.Op, p.Value)
		if err != nil || !good {
			return fail(cmpReason("persisted "+p.Key, v.value, p.Op, p.Value), append(ev, e)...)
		}
		ev = append(ev, e)
	}
	return pass(ev...)
}

// --- kernel command line

func (t *Target) cmdline(p *policy.CmdlineProbe) Result {
	var params []string
	var src string
	if t.Live {
		data, err := t.readProc("cmdline")
		if err != nil {
			return errorf("cannot read /proc/cmdline: %v", err)
		}
		params, src = config.ParseCmdline(string(data)), "/proc/cmdline"
	} else {
		files := append([]string{"/etc/default/grub"}, t.glob("/etc/default/grub.d/*.cfg")...)
		seen := false
		vals := map[string]string{}
		for _, f := range files {
			data, exists, err := t.read(f)
			if err != nil {
				return errorf("cannot read %s: %v", f, err)
			}
			if !exists {
				continue
			}
			seen = true
			for _, a := range config.ParseKeyValue(data, "equals", "") {
				if a.Key == "GRUB_CMDLINE_LINUX" || a.Key == "GRUB_CMDLINE_LINUX_DEFAULT" {
					vals[a.Key] = strings.ReplaceAll(a.Value, "$GRUB_CMDLINE_LINUX", vals["GRUB_CMDLINE_LINUX"])
				}
			}
		}
		// RHEL 8+ boot loader spec entries carry the options themselves.
		var bls []string
		for _, f := range t.glob("/boot/loader/entries/*.conf") {
			data, exists, err := t.read(f)
			if err != nil {
				return errorf("cannot read %s: %v", f, err)
			}
			if !exists {
				continue
			}
			for _, l := range strings.Split(string(data), "\n") {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "options "); ok {
					bls = append(bls, rest)
				}
			}
		}
		if !seen && len(bls) == 0 {
			return errorf("no /etc/default/grub or boot loader entries: cannot tell the kernel command line of this image")
		}
		params = config.ParseCmdline(vals["GRUB_CMDLINE_LINUX"] + " " + vals["GRUB_CMDLINE_LINUX_DEFAULT"] + " " + strings.Join(bls, " "))
		src = "/etc/default/grub"
		if len(bls) > 0 {
			src += " + /boot/loader/entries"
		}
	}
	want := p.Present == nil || *p.Present
	var found string
	has := false
	for _, x := range params {
		k, v, _ := strings.Cut(x, "=")
		if k == p.Param {
			found, has = v, true // the last occurrence wins
		}
	}
	ev := fmt.Sprintf("%s: %s", src, compact(strings.Join(params, " ")))
	switch {
	case !has && want:
		return fail(fmt.Sprintf("%s is not on the kernel command line", p.Param), ev)
	case !has:
		return pass(ev)
	case !want:
		return fail(fmt.Sprintf("%s is on the kernel command line", p.Param), ev)
	}
	if p.Op == "" && p.Value == "" {
		return pass(ev)
	}
	ok, err := compare(found, p.Op, p.Value)
	if err != nil || !ok {
		return fail(cmpReason(p.Param, found, p.Op, p.Value), ev)
	}
	return pass(ev)
}

// --- mounts

type mountState struct {
	entries []config.MountEntry
	src     string
	err     error
}

func (t *Target) mountTable() *mountState {
	if t.mounts != nil {
		return t.mounts
	}
	s := &mountState{}
	t.mounts = s
	if t.Live {
		data, err := t.readProc("self/mounts")
		if err != nil {
			s.err = fmt.Errorf("cannot read /proc/self/mounts: %v", err)
			return s
		}
		s.entries, s.src = config.ParseMounts(data), "/proc/self/mounts"
		return s
	}
	data, exists, err := t.read("/etc/fstab")
	if err != nil {
		s.err = fmt.Errorf("cannot read /etc/fstab: %v", err)
		return s
	}
	if !exists {
		s.err = errors.New("no /etc/fstab: cannot tell the mounts of this image")
		return s
	}
	s.entries, s.src = config.ParseMounts(data), "/etc/fstab"
	return s
}

func (t *Target) mount(p *policy.MountProbe) Result {
	s := t.mountTable()
	if s.err != nil {
		return errorf("%v", s.err)
	}
	var e *config.MountEntry
	for i := range s.entries {
		if s.entries[i].Point == p.Point {
			e = &s.entries[i] // the last mount on a point is the visible one
		}
	}
	if e == nil {
		if p.Separate {
			return fail(fmt.Sprintf("%s is not a separate mount (%s)", p.Point, s.src))
		}
		return na(fmt.Sprintf("%s is not a separate mount", p.Point))
	}
	ev := fmt.Sprintf("%s: %s %s %s %s", s.src, e.Device, e.Point, e.Type, strings.Join(e.Options, ","))
	var missing []string
	for _, o := range p.Options {
		found := false
		for _, have := range e.Options {
			if have == o {
				found = true
			}
		}
		if !found {
			missing = append(missing, o)
		}
	}
	if len(missing) > 0 {
		return fail(fmt.Sprintf("%s is mounted without %s", p.Point, strings.Join(missing, ",")), ev)
	}
	return pass(ev)
}

// --- modprobe

type modprobeState struct {
	directives map[string][]string // module -> "file:line: directive"
	install    map[string]string
	blacklist  map[string]bool
	loaded     map[string]bool
	// noModules: a live kernel without /proc/modules loads no modules.
	noModules bool
	err       error
}

var modprobeDirs = []string{"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d"}

func (t *Target) modprobeTable() *modprobeState {
	if t.modprobe != nil {
		return t.modprobe
	}
	s := &modprobeState{directives: map[string][]string{}, install: map[string]string{}, blacklist: map[string]bool{}}
	t.modprobe = s
	seen := map[string]bool{}
	for _, d := range modprobeDirs {
		for _, f := range t.glob(d + "/*.conf") {
			if seen[path.Base(f)] {
				continue
			}
			seen[path.Base(f)] = true
			data, exists, err := t.read(f)
			if err != nil {
				s.err = fmt.Errorf("cannot read %s: %v", f, err)
				return s
			}
			if !exists {
				continue
			}
			for _, dir := range config.ParseModprobe(data) {
				switch dir.Command {
				case "install":
					if _, set := s.install[dir.Module]; !set {
						s.install[dir.Module] = strings.Join(dir.Args, " ")
					}
				case "blacklist":
					s.blacklist[dir.Module] = true
				default:
					continue
				}
				s.directives[dir.Module] = append(s.directives[dir.Module], fmt.Sprintf("%s:%d: %s %s %s", f, dir.Line, dir.Command, dir.Module, strings.Join(dir.Args, " ")))
			}
		}
	}
	if t.Live {
		data, err := t.readProc("modules")
		if errors.Is(err, os.ErrNotExist) {
			s.noModules = true
			return s
		}
		if err != nil {
			s.err = fmt.Errorf("cannot read /proc/modules: %v", err)
			return s
		}
		s.loaded = map[string]bool{}
		for _, l := range strings.Split(string(data), "\n") {
			if f := strings.Fields(l); len(f) > 0 {
				s.loaded[f[0]] = true
			}
		}
	}
	return s
}

func (t *Target) modprobeProbe(p *policy.ModprobeProbe) Result {
	s := t.modprobeTable()
	if s.err != nil {
		return errorf("%v", s.err)
	}
	m := strings.ReplaceAll(p.Module, "-", "_")
	if s.noModules {
		return na("the running kernel has no loadable module support (/proc/modules absent)")
	}
	ev := s.directives[m]
	if s.loaded[m] {
		return fail(m+" is loaded", ev...)
	}
	inst, hasInst := s.install[m]
	f := strings.Fields(inst)
	disabled := hasInst && len(f) > 0 && (f[0] == "/bin/false" || f[0] == "/bin/true" || f[0] == "/usr/bin/false" || f[0] == "/usr/bin/true")
	switch {
	case disabled:
		return pass(ev...)
	case s.blacklist[m]:
		return fail(m+" is only blacklisted: an explicit modprobe still loads it (add install "+m+" /bin/false)", ev...)
	}
	return fail(m + " can be loaded: no install /bin/false or blacklist line in modprobe.d")
}

// --- inventory probes

// osPackages indexes the inventory's installed OS packages by name (once).
func (t *Target) osPackages() (map[string]*model.Package, error) {
	if t.pkgIndex != nil || t.pkgErr != nil {
		return t.pkgIndex, t.pkgErr
	}
	if t.Inv == nil {
		t.pkgErr = errors.New("no inventory: packages not collected")
		return nil, t.pkgErr
	}
	idx := map[string]*model.Package{}
	for i := range t.Inv.Packages {
		p := &t.Inv.Packages[i]
		if p.Type.IsOS() && (p.State == "" || p.State == "installed") {
			idx[p.Name] = p
		}
	}
	if len(idx) == 0 {
		t.pkgErr = errors.New("no OS package database was read (dpkg/rpm/apk)")
		return nil, t.pkgErr
	}
	t.pkgIndex = idx
	return idx, nil
}

// Installed reports whether any of names is installed, for gates.
func (t *Target) Installed(names []string) (string, bool, error) {
	pkgs, err := t.osPackages()
	if err != nil {
		return "", false, err
	}
	for _, n := range names {
		if p, ok := pkgs[n]; ok {
			return p.Name + " " + p.Version, true, nil
		}
	}
	return "", false, nil
}

func (t *Target) pkg(p *policy.PackageProbe) Result {
	pkgs, err := t.osPackages()
	if err != nil {
		return errorf("%v", err)
	}
	want := p.Installed == nil || *p.Installed
	var found []*model.Package
	for _, n := range p.Name {
		if x, ok := pkgs[n]; ok {
			found = append(found, x)
		}
	}
	if !want {
		if len(found) > 0 {
			var ev []string
			for _, f := range found {
				ev = append(ev, f.Name+" "+f.Version)
			}
			return fail(found[0].Name+" is installed", ev...)
		}
		return pass(strings.Join(p.Name, ", ") + " not installed")
	}
	if len(found) == 0 {
		return fail(strings.Join(p.Name, " or ") + " is not installed")
	}
	ev := found[0].Name + " " + found[0].Version
	if p.Version != nil {
		c, err := comparePackageVersion(found[0], p.Version.Value)
		if err != nil {
			return errorf("%v", err)
		}
		ok := false
		switch p.Version.Op {
		case "", "eq":
			ok = c == 0
		case "ne":
			ok = c != 0
		case "lt":
			ok = c < 0
		case "le":
			ok = c <= 0
		case "gt":
			ok = c > 0
		case "ge":
			ok = c >= 0
		default:
			good, err := compare(found[0].Version, p.Version.Op, p.Version.Value)
			if err != nil {
				return errorf("%v", err)
			}
			ok = good
		}
		if !ok {
			return fail(cmpReason(found[0].Name+" version", found[0].Version, p.Version.Op, p.Version.Value), ev)
		}
	}
	return pass(ev)
}

func unitName(s string) string { return strings.TrimSuffix(s, ".service") }

var enabledStates = map[string]bool{"enabled": true, "enabled-runtime": true, "alias": true, "generated": true, "linked": true, "linked-runtime": true}

// services returns the inventory services named (with or without
// ".service").
func (t *Target) services(names []string) ([]model.Service, error) {
	if t.Inv == nil {
		return nil, errors.New("no inventory: services not collected")
	}
	if len(t.Inv.Services) == 0 {
		return nil, errors.New("no services were found (no systemd/sysv/openrc data)")
	}
	var out []model.Service
	for _, s := range t.Inv.Services {
		for _, n := range names {
			if unitName(s.Name) == unitName(n) {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// ServiceKnown reports whether any of names is known, for gates.
func (t *Target) ServiceKnown(names []string) (bool, error) {
	s, err := t.services(names)
	return len(s) > 0, err
}

func (t *Target) service(p *policy.ServiceProbe) Result {
	svcs, err := t.services(p.Name)
	if err != nil {
		return errorf("%v", err)
	}
	if p.Active != nil && !t.Live {
		return na("service state needs the live host")
	}
	var ev []string
	enabled, active := false, false
	for _, s := range svcs {
		ev = append(ev, fmt.Sprintf("%s: %s %s", s.Name, s.Enabled, s.Active))
		if enabledStates[s.Enabled] {
			enabled = true
		}
		if s.Active == "active" || s.Active == "activating" || s.Active == "reloading" {
			active = true
		}
	}
	if len(svcs) == 0 {
		ev = []string{strings.Join(p.Name, ", ") + ": no such service"}
	}
	if p.Enabled != nil && enabled != *p.Enabled {
		if enabled {
			return fail(strings.Join(p.Name, "/")+" is enabled", ev...)
		}
		return fail(strings.Join(p.Name, "/")+" is not enabled", ev...)
	}
	if p.Active != nil && active != *p.Active {
		if active {
			return fail(strings.Join(p.Name, "/")+" is running", ev...)
		}
		return fail(strings.Join(p.Name, "/")+" is not running", ev...)
	}
	return pass(ev...)
}

func (t *Target) process(p *policy.ProcessProbe) Result {
	if !t.Live {
		return na("processes need the live host")
	}
	if t.Inv == nil || len(t.Inv.Processes) == 0 {
		return errorf("no process inventory")
	}
	var ev []string
	for _, pr := range t.Inv.Processes {
		for _, n := range p.Name {
			if pr.Name == n || path.Base(pr.Exe) == n {
				ev = append(ev, fmt.Sprintf("pid %d %s", pr.PID, pr.Name))
			}
		}
	}
	running := len(ev) > 0
	if running != *p.Running {
		if running {
			return fail(strings.Join(p.Name, "/")+" is running", ev...)
		}
		return fail(strings.Join(p.Name, "/") + " is not running")
	}
	if !running {
		return pass(strings.Join(p.Name, "/") + " not running")
	}
	return pass(ev...)
}

func (t *Target) port(p *policy.PortProbe) Result {
	if !t.Live {
		return na("listening sockets need the live host")
	}
	if t.Inv == nil || len(t.Inv.Sockets) == 0 {
		return errorf("no socket inventory")
	}
	var ev []string
	for _, s := range t.Inv.Sockets {
		if !s.Listening() || !strings.HasPrefix(s.Protocol, p.Proto) {
			continue
		}
		for _, port := range p.Ports {
			if s.LocalPort == port {
				ev = append(ev, fmt.Sprintf("%s %s:%d %s", s.Protocol, s.LocalAddr, s.LocalPort, s.ProcessName))
			}
		}
	}
	listening := len(ev) > 0
	if listening != *p.Listening {
		if listening {
			return fail("a listed port is open", ev...)
		}
		return fail(fmt.Sprintf("nothing listens on %v", p.Ports))
	}
	if !listening {
		return pass(fmt.Sprintf("nothing listens on %v", p.Ports))
	}
	return pass(ev...)
}

// comparePackageVersion orders an installed OS package's version against
// want by the package manager's own rules: dpkg, rpm (epoch:version-
// release, rpmvercmp) or apk. Debian's order on an rpm version gets
// release suffixes such as ".el9" wrong.
func comparePackageVersion(p *model.Package, want string) (int, error) {
	switch p.Type {
	case model.PkgRPM, model.PkgAPK:
		eco, have := "Red Hat", p.Version
		if p.Type == model.PkgAPK {
			eco = "Alpine"
		} else {
			if p.Release != "" {
				have += "-" + p.Release
			}
			if p.Epoch > 0 {
				have = strconv.Itoa(p.Epoch) + ":" + have
			}
		}
		a, err := semantic.Parse(have, eco)
		if err != nil {
			return 0, fmt.Errorf("%s version %q: %w", p.Name, have, err)
		}
		c, err := a.CompareStr(want)
		if err != nil {
			return 0, fmt.Errorf("%s: comparing %q with %q: %w", p.Name, have, want, err)
		}
		return c, nil
	}
	return host.CompareDebianVersion(p.Version, want), nil
}
