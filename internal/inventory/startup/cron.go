package startup

import (
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// userCrontabDirs hold per-user crontabs named after the user: busybox
// (Alpine), Debian's cron, and cronie (RHEL), in that order so that Alpine's
// /var/spool/cron/crontabs -> /etc/crontabs link reports the real path.
var userCrontabDirs = []string{"/etc/crontabs", "/var/spool/cron/crontabs", "/var/spool/cron"}

// cronScriptDirs are run-parts directories and the schedule they run on.
// /etc/periodic is Alpine's (run from root's crontab).
var cronScriptDirs = []struct{ dir, schedule string }{
	{"/etc/cron.hourly", "hourly"},
	{"/etc/cron.daily", "daily"},
	{"/etc/cron.weekly", "weekly"},
	{"/etc/cron.monthly", "monthly"},
	{"/etc/cron.yearly", "yearly"},
	{"/etc/periodic/15min", "15min"},
	{"/etc/periodic/hourly", "hourly"},
	{"/etc/periodic/daily", "daily"},
	{"/etc/periodic/weekly", "weekly"},
	{"/etc/periodic/monthly", "monthly"},
}

// systemCrontabs reads /etc/crontab and /etc/cron.d/*, whose lines name the
// user a job runs as.
func (s *scan) systemCrontabs() {
	s.crontab("/etc/crontab", true, "")
	strict := s.strictRunParts()
	for _, e := range s.readDir("/etc/cron.d") {
		if e.IsDir() || !runPartsName(e.Name(), strict) {
			continue
		}
		p := path.Join("/etc/cron.d", e.Name())
		if _, ok := s.regular(p); ok {
			s.crontab(p, true, "")
		}
	}
}

// userCrontabs reads the per-user crontabs; the file name is the user.
func (s *scan) userCrontabs() {
	seen := map[fileID]bool{}
	for _, dir := range userCrontabDirs {
		for _, e := range s.readDir(dir) {
			name := e.Name()
			// busybox keeps a "cron.update" control file beside the crontabs.
			if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || name == "cron.update" {
				continue
			}
			p := path.Join(dir, name)
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
			s.crontab(p, false, name)
		}
	}
}

// crontab parses one crontab file into items.
func (s *scan) crontab(p string, system bool, user string) {
	r, ok := s.read(p)
	if !ok {
		return
	}
	entries, bad, err := ParseCrontab(r, system)
	for _, b := range bad {
		s.env.Warnf(p, "%s", b)
	}
	if err != nil {
		s.env.Warn(p, err)
	}
	for _, e := range entries {
		u := e.User
		if !system {
			u = user
		}
		s.add(model.StartupItem{Kind: "cron", Path: p, Line: e.Line, User: u, Schedule: e.Schedule, Command: e.Command})
	}
}

// cronScripts lists the executables run-parts would run from the
// cron.{hourly,daily,...} directories.
func (s *scan) cronScripts() {
	strict := s.strictRunParts()
	for _, d := range cronScriptDirs {
		for _, e := range s.readDir(d.dir) {
			if e.IsDir() || !runPartsName(e.Name(), strict) {
				continue
			}
			p := path.Join(d.dir, e.Name())
			st, ok := s.regular(p)
			if !ok || st.Mode().Perm()&0o111 == 0 {
				continue // run-parts skips files it cannot execute
			}
			s.add(model.StartupItem{Kind: "cron-script", Path: p, User: "root", Schedule: d.schedule, Command: p})
		}
	}
}

// anacrontab reads /etc/anacrontab; its jobs run as root.
func (s *scan) anacrontab() {
	const p = "/etc/anacrontab"
	r, ok := s.read(p)
	if !ok {
		return
	}
	entries, bad, err := ParseAnacrontab(r)
	for _, b := range bad {
		s.env.Warnf(p, "%s", b)
	}
	if err != nil {
		s.env.Warn(p, err)
	}
	for _, e := range entries {
		s.add(model.StartupItem{Kind: "anacron", Path: p, Line: e.Line, User: "root", Schedule: e.Schedule, Command: e.Command})
	}
}

// atJobs lists queued at(1) jobs: Debian's /var/spool/cron/atjobs, RHEL's
// /var/spool/at. The job file is a shell script; detectors read it.
func (s *scan) atJobs() {
	for _, dir := range []string{"/var/spool/cron/atjobs", "/var/spool/at"} {
		for _, e := range s.readDir(dir) {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") { // .SEQ is atd's counter
				continue
			}
			p := path.Join(dir, e.Name())
			if _, ok := s.regular(p); ok {
				s.add(model.StartupItem{Kind: "at", Path: p, Command: p})
			}
		}
	}
}

// strictRunParts tells which file-name rules the cron implementation uses:
// Debian's cron and run-parts (and busybox run-parts on Alpine) accept only
// [A-Za-z0-9_-] names, so "job.sh" never runs there; cronie (RHEL) runs
// any name except hidden files and package-manager leftovers.
func (s *scan) strictRunParts() bool {
	return s.env.FS.Exists("/etc/debian_version") || s.env.FS.Exists("/etc/alpine-release")
}

// runPartsName reports whether cron or run-parts would use a file of this name.
func runPartsName(name string, strict bool) bool {
	if name == "" || name[0] == '.' {
		return false
	}
	if strict {
		for i := 0; i < len(name); i++ {
			c := name[i]
			if !(c == '_' || c == '-' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
		return true
	}
	if strings.HasSuffix(name, "~") || strings.HasSuffix(name, ",") || strings.HasPrefix(name, "#") {
		return false
	}
	for _, suf := range []string{".rpmsave", ".rpmorig", ".rpmnew", ".swp", ".cfsaved"} {
		if strings.HasSuffix(name, suf) {
			return false
		}
	}
	return true
}
