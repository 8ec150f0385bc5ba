package probe

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"syscall"

	"github.com/ward-sec/ward/internal/baseline/config"
	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/rootfs"
)

var syscallENOTDIR = syscall.ENOTDIR

func missingResult(missing, what string) Result {
	switch missing {
	case "pass":
		return pass(what + " does not exist")
	case "na":
		return na(what + " does not exist")
	}
	return fail(what + " does not exist")
}

func (t *Target) file(p *policy.FileProbe) Result {
	paths := t.glob(p.Path)
	var found []string
	for _, f := range paths {
		if _, err := t.FS.Lstat(f); err == nil {
			found = append(found, f)
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscallENOTDIR) {
			return errorf("cannot stat %s: %v", f, err)
		}
	}
	if len(found) == 0 {
		if p.Exists != nil && !*p.Exists {
			return pass(p.Path + " does not exist")
		}
		return missingResult(p.Missing, p.Path)
	}
	if p.Exists != nil && !*p.Exists {
		return fail(found[0]+" exists", found...)
	}
	var allowed uint64
	if p.Mode != "" {
		allowed, _ = strconv.ParseUint(p.Mode, 8, 32)
	}
	var ev []string
	for _, f := range found {
		fi, err := t.FS.Stat(f)
		if errors.Is(err, fs.ErrNotExist) {
			// A dangling link (a unit masked to /dev/null in an image):
			// describe the link itself.
			fi, err = t.FS.Lstat(f)
		}
		if err != nil {
			return errorf("cannot stat %s: %v", f, err)
		}
		uid, gid, _ := rootfs.Owner(fi)
		mode := unixMode(fi.Mode())
		line := fmt.Sprintf("%s %04o %s:%s", f, mode, t.userName(uid), t.groupName(gid))
		ev = append(ev, line)
		switch {
		case p.Type == "file" && !fi.Mode().IsRegular():
			return fail(f+" is not a regular file", line)
		case p.Type == "dir" && !fi.IsDir():
			return fail(f+" is not a directory", line)
		case p.Mode != "" && mode&^uint32(allowed) != 0:
			return fail(fmt.Sprintf("%s has mode %04o, allowed at most %04o", f, mode, allowed), line)
		case p.ModeSet != "" && mode&uint32(mustSet(p.ModeSet)) != uint32(mustSet(p.ModeSet)):
			return fail(fmt.Sprintf("%s has mode %04o, lacking bits %s", f, mode, p.ModeSet), line)
		case len(p.Owner) > 0 && !t.idIn(uid, p.Owner, true):
			return fail(fmt.Sprintf("%s is owned by %s, want %s", f, t.userName(uid), strings.Join(p.Owner, " or ")), line)
		case len(p.Group) > 0 && !t.idIn(gid, p.Group, false):
			return fail(fmt.Sprintf("%s has group %s, want %s", f, t.groupName(gid), strings.Join(p.Group, " or ")), line)
		}
	}
	if len(ev) > 5 {
		ev = append(ev[:5], fmt.Sprintf("... %d files", len(found)))
	}
	return pass(ev...)
}

// unixMode returns permission plus setuid/setgid/sticky bits as in chmod.
func unixMode(m fs.FileMode) uint32 {
	v := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		v |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		v |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		v |= 0o1000
	}
	return v
}

func (t *Target) content(p *policy.ContentProbe) Result {
	re, err := cachedRE(firstNonEmpty(p.Match, p.NoMatch))
	if err != nil {
		return errorf("regex: %v", err)
	}
	var files []string
	for _, g := range p.Paths {
		files = append(files, t.glob(g)...)
	}
	read := 0
	for _, f := range files {
		data, exists, err := t.read(f)
		if err != nil {
			return errorf("cannot read %s: %v", f, err)
		}
		if !exists {
			continue
		}
		read++
		n := 0
		for _, l := range strings.Split(string(data), "\n") {
			n++
			if re.MatchString(l) {
				ev := fmt.Sprintf("%s:%d: %s", f, n, redactLine(f, strings.TrimSpace(l), p.Redact))
				if redactFile(f) {
					ev = fmt.Sprintf("%s:%d", f, n)
				}
				ev = compact(ev)
				if p.Match != "" {
					return pass(ev)
				}
				return fail("a line matches "+p.NoMatch, ev)
			}
		}
	}
	if read == 0 {
		return missingResult(p.Missing, strings.Join(p.Paths, ", "))
	}
	if p.Match != "" {
		return fail(fmt.Sprintf("no line of %s matches %s", strings.Join(p.Paths, ", "), p.Match))
	}
	return pass("no line matches " + p.NoMatch)
}

// redactFile: lines of these files are never shown, only their position.
func redactFile(f string) bool {
	switch f {
	case "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd":
		return true
	}
	return strings.Contains(f, "shadow")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (t *Target) keyValue(p *policy.KeyValueProbe) Result {
	var last *config.Assignment
	where := ""
	any := false
	for _, g := range p.Paths {
		for _, f := range t.glob(g) {
			data, exists, err := t.read(f)
			if err != nil {
				return errorf("cannot read %s: %v", f, err)
			}
			if !exists {
				continue
			}
			any = true
			for _, a := range config.ParseKeyValue(data, p.Syntax, p.Section) {
				if a.Key == p.Key || (p.IgnoreCase && strings.EqualFold(a.Key, p.Key)) {
					a := a
					last, where = &a, fmt.Sprintf("%s:%d", f, a.Line)
				}
			}
		}
	}
	var found, ev string
	secret := p.Redact || SecretKey(p.Key)
	switch {
	case last != nil:
		found, ev = last.Value, compact(fmt.Sprintf("%s: %s %s", where, p.Key, last.Value))
		if secret {
			ev = fmt.Sprintf("%s: %s %s", where, p.Key, Redacted)
		}
	case p.Default != nil:
		found = *p.Default
		if any {
			ev = fmt.Sprintf("%s not set; default %q", p.Key, found)
		} else {
			ev = fmt.Sprintf("%s not found; default %s %q", strings.Join(p.Paths, ", "), p.Key, found)
		}
	case !any:
		return fail(fmt.Sprintf("%s not set: %s does not exist", p.Key, strings.Join(p.Paths, ", ")))
	default:
		return fail(fmt.Sprintf("%s is not set in %s", p.Key, strings.Join(p.Paths, ", ")))
	}
	ok, err := compare(found, p.Op, p.Value)
	if secret {
		// Only say whether the secret is set; never its value or length.
		if found != "" {
			found = Redacted
		}
		if err != nil {
			return fail(fmt.Sprintf("%s: comparison failed", p.Key), ev)
		}
	}
	if err != nil {
		return fail(fmt.Sprintf("%s: %v", p.Key, err), ev)
	}
	if !ok {
		return fail(cmpReason(p.Key, found, p.Op, p.Value), ev)
	}
	return pass(ev)
}

func (t *Target) idIn(id uint32, names []string, user bool) bool {
	for _, n := range names {
		if v, err := strconv.ParseUint(n, 10, 32); err == nil {
			if uint32(v) == id {
				return true
			}
			continue
		}
		var got uint32
		var ok bool
		if user {
			got, ok = t.uidOf(n)
		} else {
			got, ok = t.gidOf(n)
		}
		if ok && got == id {
			return true
		}
	}
	return false
}

func mustSet(s string) uint64 {
	v, _ := strconv.ParseUint(s, 8, 32)
	return v
}
