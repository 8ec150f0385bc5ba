// Package remedy applies the declarative fixes of failed baseline checks:
// config keys, sysctl, file modes, services, module blacklists, lines.
// Planning is a dry run that shows every change; applying backs up every
// touched file (with a manifest) so Rollback can restore it. All writes
// stay inside the given root and never follow a symlink.
package remedy

import (
	"context"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/baseline/config"
	"github.com/ward-sec/ward/internal/baseline/policy"
)

// Item is one failed check to fix.
type Item struct {
	Policy string
	Check  string
	Fixes  []policy.Fix
	Params map[string]string
}

// Step is one planned change, printable as is.
type Step struct {
	Policy string `json:"policy"`
	Check  string `json:"check"`
	Kind   string `json:"kind"`
	Path   string `json:"path,omitempty"`
	// Lines: "- old" / "+ new" for file edits, or a command.
	Lines []string `json:"lines"`
	// Skipped says why the step is not applied (not the live host...).
	Skipped string `json:"skipped,omitempty"`

	mode, uid, gid int
	sysKey, sysVal string
	unit           string
}

// Plan is the set of changes for a list of items.
type Plan struct {
	Root  string
	Live  bool
	Steps []Step
	// files: new content per path (the overlay all edits compose on).
	files map[string]*fileEdit
	// Errors are fixes that could not be planned (file unreadable...).
	Errors []string
	// Run is how the live host's systemctl is called (tests replace it).
	Run func(ctx context.Context, argv []string) ([]byte, int, error)
	// ProcRoot is /proc (for runtime sysctl).
	ProcRoot string
}

type fileEdit struct {
	orig fileState
	data []byte
	mode uint32 // mode for a new file
}

