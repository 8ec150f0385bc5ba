package probe

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/baseline/policy"
)

type pwEntry struct {
	name, pw, home, shell string
	uid, gid              int
	line                  int
}

type grEntry struct {
	name    string
	gid     int
	members []string
}

// spEntry keeps shadow's aging fields and the password's state; the hash
// itself is dropped while parsing.
type spEntry struct {
	state                                string // set, empty, locked, disabled
	scheme                               string
	lastChange, min, max, warn, inactive int // -1: empty field
}

type userDB struct {
	users     []pwEntry
	groups    []grEntry
	shadow    map[string]spEntry
	pwErr     error
	grErr     error
	spErr     error
	spMissing bool
}

func (t *Target) db() *userDB {
	if t.users != nil {
		return t.users
	}
	d := &userDB{shadow: map[string]spEntry{}}
	t.users = d
	data, exists, err := t.read("/etc/passwd")
	switch {
	case err != nil:
		d.pwErr = fmt.Errorf("cannot read /etc/passwd: %v", err)
	case !exists:
		d.pwErr = fmt.Errorf("/etc/passwd does not exist")
	}
	for i, l := range strings.Split(string(data), "\n") {
		f := strings.Split(l, ":")
		if len(f) < 7 || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-") {
			continue
		}
		uid, e1 := strconv.Atoi(f[2])
		gid, e2 := strconv.Atoi(f[3])
		if e1 != nil || e2 != nil {
			continue
		}
		pw := f[1]
		if pw != "x" && pw != "" && pw != "*" && pw != "!" {
			pw = "hash" // a hash in passwd: state only
		}
		d.users = append(d.users, pwEntry{name: f[0], pw: pw, uid: uid, gid: gid, home: f[5], shell: f[6], line: i + 1})
	}
	data, exists, err = t.read("/etc/group")
	switch {
	case err != nil:
		d.grErr = fmt.Errorf("cannot read /etc/group: %v", err)
	case !exists:
		d.grErr = fmt.Errorf("/etc/group does not exist")
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Split(l, ":")
		if len(f) < 4 {
			continue
		}
		gid, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		g := grEntry{name: f[0], gid: gid}
		if f[3] != "" {
			g.members = strings.Split(f[3], ",")
		}
		d.groups = append(d.groups, g)
	}
	data, exists, err = t.read("/etc/shadow")
	switch {
	case err != nil:
		d.spErr = fmt.Errorf("cannot read /etc/shadow: %v", err)
	case !exists:
		d.spMissing = true
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Split(l, ":")
		if len(f) < 8 {
			continue
		}
		d.shadow[f[0]] = spEntry{state: pwState(f[1]), scheme: hashScheme(f[1]), lastChange: atoiOr(f[2]), min: atoiOr(f[3]), max: atoiOr(f[4]), warn: atoiOr(f[5]), inactive: atoiOr(f[6])}
	}
	return d
}

func atoiOr(s string) int {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return -1
	}
	return v
}

func pwState(h string) string {
	switch {
	case h == "":
		return "empty"
	case h == "*" || h == "!" || h == "!!" || h == "!*":
		return "disabled"
	case strings.HasPrefix(h, "!") || strings.HasPrefix(h, "*"):
		return "locked"
	}
	return "set"
}

func hashScheme(h string) string {
	h = strings.TrimLeft(h, "!*")
	switch {
	case strings.HasPrefix(h, "$y$"):
		return "yescrypt"
	case strings.HasPrefix(h, "$gy$"):
		return "gost-yescrypt"
	case strings.HasPrefix(h, "$6$"):
		return "sha512crypt"
	case strings.HasPrefix(h, "$5$"):
		return "sha256crypt"
	case strings.HasPrefix(h, "$2"):
		return "bcrypt"
	case strings.HasPrefix(h, "$1$"):
		return "md5crypt"
	case h == "":
		return ""
	case !strings.HasPrefix(h, "$") && len(h) == 13:
		return "des"
	}
	return "unknown"
}

