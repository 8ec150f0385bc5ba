package services

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

const initDir = "/etc/init.d"

// initHelpers live in /etc/init.d but are not services.
var initHelpers = map[string]bool{
	"README": true, "skeleton": true, "rc": true, "rcS": true, "functions": true,
	"functions.sh": true,
}

// sysvRunlevelDirs hold the S??name start links. rc2-5 are the multi-user
// runlevels systemd-sysv-generator reads; rcS is sysvinit's boot runlevel.
// RHEL keeps them under /etc/rc.d (with /etc/rcN.d links on most releases).
var sysvRunlevelDirs = []string{
	"/etc/rcS.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d",
	"/etc/rc.d/rc2.d", "/etc/rc.d/rc3.d", "/etc/rc.d/rc4.d", "/etc/rc.d/rc5.d",
}

// initScripts lists /etc/init.d services: OpenRC scripts (enabled when linked
// from /etc/runlevels/<level>/) and SysV scripts (enabled with an S??name link
// in a start runlevel). A SysV script that a systemd unit of the same name
// replaces is left out, as systemd-sysv-generator does.
func initScripts(ctx context.Context, env *inventory.Env, units *Units) ([]model.Service, error) {
	entries, err := env.FS.ReadDir(initDir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			env.Warn(initDir, err)
		}
		if len(entries) == 0 {
			return nil, nil
		}
	}
	sysvOn := sysvStartLinks(env)
	openrcOn, haveRunlevels := openrcRunlevels(env)
	var out []model.Service
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := e.Name()
		if initHelpers[name] || hiddenOrBackup(name) {
			continue
		}
		p := path.Join(initDir, name)
		st, err := env.FS.Stat(p)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				env.Warn(p, err)
			}
			continue
		}
		if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			continue // init systems only run executable scripts
		}
		head, err := readHead(env, p)
		if err != nil {
			env.Warn(p, err)
			continue
		}
		rc, err := ParseOpenRCScript(bytes.NewReader(head), name)
		if err != nil {
			env.Warn(p, err)
		}
		if rc.OpenRC || (haveRunlevels && !bytes.Contains(head, []byte("### BEGIN INIT INFO"))) {
			out = append(out, openrcRecord(name, p, rc, openrcOn[name]))
			continue
		}
		if _, replaced := units.File(strings.TrimSuffix(name, ".sh") + ".service"); replaced {
			continue
		}
		h, err := ParseLSBHeader(bytes.NewReader(head))
		if err != nil {
			env.Warn(p, err)
		}
		out = append(out, sysvRecord(name, p, h, sysvOn[name]))
	}
	return out, nil
}

func readHead(env *inventory.Env, p string) ([]byte, error) {
	f, err := env.FS.OpenFile(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxInitScriptHead))
}

func sysvRecord(name, p string, h LSBHeader, on bool) model.Service {
	s := model.Service{Name: name, Manager: "sysv", Enabled: StateDisabled, ExecStart: p, UnitFile: p}
	if on {
		s.Enabled = StateEnabled
	}
	s.Description = h.ShortDescription
	if s.Description == "" {
		s.Description = h.Description
	}
	return s
}

func openrcRecord(name, p string, rc OpenRCScript, on bool) model.Service {
	s := model.Service{Name: name, Manager: "openrc", Enabled: StateDisabled, ExecStart: rc.Command, UnitFile: p}
	if on {
		s.Enabled = StateEnabled
	}
	s.Description = rc.Description
	if s.Description == "" {
		s.Description = rc.Name
	}
	s.User, _, _ = strings.Cut(rc.CommandUser, ":")
	return s
}

// sysvStartLinks names the scripts with an S??name link in a start runlevel.
func sysvStartLinks(env *inventory.Env) map[string]bool {
	on := map[string]bool{}
	for _, dir := range sysvRunlevelDirs {
		entries, err := env.FS.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			env.Warn(dir, err)
		}
		for _, e := range entries {
			n := e.Name()
			if len(n) > 3 && n[0] == 'S' && isDigit(n[1]) && isDigit(n[2]) {
				on[n[3:]] = true
			}
		}
	}
	return on
}

// openrcRunlevels names the services linked from any /etc/runlevels/<level>/.
func openrcRunlevels(env *inventory.Env) (map[string]bool, bool) {
	const dir = "/etc/runlevels"
	on := map[string]bool{}
	levels, err := env.FS.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			env.Warn(dir, err)
		}
		return on, len(levels) > 0
	}
	for _, l := range levels {
		if !l.IsDir() {
			continue
		}
		p := path.Join(dir, l.Name())
		entries, err := env.FS.ReadDir(p)
		if err != nil {
			env.Warn(p, err)
		}
		for _, e := range entries {
			on[e.Name()] = true
		}
	}
	return on, true
}

// hiddenOrBackup mirrors systemd's hidden_or_backup_file(): names init
// systems and package managers treat as not-a-script.
func hiddenOrBackup(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return true
	}
	for _, s := range []string{".rpmnew", ".rpmsave", ".rpmorig", ".dpkg-old", ".dpkg-new", ".dpkg-tmp",
		".dpkg-dist", ".dpkg-bak", ".dpkg-backup", ".dpkg-remove", ".ucf-new", ".ucf-old", ".ucf-dist",
		".swp", ".bak", ".old", ".new", ".orig", ".cfsaved", ".apk-new"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