// NewPlan plans fixes for items on the root dir (live: the running host).
func NewPlan(dir string, live bool, items []Item) (*Plan, error) {
	r, err := openRoot(dir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	p := &Plan{Root: dir, Live: live, files: map[string]*fileEdit{}, ProcRoot: "/proc"}
	for _, it := range items {
		for _, f := range it.Fixes {
			if err := p.add(r, it, f); err != nil {
				p.Errors = append(p.Errors, fmt.Sprintf("%s/%s: %v", it.Policy, it.Check, err))
			}
		}
	}
	return p, nil
}

func (p *Plan) file(r *root, name string) (*fileEdit, error) {
	name = path.Clean(name)
	if e, ok := p.files[name]; ok {
		return e, nil
	}
	st, err := r.read(name)
	if err != nil {
		return nil, err
	}
	e := &fileEdit{orig: st, data: st.Data, mode: 0o644}
	p.files[name] = e
	return e, nil
}

func (p *Plan) add(r *root, it Item, f policy.Fix) error {
	x := func(s string) string { return policy.Expand(s, it.Params) }
	step := Step{Policy: it.Policy, Check: it.Check, Kind: f.Kind()}
	switch {
	case f.SetConfig != nil:
		sc := *f.SetConfig
		sc.Value = x(sc.Value)
		paths := []string{sc.Path}
		if sc.Path == "/etc/ssh/sshd_config" {
			// sshd takes the first value: an earlier drop-in would win.
			paths = append(paths, p.dropInsSetting(r, "/etc/ssh/sshd_config.d", sc.Key)...)
		}
		for i, fp := range paths {
			e, err := p.file(r, fp)
			if err != nil {
				return err
			}
			lines := setKey(e, sc.Key, sc.Value, sc.Syntax, i == 0)
			if len(lines) > 0 {
				p.Steps = append(p.Steps, Step{Policy: it.Policy, Check: it.Check, Kind: step.Kind, Path: fp, Lines: lines})
			}
		}
		return nil
	case f.Sysctl != nil:
		key, val := f.Sysctl.Key, x(f.Sysctl.Value)
		const own = "/etc/sysctl.d/60-ward-baseline.conf"
		files := []string{own}
		for _, g := range []string{"/etc/sysctl.conf", "/etc/sysctl.d/*.conf"} {
			files = append(files, p.globSetting(r, g, key)...)
		}
		seen := map[string]bool{}
		for i, fp := range files {
			if seen[fp] {
				continue
			}
			seen[fp] = true
			e, err := p.file(r, fp)
			if err != nil {
				return err
			}
			if lines := setKey(e, key, val, "equals", i == 0); len(lines) > 0 {
				p.Steps = append(p.Steps, Step{Policy: it.Policy, Check: it.Check, Kind: "sysctl", Path: fp, Lines: lines})
			}
		}
		rt := Step{Policy: it.Policy, Check: it.Check, Kind: "sysctl-runtime", Path: "/proc/sys/" + strings.ReplaceAll(key, ".", "/"), Lines: []string{fmt.Sprintf("sysctl -w %s=%s", key, val)}, sysKey: key, sysVal: val}
		if !p.Live {
			rt.Skipped = "not the live host: takes effect at next boot"
		} else if cur, err := os.ReadFile(path.Join(p.ProcRoot, "sys", strings.ReplaceAll(key, ".", "/"))); err == nil && config.NormSysctl(string(cur)) == config.NormSysctl(val) {
			return nil // already in effect
		}
		p.Steps = append(p.Steps, rt)
		return nil
	case f.FileMode != nil:
		fm := f.FileMode
		matches, err := p.glob(fm.Path)
		if err != nil {
			return err
		}
		for _, fp := range matches {
			st, err := r.read(fp)
			if err != nil {
				return err
			}
			if !st.Exists {
				continue
			}
			mode, uid, gid := int(st.Mode), st.UID, st.GID
			if fm.Mode != "" {
				want, _ := strconv.ParseUint(fm.Mode, 8, 32)
				mode = int(st.Mode) &^ int(^uint32(want)&0o7777) // only remove bits beyond the allowed mode
			}
			if fm.Owner != "" {
				if uid, err = p.lookupID(r, "/etc/passwd", fm.Owner); err != nil {
					return err
				}
			}
			if fm.Group != "" {
				if gid, err = p.lookupID(r, "/etc/group", fm.Group); err != nil {
					return err
				}
			}
			if mode == int(st.Mode) && uid == st.UID && gid == st.GID {
				continue
			}
			p.Steps = append(p.Steps, Step{Policy: it.Policy, Check: it.Check, Kind: "file_mode", Path: fp, mode: mode, uid: uid, gid: gid,
				Lines: []string{fmt.Sprintf("- %04o %d:%d", st.Mode, st.UID, st.GID), fmt.Sprintf("+ %04o %d:%d", mode, uid, gid)}})
		}
		return nil
	case f.DisableService != "":
		s := Step{Policy: it.Policy, Check: it.Check, Kind: "disable_service", Lines: []string{"/usr/bin/systemctl disable --now " + f.DisableService}, unit: f.DisableService}
		if !p.Live {
			s.Skipped = "not the live host: run the command on the host"
		}
		p.Steps = append(p.Steps, s)
		return nil
	case f.BlacklistModule != "":
		const own = "/etc/modprobe.d/ward-baseline.conf"
		e, err := p.file(r, own)
		if err != nil {
			return err
		}
		var lines []string
		for _, l := range []string{"install " + f.BlacklistModule + " /bin/false", "blacklist " + f.BlacklistModule} {
			lines = append(lines, appendLine(e, l)...)
		}
		if len(lines) > 0 {
			p.Steps = append(p.Steps, Step{Policy: it.Policy, Check: it.Check, Kind: "blacklist_module", Path: own, Lines: lines})
		}
		return nil
	case f.AppendLine != nil:
		e, err := p.file(r, f.AppendLine.Path)
		if err != nil {
			return err
		}
		if f.AppendLine.Mode != "" && !e.orig.Exists {
			m, _ := strconv.ParseUint(f.AppendLine.Mode, 8, 32)
			e.mode = uint32(m)
		}
		if lines := appendLine(e, x(f.AppendLine.Line)); len(lines) > 0 {
			p.Steps = append(p.Steps, Step{Policy: it.Policy, Check: it.Check, Kind: "append_line", Path: f.AppendLine.Path, Lines: lines})
		}
		return nil
	}
	return fmt.Errorf("unknown fix")
}

// glob expands a pattern inside the root (no links followed out).
func (p *Plan) glob(pattern string) ([]string, error) {
	if !strings.ContainsAny(pattern, "*?[") {
		return []string{pattern}, nil
	}
	dir := path.Dir(pattern)
	if strings.ContainsAny(dir, "*?[") {
		return nil, fmt.Errorf("%s: only the last path element may have wildcards", pattern)
	}
	r, err := openRoot(p.Root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d, _, err := r.parent(path.Join(dir, "x"), false)
	if err != nil {
		return nil, nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	sort.Strings(names)
	var out []string
	for _, n := range names {
		if ok, _ := path.Match(path.Base(pattern), n); ok {
			out = append(out, path.Join(dir, n))
		}
	}
	return out, nil
}

// globSetting lists files matching g that assign key (equals syntax).
func (p *Plan) globSetting(r *root, g, key string) []string {
	files, _ := p.glob(g)
	var out []string
	for _, f := range files {
		st, err := r.read(f)
		if err != nil || !st.Exists {
			continue
		}
		for _, a := range config.ParseSysctl(st.Data) {
			if a.Key == key {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// dropInsSetting lists sshd drop-ins that set key.
func (p *Plan) dropInsSetting(r *root, dir, key string) []string {
	files, _ := p.glob(dir + "/*.conf")
	var out []string
	for _, f := range files {
		st, err := r.read(f)
		if err != nil || !st.Exists {
			continue
		}
		for _, a := range config.ParseKeyValue(st.Data, "space", "") {
			if strings.EqualFold(a.Key, key) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

func (p *Plan) lookupID(r *root, file, name string) (int, error) {
	if n, err := strconv.Atoi(name); err == nil {
		return n, nil
	}
	st, err := r.read(file)
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(st.Data), "\n") {
		f := strings.Split(l, ":")
		if len(f) >= 3 && f[0] == name {
			return strconv.Atoi(f[2])
		}
	}
	if name == "root" {
		return 0, nil
	}
	return 0, fmt.Errorf("%s: no %s in %s", name, name, file)
}

var matchLine = regexp.MustCompile(`(?i)^\s*match\s`)

// setKey edits e so key has value: every active assignment is replaced;
// with none, the line is added (before the first sshd "Match" block) when
// add is set. It returns the diff lines.
func setKey(e *fileEdit, key, value, syntax string, add bool) []string {
	newLine := key + " " + value
	if syntax == "equals" {
		newLine = key + " = " + value
	}
	lines := splitLines(e.data)
	var diff []string
	found := false
	matchAt := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if matchAt < 0 && syntax != "equals" && matchLine.MatchString(l) {
			matchAt = i
		}
		if t == "" || t[0] == '#' || (matchAt >= 0 && syntax != "equals") {
			continue
		}
		var k string
		if syntax == "equals" {
			k, _, _ = strings.Cut(t, "=")
			k = strings.TrimSpace(strings.TrimPrefix(k, "-"))
		} else {
			k = strings.Fields(t)[0]
			k, _, _ = strings.Cut(k, "=")
		}
		if !strings.EqualFold(k, key) {
			continue
		}
		found = true
		if t == newLine {
			continue
		}
		diff = append(diff, "- "+l, "+ "+newLine)
		lines[i] = newLine
	}
	if !found && add {
		if matchAt >= 0 {
			lines = append(lines[:matchAt], append([]string{newLine}, lines[matchAt:]...)...)
		} else {
			lines = append(lines, newLine)
		}
		diff = append(diff, "+ "+newLine)
	}
	e.data = joinLines(lines)
	return diff
}

func appendLine(e *fileEdit, line string) []string {
	for _, l := range splitLines(e.data) {
		if strings.TrimSpace(l) == strings.TrimSpace(line) {
			return nil
		}
	}
	e.data = joinLines(append(splitLines(e.data), line))
	return []string{"+ " + line}
}

func splitLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func joinLines(l []string) []byte {
	if len(l) == 0 {
		return nil
	}
	return []byte(strings.Join(l, "\n") + "\n")
}

// Print writes the plan for a person: each step with its lines.
func (p *Plan) Print(w interface{ Write([]byte) (int, error) }) {
	for _, s := range p.Steps {
		head := fmt.Sprintf("%s/%s: %s", s.Policy, s.Check, s.Kind)
		if s.Path != "" {
			head += " " + s.Path
		}
		if s.Skipped != "" {
			head += " (skipped: " + s.Skipped + ")"
		}
		fmt.Fprintln(w, head)
		for _, l := range s.Lines {
			fmt.Fprintln(w, "    "+l)
		}
	}
	for _, e := range p.Errors {
		fmt.Fprintln(w, "cannot fix: "+e)
	}
}
