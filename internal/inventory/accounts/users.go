package accounts

import (
	"bytes"
	"io"
	"path"
	"sort"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/accounts/parse"
	"github.com/ward-sec/ward/internal/model"
)

const (
	passwdFile    = "/etc/passwd"
	shadowFile    = "/etc/shadow"
	groupFile     = "/etc/group"
	loginDefsFile = "/etc/login.defs"
)

// noLoginShells cannot start an interactive session (matched by base name).
var noLoginShells = map[string]bool{
	"nologin": true, "false": true, "true": true, "sync": true, "halt": true, "shutdown": true, "null": true,
}

// accountDB is what the later stages need from passwd and group.
type accountDB struct {
	users  []model.User // sorted by UID, then name
	groups []model.Group
	// gids maps a user name to its primary and supplementary group ids,
	// for the authorized_keys readability check.
	gids map[string][]int
}

func readAccounts(env *inventory.Env, now time.Time) *accountDB {
	defs := parse.DefaultLoginDefs
	if data, ok := readSmall(env, loginDefsFile); ok {
		defs, _ = parse.ParseLoginDefs(bytes.NewReader(data))
	}
	pw := readPasswd(env)
	shadow, shadowRead := readShadow(env)
	groups := readGroups(env)

	db := &accountDB{groups: groups.list, gids: make(map[string][]int, len(pw)), users: make([]model.User, 0, len(pw))}
	seen := map[string]bool{}
	for _, e := range pw {
		if seen[e.Name] {
			env.Warnf(passwdFile, "line %d: duplicate user %q ignored (the first one is used)", e.Line, e.Name)
			continue
		}
		seen[e.Name] = true
		u := model.User{
			Name: e.Name, UID: e.UID, GID: e.GID, Gecos: e.Gecos, Home: e.Home, Shell: e.Shell,
			CanLogin: canLogin(e.Shell),
			System:   e.UID < defs.UIDMin || e.UID > defs.UIDMax,
			Source:   passwdFile,
		}
		sh, hasShadow := shadow[e.Name]
		switch {
		case !e.Shadowed:
			// pam_unix uses a password that is not "x" as it stands.
			u.Password, u.HashScheme = e.Password, e.Scheme
		case hasShadow:
			u.Password, u.HashScheme = sh.Password, sh.Scheme
		case shadowRead:
			// "x" and no shadow entry: no password can match.
			u.Password = model.PasswordDisabled
		default:
			u.Password = model.PasswordUnknown
		}
		if hasShadow {
			applyAging(&u, sh, now)
		}
		u.Groups, db.gids[e.Name] = groups.of(e)
		db.users = append(db.users, u)
	}
	sort.SliceStable(db.users, func(i, j int) bool {
		a, b := db.users[i], db.users[j]
		if a.UID != b.UID {
			return a.UID < b.UID
		}
		return a.Name < b.Name
	})
	return db
}

func readPasswd(env *inventory.Env) []parse.PasswdEntry {
	var pw []parse.PasswdEntry
	opened := streamFile(env, passwdFile, maxAccountDB, func(r io.Reader) error {
		var errs []parse.LineError
		var err error
		pw, errs, err = parse.ParsePasswd(r)
		warnLines(env, passwdFile, errs)
		return err
	})
	if !opened && !env.FS.Exists(passwdFile) {
		env.Warnf(passwdFile, "not found; no local users collected")
	}
	return pw
}

// readShadow returns the shadow entries by name (first one wins) and
// whether the file could be read at all.
func readShadow(env *inventory.Env) (map[string]parse.ShadowEntry, bool) {
	shadow := map[string]parse.ShadowEntry{}
	read := streamFile(env, shadowFile, maxAccountDB, func(r io.Reader) error {
		entries, errs, err := parse.ParseShadow(r)
		warnLines(env, shadowFile, errs)
		for _, e := range entries {
			if _, dup := shadow[e.Name]; dup {
				env.Warnf(shadowFile, "line %d: duplicate entry for %q ignored (the first one is used)", e.Line, e.Name)
				continue
			}
			shadow[e.Name] = e
		}
		return err
	})
	return shadow, read
}

// canLogin judges the shell by name only: the binary may live anywhere.
func canLogin(shell string) bool {
	if shell == "" {
		return true // login uses /bin/sh
	}
	return !noLoginShells[path.Base(shell)]
}

// applyAging fills the shadow aging fields, judged as pam_unix does:
// last change 0 forces a change at next login; a password older than
// max days has expired; the account has expired on its expire day.
func applyAging(u *model.User, sh parse.ShadowEntry, now time.Time) {
	today := int(now.Unix() / 86400)
	if sh.MaxDays != nil {
		v := *sh.MaxDays
		u.MaxDays = &v
	}
	if lc := sh.LastChange; lc != nil {
		if *lc == 0 {
			u.MustChangePassword = true
			u.PasswordExpired = true
		} else {
			t := epochDay(*lc)
			u.LastChange = &t
			if sh.MaxDays != nil && *lc+*sh.MaxDays < today {
				u.PasswordExpired = true
			}
		}
	}
	if sh.Expire != nil {
		t := epochDay(*sh.Expire)
		u.AccountExpires = &t
		u.AccountExpired = today >= *sh.Expire
	}
	u.Expired = u.PasswordExpired || u.AccountExpired
}

func epochDay(d int) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// maxLineWarnings bounds the warnings for one file: a file of garbage
// must not turn into a million warnings.
const maxLineWarnings = 20

// warnLines turns parser line errors into warnings on file.
func warnLines(env *inventory.Env, file string, errs []parse.LineError) {
	for i, e := range errs {
		if i == maxLineWarnings {
			env.Warnf(file, "%d more bad lines not listed", len(errs)-i)
			return
		}
		env.Warn(file, e)
	}
}
