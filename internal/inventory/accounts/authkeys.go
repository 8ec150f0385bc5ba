package accounts

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/accounts/parse"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

const sshdConfigFile = "/etc/ssh/sshd_config"

// defaultAuthorizedKeysFiles is sshd's built-in AuthorizedKeysFile.
var defaultAuthorizedKeysFiles = []string{".ssh/authorized_keys", ".ssh/authorized_keys2"}

// keyFile is one parsed authorized_keys file, shared by users whose
// patterns lead to the same path (several accounts with one home).
type keyFile struct {
	keys []parse.AuthorizedKeyLine
	fi   fs.FileInfo
}

func collectAuthorizedKeys(ctx context.Context, env *inventory.Env, db *accountDB) []model.AuthorizedKey {
	patterns := authorizedKeysFiles(env)
	cache := map[string]*keyFile{}
	var out []model.AuthorizedKey
	for _, u := range db.users {
		if ctx.Err() != nil {
			return out
		}
		if u.Home == "" {
			continue
		}
		seen := map[string]bool{}
		for _, pat := range patterns {
			p, err := parse.ExpandAuthorizedKeysPath(pat, u.Home, u.Name, u.UID)
			if err != nil {
				env.Warn(sshdConfigFile, err)
				continue
			}
			p = rootfs.Clean(p)
			if seen[p] {
				continue
			}
			seen[p] = true
			kf, ok := cache[p]
			if !ok {
				kf = readKeyFile(env, p)
				cache[p] = kf
			}
			if kf == nil {
				continue
			}
			if env.Live && !readableBy(kf.fi, u.UID, db.gids[u.Name]) {
				// sshd reads the file as the user. A file the user cannot
				// read (e.g. a link to /etc/shadow) is not theirs to report.
				env.Warnf(p, "not readable by %s, so sshd does not use it; not reported", u.Name)
				continue
			}
			for _, k := range kf.keys {
				out = append(out, model.AuthorizedKey{
					User: u.Name, File: p, Line: k.Line, Type: k.Type, Bits: k.Bits,
					Comment: k.Comment, Options: k.Options, Fingerprint: k.Fingerprint,
				})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.User != b.User {
			return a.User < b.User
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return out
}

// readKeyFile parses one authorized_keys file; nil when it does not exist.
func readKeyFile(env *inventory.Env, p string) *keyFile {
	f, err := env.FS.OpenFile(p)
	if err != nil {
		if !isMissing(err) {
			env.Warn(p, err)
		}
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		env.Warn(p, err)
		return nil
	}
	if fi.IsDir() {
		env.Warnf(p, "is a directory, not an authorized_keys file")
		return nil
	}
	if fi.Size() > maxConfigFile {
		env.Warnf(p, "larger than %d bytes; not read", maxConfigFile)
		return nil
	}
	// The cap also holds if the file grows while it is read.
	keys, errs, err := parse.ParseAuthorizedKeys(io.LimitReader(f, maxConfigFile))
	if err != nil {
		env.Warn(p, err)
	}
	warnLines(env, p, errs)
	return &keyFile{keys: keys, fi: fi}
}

// readableBy checks the permission bits as the kernel would for uid with
// the given groups (root reads everything).
func readableBy(fi fs.FileInfo, uid int, gids []int) bool {
	if uid == 0 {
		return true
	}
	fuid, fgid, ok := rootfs.Owner(fi)
	if !ok {
		return true
	}
	mode := fi.Mode().Perm()
	if int(fuid) == uid {
		return mode&0o400 != 0
	}
	for _, g := range gids {
		if int(fgid) == g {
			return mode&0o040 != 0
		}
	}
	return mode&0o004 != 0
}

// authorizedKeysFiles returns the AuthorizedKeysFile patterns from
// sshd_config (global section, following Include), or sshd's default.
// "none" yields no patterns.
func authorizedKeysFiles(env *inventory.Env) []string {
	var found []string
	set := false
	open := map[string]bool{} // files being read: an Include loop stops here
	var visit func(name string, depth int)
	visit = func(name string, depth int) {
		if set || depth > maxIncludeDeep || open[name] {
			return
		}
		data, ok := readSmall(env, name)
		if !ok {
			return
		}
		open[name] = true
		defer delete(open, name)
		dirs, errs, _ := parse.ParseSSHDConfig(bytes.NewReader(data))
		warnLines(env, name, errs)
		for _, d := range dirs {
			if set {
				return
			}
			if d.InMatch {
				// Match blocks (and what they include) apply to some
				// connections only; the global value is what most
				// logins use.
				continue
			}
			switch d.Keyword {
			case "include":
				for _, arg := range d.Args {
					for _, inc := range sshdIncludes(env, arg) {
						visit(inc, depth+1)
					}
				}
			case "authorizedkeysfile":
				// sshd keeps the first value it sees.
				set = true
				found = d.Args
			}
		}
	}
	visit(sshdConfigFile, 0)
	if !set {
		return defaultAuthorizedKeysFiles
	}
	var out []string
	for _, a := range found {
		if strings.EqualFold(a, "none") {
			return nil
		}
		out = append(out, a)
	}
	return out
}

// sshdIncludes expands an Include argument: relative paths are under
// /etc/ssh; glob patterns are matched in sorted order.
func sshdIncludes(env *inventory.Env, arg string) []string {
	if !path.IsAbs(arg) {
		arg = path.Join("/etc/ssh", arg)
	}
	if !strings.ContainsAny(arg, "*?[") {
		return []string{rootfs.Clean(arg)}
	}
	matches, err := env.FS.Glob(arg)
	if err != nil {
		env.Warn(sshdConfigFile, err)
		return nil
	}
	sort.Strings(matches)
	return matches
}
