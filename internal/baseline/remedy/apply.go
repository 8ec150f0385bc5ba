package remedy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/baseline/config"
)

// BackupBase is where backups live inside the root.
const BackupBase = "/var/lib/ward/baseline-backups"

// Manifest records what one `fix --apply` changed, for rollback.
type Manifest struct {
	ID         string    `json:"id"` // the backup directory name (timestamp)
	Root       string    `json:"root"`
	Created    time.Time `json:"created"`
	Entries    []Entry   `json:"entries"`
	RolledBack bool      `json:"rolled_back,omitempty"`
}

// Entry is one change: a file's previous state (content backed up in the
// backup directory), a runtime sysctl's previous value, or a service's
// previous state.
type Entry struct {
	Kind       string   `json:"kind"` // file, mode, sysctl-runtime, service
	Path       string   `json:"path,omitempty"`
	Existed    bool     `json:"existed,omitempty"`
	Mode       uint32   `json:"mode,omitempty"`
	UID        int      `json:"uid,omitempty"`
	GID        int      `json:"gid,omitempty"`
	Backup     string   `json:"backup,omitempty"` // file name in the backup dir
	Value      string   `json:"value,omitempty"`  // sysctl: previous runtime value
	Unit       string   `json:"unit,omitempty"`
	WasEnabled bool     `json:"was_enabled,omitempty"`
	WasActive  bool     `json:"was_active,omitempty"`
	Checks     []string `json:"checks,omitempty"`
}

