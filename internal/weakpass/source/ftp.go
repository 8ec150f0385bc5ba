package source

import (
	"context"
	"path"
	"strings"
)

// ParseProFTPDConf returns the AuthUserFile paths of a proftpd.conf (and
// the Include lines, for the caller to follow).
func ParseProFTPDConf(data []byte) (userFiles, includes []string) {
	for _, line := range splitLines(data) {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToLower(f[0]) {
		case "authuserfile":
			userFiles = append(userFiles, strings.Trim(f[1], `"`))
		case "include":
			includes = append(includes, strings.Trim(f[1], `"`))
		}
	}
	return userFiles, includes
}

// ParsePAMPwdfile returns the password files a PAM service file hands to
// pam_pwdfile ("pwdfile=/etc/vsftpd/passwd" or "pwdfile /etc/...") and
// whether it uses pam_userdb (a Berkeley DB Ward does not read).
func ParsePAMPwdfile(data []byte) (files []string, userdb []string) {
	for _, line := range splitLines(data) {
		f := strings.Fields(line)
		if len(f) < 3 || strings.HasPrefix(f[0], "#") {
			continue
		}
		for i, a := range f {
			switch {
			case strings.HasSuffix(a, "pam_pwdfile.so"):
				for j := i + 1; j < len(f); j++ {
					if v, ok := strings.CutPrefix(f[j], "pwdfile="); ok {
						files = append(files, v)
					} else if f[j] == "pwdfile" && j+1 < len(f) {
						files = append(files, f[j+1])
					}
				}
			case strings.HasSuffix(a, "pam_userdb.so"):
				for j := i + 1; j < len(f); j++ {
					if v, ok := strings.CutPrefix(f[j], "db="); ok {
						userdb = append(userdb, v)
					}
				}
			}
		}
	}
	return files, userdb
}

func collectProFTPD(_ context.Context, e *Env, r *Result) {
	confs := []string{"/etc/proftpd/proftpd.conf", "/etc/proftpd.conf", "/usr/local/etc/proftpd.conf"}
	seen := map[string]bool{}
	for len(confs) > 0 && len(seen) < 64 {
		p := confs[0]
		confs = confs[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		data, ok := readFile(e, r, "proftpd", p)
		if !ok {
			continue
		}
		r.found("proftpd")
		userFiles, includes := ParseProFTPDConf(data)
		for _, inc := range includes {
			if !path.IsAbs(inc) {
				inc = path.Join(path.Dir(p), inc)
			}
			if strings.ContainsAny(inc, "*?[") {
				matches, _ := e.FS.Glob(inc)
				confs = append(confs, matches...)
			} else {
				confs = append(confs, inc)
			}
		}
		for _, uf := range userFiles {
			pwFile(e, r, "proftpd", uf, p)
		}
	}
}

func collectVsftpd(_ context.Context, e *Env, r *Result) {
	for _, p := range []string{"/etc/pam.d/vsftpd", "/etc/pam.d/vsftpd.virtual"} {
		data, ok := readFile(e, r, "vsftpd", p)
		if !ok {
			continue
		}
		files, userdbs := ParsePAMPwdfile(data)
		if len(files) > 0 || len(userdbs) > 0 {
			r.found("vsftpd")
		}
		for _, f := range files {
			pwFile(e, r, "vsftpd", f, p)
		}
		for _, db := range userdbs {
			r.unchecked("vsftpd", db+".db", "", "pam_userdb Berkeley DB user file (named in %s) is not read", p)
		}
	}
}

// pwFile reads a passwd-format file of virtual users (user:crypt-hash...).
func pwFile(e *Env, r *Result, store, p, namedIn string) {
	data, ok := readFile(e, r, store, p)
	if !ok {
		if !e.FS.Exists(p) {
			r.unchecked(store, p, "", "user file named in %s not found", namedIn)
		}
		return
	}
	addShadow(e, r, store, p, data, map[string][]string{})
}
