package startup

import (
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// rcLocal lists the command lines of rc.local. RHEL's /etc/rc.local links
// to /etc/rc.d/rc.local: the file is reported once, under its real path.
// Both systemd's rc-local generator and sysvinit run it only when it is
// executable, which Enabled records.
func (s *scan) rcLocal() {
	seen := map[fileID]bool{}
	for _, p := range []string{"/etc/rc.d/rc.local", "/etc/rc.local"} {
		st, ok := s.regular(p)
		if !ok {
			continue
		}
		if id, ok := idOf(st); ok {
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		r, ok := s.read(p)
		if !ok {
			continue
		}
		lines, err := ParseScriptLines(r)
		if err != nil {
			s.env.Warn(p, err)
		}
		exec := st.Mode().Perm()&0o111 != 0
		for _, l := range lines {
			s.add(model.StartupItem{Kind: "rc.local", Path: p, Line: l.Line, User: "root", Command: l.Command, Enabled: boolPtr(exec)})
		}
	}
}

// profileD lists the scripts login shells source from /etc/profile.d: *.sh
// for sh-family shells, *.csh for csh/tcsh. One item per file; detectors
// read the content.
func (s *scan) profileD() {
	const dir = "/etc/profile.d"
	for _, e := range s.readDir(dir) {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || !(strings.HasSuffix(n, ".sh") || strings.HasSuffix(n, ".csh")) {
			continue
		}
		p := path.Join(dir, n)
		if _, ok := s.regular(p); ok {
			s.add(model.StartupItem{Kind: "profile.d", Path: p, Command: p})
		}
	}
}

// preload lists the libraries /etc/ld.so.preload forces into every
// dynamically linked program.
func (s *scan) preload() {
	const p = "/etc/ld.so.preload"
	r, ok := s.read(p)
	if !ok {
		return
	}
	libs, err := ParsePreload(r)
	if err != nil {
		s.env.Warn(p, err)
	}
	for _, l := range libs {
		s.add(model.StartupItem{Kind: "ld.so.preload", Path: p, Line: l.Line, Command: l.Path})
	}
}

// xdgAutostart lists the system-wide autostart entries of graphical
// sessions; Hidden=true entries are deleted ones and skipped.
func (s *scan) xdgAutostart() {
	const dir = "/etc/xdg/autostart"
	for _, e := range s.readDir(dir) {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".desktop") {
			continue
		}
		p := path.Join(dir, n)
		if _, ok := s.regular(p); !ok {
			continue
		}
		r, ok := s.read(p)
		if !ok {
			continue
		}
		d, err := ParseDesktopEntry(r)
		if err != nil {
			s.env.Warn(p, err)
			continue
		}
		if d.Hidden {
			continue
		}
		if d.Exec == "" {
			s.env.Warnf(p, "autostart entry without Exec=")
			continue
		}
		s.add(model.StartupItem{Kind: "xdg-autostart", Path: p, Line: d.ExecLine, Command: d.Exec, Enabled: boolPtr(!d.Disabled)})
	}
}