// Apply makes the planned changes, first backing up every file it will
// touch under BackupBase/<timestamp>/ in the root, and writes the manifest
// as it goes (a failure part-way leaves a manifest rollback can use).
func (p *Plan) Apply(ctx context.Context) (*Manifest, error) {
	r, err := openRoot(p.Root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	id := time.Now().UTC().Format("20060102T150405.000000000Z")
	dir := path.Join(BackupBase, id)
	m := &Manifest{ID: id, Root: p.Root, Created: time.Now().UTC()}
	save := func() error {
		b, _ := json.MarshalIndent(m, "", "  ")
		return r.write(path.Join(dir, "manifest.json"), b, 0o600, 0, 0)
	}
	if err := save(); err != nil {
		return nil, fmt.Errorf("backup directory %s: %w", dir, err)
	}
	checksOf := func(pth string) []string {
		var out []string
		for _, s := range p.Steps {
			if s.Path == pth {
				out = append(out, s.Policy+"/"+s.Check)
			}
		}
		return out
	}
	// Files, in a stable order.
	var names []string
	for n, e := range p.files {
		if string(e.data) != string(e.orig.Data) || (!e.orig.Exists && len(e.data) > 0) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for i, n := range names {
		e := p.files[n]
		ent := Entry{Kind: "file", Path: n, Existed: e.orig.Exists, Mode: e.orig.Mode, UID: e.orig.UID, GID: e.orig.GID, Checks: checksOf(n)}
		if e.orig.Exists {
			ent.Backup = "files/" + strconv.Itoa(i) + "-" + strings.ReplaceAll(strings.TrimPrefix(n, "/"), "/", "_")
			if err := r.write(path.Join(dir, ent.Backup), e.orig.Data, 0o600, 0, 0); err != nil {
				return m, err
			}
		}
		mode, uid, gid := e.orig.Mode, e.orig.UID, e.orig.GID
		if !e.orig.Exists {
			mode, uid, gid = e.mode, 0, 0
			// Record the directories the write will create, for rollback.
			var missing []string
			for d := path.Dir(n); d != "/" && d != "."; d = path.Dir(d) {
				if st, err := r.read(d); err == nil && !st.Exists {
					missing = append(missing, d)
				}
			}
			for i := len(missing) - 1; i >= 0; i-- {
				m.Entries = append(m.Entries, Entry{Kind: "dir", Path: missing[i]})
			}
			if err := save(); err != nil {
				return m, err
			}
		}
		m.Entries = append(m.Entries, ent)
		if err := save(); err != nil {
			return m, err
		}
		if err := r.write(n, e.data, mode, uid, gid); err != nil {
			return m, err
		}
	}
	for _, s := range p.Steps {
		if s.Skipped != "" {
			continue
		}
		switch s.Kind {
		case "file_mode":
			st, err := r.read(s.Path)
			if err != nil {
				return m, err
			}
			m.Entries = append(m.Entries, Entry{Kind: "mode", Path: s.Path, Existed: true, Mode: st.Mode, UID: st.UID, GID: st.GID, Checks: []string{s.Policy + "/" + s.Check}})
			if err := save(); err != nil {
				return m, err
			}
			if err := r.chmod(s.Path, uint32(s.mode), s.uid, s.gid); err != nil {
				return m, err
			}
		case "sysctl-runtime":
			file := filepath.Join(p.ProcRoot, "sys", strings.ReplaceAll(s.sysKey, ".", "/"))
			old, err := os.ReadFile(file)
			if err != nil {
				return m, fmt.Errorf("sysctl %s: %w", s.sysKey, err)
			}
			m.Entries = append(m.Entries, Entry{Kind: "sysctl-runtime", Path: s.sysKey, Value: config.NormSysctl(string(old)), Checks: []string{s.Policy + "/" + s.Check}})
			if err := save(); err != nil {
				return m, err
			}
			if err := os.WriteFile(file, []byte(s.sysVal+"\n"), 0o644); err != nil {
				return m, fmt.Errorf("sysctl %s: %w", s.sysKey, err)
			}
		case "disable_service":
			enabled := p.systemctlOK(ctx, "is-enabled", s.unit)
			active := p.systemctlOK(ctx, "is-active", s.unit)
			if !enabled && !active {
				continue
			}
			m.Entries = append(m.Entries, Entry{Kind: "service", Unit: s.unit, WasEnabled: enabled, WasActive: active, Checks: []string{s.Policy + "/" + s.Check}})
			if err := save(); err != nil {
				return m, err
			}
			if out, code, err := p.run(ctx, []string{"/usr/bin/systemctl", "disable", "--now", s.unit}); err != nil || code != 0 {
				return m, fmt.Errorf("systemctl disable --now %s: exit %d %v %s", s.unit, code, err, strings.TrimSpace(string(out)))
			}
		}
	}
	return m, save()
}

func (p *Plan) run(ctx context.Context, argv []string) ([]byte, int, error) {
	if p.Run == nil {
		return nil, -1, errors.New("no command runner")
	}
	return p.Run(ctx, argv)
}

func (p *Plan) systemctlOK(ctx context.Context, verb, unit string) bool {
	_, code, err := p.run(ctx, []string{"/usr/bin/systemctl", verb, "--quiet", unit})
	return err == nil && code == 0
}

// Backups lists the manifests under the root's backup directory, newest first.
func Backups(rootDir string) ([]*Manifest, error) {
	r, err := openRoot(rootDir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d, _, err := r.parent(path.Join(BackupBase, "x"), false)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	var out []*Manifest
	for _, n := range names {
		st, err := r.read(path.Join(BackupBase, n, "manifest.json"))
		if err != nil || !st.Exists {
			continue
		}
		var m Manifest
		if json.Unmarshal(st.Data, &m) == nil {
			out = append(out, &m)
		}
	}
	return out, nil
}

// Rollback restores what the manifest id (newest when empty) changed, in
// reverse order, and marks it rolled back.
func Rollback(ctx context.Context, rootDir, id string, procRoot string, run func(context.Context, []string) ([]byte, int, error)) (*Manifest, error) {
	ms, err := Backups(rootDir)
	if err != nil {
		return nil, err
	}
	var m *Manifest
	for _, x := range ms {
		if (id == "" && !x.RolledBack) || x.ID == id {
			m = x
			break
		}
	}
	if m == nil {
		if id == "" {
			return nil, errors.New("no backup to roll back (ward baseline rollback --list)")
		}
		return nil, fmt.Errorf("no backup %q", id)
	}
	if m.RolledBack {
		return m, fmt.Errorf("backup %s was already rolled back", m.ID)
	}
	r, err := openRoot(rootDir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	dir := path.Join(BackupBase, m.ID)
	var errs []string
	for i := len(m.Entries) - 1; i >= 0; i-- {
		e := m.Entries[i]
		var err error
		switch e.Kind {
		case "file":
			if !e.Existed {
				err = r.remove(e.Path)
				break
			}
			var st fileState
			st, err = r.read(path.Join(dir, e.Backup))
			if err == nil {
				err = r.write(e.Path, st.Data, e.Mode, e.UID, e.GID)
			}
		case "dir":
			err = r.rmdir(e.Path)
		case "mode":
			err = r.chmod(e.Path, e.Mode, e.UID, e.GID)
		case "sysctl-runtime":
			err = os.WriteFile(filepath.Join(procRoot, "sys", strings.ReplaceAll(e.Path, ".", "/")), []byte(e.Value+"\n"), 0o644)
		case "service":
			if run == nil {
				err = errors.New("no command runner")
				break
			}
			if e.WasEnabled {
				if _, code, rerr := run(ctx, []string{"/usr/bin/systemctl", "enable", e.Unit}); rerr != nil || code != 0 {
					err = fmt.Errorf("systemctl enable %s: exit %d %v", e.Unit, code, rerr)
				}
			}
			if err == nil && e.WasActive {
				if _, code, rerr := run(ctx, []string{"/usr/bin/systemctl", "start", e.Unit}); rerr != nil || code != 0 {
					err = fmt.Errorf("systemctl start %s: exit %d %v", e.Unit, code, rerr)
				}
			}
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return m, fmt.Errorf("rollback %s: %s", m.ID, strings.Join(errs, "; "))
	}
	m.RolledBack = true
	b, _ := json.MarshalIndent(m, "", "  ")
	return m, r.write(path.Join(dir, "manifest.json"), b, 0o600, 0, 0)
}

// systemctlVerbs are what fixes and rollbacks may ask systemctl to do.
var systemctlVerbs = map[string]bool{"is-enabled": true, "is-active": true, "disable": true, "enable": true, "start": true}

// SystemctlRunner runs /usr/bin/systemctl with an allowed verb (argv, no
// shell, 30 s timeout); anything else is refused.
func SystemctlRunner(ctx context.Context, argv []string) ([]byte, int, error) {
	if len(argv) < 3 || argv[0] != "/usr/bin/systemctl" || !systemctlVerbs[argv[1]] {
		return nil, -1, fmt.Errorf("command %q is not allowed", strings.Join(argv, " "))
	}
	for _, a := range argv[2:] {
		if strings.HasPrefix(a, "-") && a != "--now" && a != "--quiet" {
			return nil, -1, fmt.Errorf("systemctl option %q is not allowed", a)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = []string{"LANG=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_PAGER="}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out, ee.ExitCode(), nil
	}
	if err != nil {
		return out, -1, err
	}
	return out, 0, nil
}