func (t *Target) uidOf(name string) (uint32, bool) {
	for _, u := range t.db().users {
		if u.name == name {
			return uint32(u.uid), true
		}
	}
	if name == "root" {
		return 0, true
	}
	return 0, false
}

func (t *Target) gidOf(name string) (uint32, bool) {
	for _, g := range t.db().groups {
		if g.name == name {
			return uint32(g.gid), true
		}
	}
	if name == "root" {
		return 0, true
	}
	return 0, false
}

func (t *Target) userName(uid uint32) string {
	for _, u := range t.db().users {
		if u.uid == int(uid) {
			return u.name
		}
	}
	return strconv.Itoa(int(uid))
}

func (t *Target) groupName(gid uint32) string {
	for _, g := range t.db().groups {
		if g.gid == int(gid) {
			return g.name
		}
	}
	return strconv.Itoa(int(gid))
}

// loginShell reports whether a shell lets the account log in.
func loginShell(sh string) bool {
	return !(strings.HasSuffix(sh, "/nologin") || strings.HasSuffix(sh, "/false") || sh == "" || strings.HasSuffix(sh, "/sync") || strings.HasSuffix(sh, "/shutdown") || strings.HasSuffix(sh, "/halt"))
}

func (t *Target) account(p *policy.AccountProbe) Result {
	d := t.db()
	if d.pwErr != nil {
		return errorf("%v", d.pwErr)
	}
	needShadow := func() *Result {
		if d.spErr != nil {
			r := errorf("%v", d.spErr)
			return &r
		}
		if d.spMissing {
			r := errorf("/etc/shadow does not exist")
			return &r
		}
		return nil
	}
	var bad []string
	add := func(s string) {
		if len(bad) < 10 {
			bad = append(bad, s)
		}
	}
	switch p.Property {
	case "uid0-only-root":
		for _, u := range d.users {
			if u.uid == 0 && u.name != "root" {
				add(u.name + " has UID 0")
			}
		}
	case "no-empty-password":
		if r := needShadow(); r != nil {
			return *r
		}
		for _, u := range d.users {
			if u.pw == "" {
				add(u.name + ": empty password field in /etc/passwd")
			} else if s, ok := d.shadow[u.name]; ok && s.state == "empty" && u.pw == "x" {
				add(u.name + ": empty password in /etc/shadow")
			}
		}
	case "shadowed-passwords":
		for _, u := range d.users {
			if u.pw != "x" {
				add(u.name + ": password field in /etc/passwd is not 'x'")
			}
		}
	case "unique-uid", "unique-name":
		seen := map[string]string{}
		for _, u := range d.users {
			k := strconv.Itoa(u.uid)
			if p.Property == "unique-name" {
				k = u.name
			}
			if prev, dup := seen[k]; dup {
				add(fmt.Sprintf("%s and %s share %s", prev, u.name, k))
			}
			seen[k] = u.name
		}
	case "unique-gid", "unique-group-name":
		if d.grErr != nil {
			return errorf("%v", d.grErr)
		}
		seen := map[string]string{}
		for _, g := range d.groups {
			k := strconv.Itoa(g.gid)
			if p.Property == "unique-group-name" {
				k = g.name
			}
			if prev, dup := seen[k]; dup {
				add(fmt.Sprintf("groups %s and %s share %s", prev, g.name, k))
			}
			seen[k] = g.name
		}
	case "root-gid":
		for _, u := range d.users {
			if u.name == "root" && u.gid != 0 {
				add(fmt.Sprintf("root's primary GID is %d", u.gid))
			}
		}
	case "groups-exist":
		if d.grErr != nil {
			return errorf("%v", d.grErr)
		}
		gids := map[int]bool{}
		for _, g := range d.groups {
			gids[g.gid] = true
		}
		for _, u := range d.users {
			if !gids[u.gid] {
				add(fmt.Sprintf("%s: GID %d is not in /etc/group", u.name, u.gid))
			}
		}
	case "group-empty":
		if d.grErr != nil {
			return errorf("%v", d.grErr)
		}
		var gid = -1
		for _, g := range d.groups {
			if g.name == p.Group {
				gid = g.gid
				for _, m := range g.members {
					add(fmt.Sprintf("%s is a member of %s", m, g.name))
				}
			}
		}
		if gid < 0 {
			return pass("group " + p.Group + " does not exist")
		}
		for _, u := range d.users {
			if u.gid == gid {
				add(fmt.Sprintf("%s has %s as primary group", u.name, p.Group))
			}
		}
	case "system-accounts-nologin":
		uidMin := t.uidMin()
		for _, u := range d.users {
			if u.uid < uidMin && u.name != "root" && u.name != "sync" && u.name != "shutdown" && u.name != "halt" && loginShell(u.shell) {
				if s, ok := d.shadow[u.name]; ok && s.state != "set" && s.state != "empty" {
					continue // password locked: no login with it (keys still could)
				}
				add(fmt.Sprintf("%s (uid %d) has shell %s", u.name, u.uid, u.shell))
			}
		}
	case "password-max-days", "password-min-days", "password-warn-days", "password-inactive", "password-change-past":
		if r := needShadow(); r != nil {
			return *r
		}
		today := int(time.Now().Unix() / 86400)
		for _, u := range d.users {
			s, ok := d.shadow[u.name]
			if !ok || s.state != "set" {
				continue
			}
			var v int
			switch p.Property {
			case "password-max-days":
				v = s.max
			case "password-min-days":
				v = s.min
			case "password-warn-days":
				v = s.warn
			case "password-inactive":
				v = s.inactive
			case "password-change-past":
				if s.lastChange > today {
					add(u.name + ": last password change is in the future")
				}
				continue
			}
			if v < 0 {
				add(u.name + ": field not set")
				continue
			}
			ok2, err := compare(strconv.Itoa(v), p.Op, p.Value)
			if err != nil {
				return errorf("%v", err)
			}
			if !ok2 {
				add(fmt.Sprintf("%s: %d (want %s %s)", u.name, v, opName(p.Op), p.Value))
			}
		}
	case "hash-scheme":
		if r := needShadow(); r != nil {
			return *r
		}
		for _, u := range d.users {
			s, ok := d.shadow[u.name]
			if !ok || s.state != "set" {
				continue
			}
			if in, _ := compare(s.scheme, "in", p.Value); !in {
				add(fmt.Sprintf("%s uses %s", u.name, s.scheme))
			}
		}
	case "no-nopasswd-all":
		if t.Inv == nil {
			return errorf("no inventory: sudoers not collected")
		}
		for _, r := range t.Inv.Sudoers {
			if !r.NoPasswd {
				continue
			}
			for _, c := range r.Commands {
				if strings.TrimSpace(c) == "ALL" {
					add(fmt.Sprintf("%s:%d: %s NOPASSWD: ALL", r.File, r.Line, r.Principal))
				}
			}
		}
	case "interactive-users-home":
		uidMin := t.uidMin()
		for _, u := range d.users {
			if u.uid >= uidMin && u.uid < 60000 && loginShell(u.shell) {
				if _, err := t.FS.Stat(u.home); err != nil {
					add(fmt.Sprintf("%s: home %s: %v", u.name, u.home, shortErr(err)))
				}
			}
		}
	default:
		return errorf("unknown account property %q", p.Property)
	}
	if len(bad) > 0 {
		return fail(policy.AccountProperties[p.Property]+": not met", bad...)
	}
	return pass(policy.AccountProperties[p.Property])
}

func opName(op string) string {
	if op == "" {
		return "eq"
	}
	return op
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// uidMin is login.defs UID_MIN (default 1000).
func (t *Target) uidMin() int {
	data, _, _ := t.read("/etc/login.defs")
	min := 1000
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "UID_MIN" {
			if v, err := strconv.Atoi(f[1]); err == nil {
				min = v
			}
		}
	}
	return min
}
