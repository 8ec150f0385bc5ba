package apps

import (
	"context"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// Evidence kinds, in the order they are reported.
const (
	evProcess = "process"
	evPackage = "package"
	evBinary  = "binary"
)

// observation is one sighting of an application: a process, a file at a
// well-known place, or a package group. Sightings of the same install are
// merged into one record.
type observation struct {
	fp       *Fingerprint
	evidence string
	proc     *model.Process
	role     string
	// hosted: the process is an interpreter or VM (java, beam) running the
	// application, so its executable says nothing about the install.
	hosted    bool
	home      string // install directory, when known
	instance  string // per-instance directory or name, when known
	binary    string // executable (process) or binary found on disk
	idPath    string // the file whose package owner identifies the install
	container string
	group     *pkgGroup
}

// matchProcess returns the observations one process gives: at most one
// application plus any runtimes.
func matchProcess(order []*Fingerprint, p *model.Process) []*observation {
	if p.Exe == "" && len(p.Cmdline) == 0 {
		return nil // kernel thread, or a process that exited meanwhile
	}
	names := procNames(p)
	joined := strings.Join(p.Cmdline, " ")
	var out []*observation
	claimed := false
	for _, fp := range order {
		if claimed && !fp.isRuntime() {
			continue
		}
		for _, m := range fp.procs {
			if !m.matches(names, joined) {
				continue
			}
			out = append(out, &observation{fp: fp, evidence: evProcess, proc: p, role: m.role, hosted: m.cmdline != nil, container: p.ContainerID})
			if !fp.isRuntime() {
				claimed = true
			}
			break
		}
	}
	return out
}

func (m compiledMatcher) matches(names []string, cmdline string) bool {
	if len(m.names) > 0 {
		ok := false
		for _, re := range m.names {
			for _, n := range names {
				if re.MatchString(n) {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return m.cmdline == nil || m.cmdline.MatchString(cmdline)
}

// locateProcess fills where a matched process's install lives.
func (c *collector) locateProcess(env *inventory.Env, o *observation) {
	p := o.proc
	args := procArgs(p)
	o.binary = p.Exe
	fp := o.fp
	if h, ok := firstGroup(args, fp.homeArgs); ok {
		// A relative home ("start.jar" run from its directory) is under the cwd.
		o.home = absFrom(p.Cwd, h)
	} else if fp.Home.ExeUp > 0 && p.Exe != "" && o.container == "" {
		o.home = c.homeFromBinary(env, fp, p.Exe)
	}
	if v := flagValues(args, fp.Home.InstanceFlags); len(v) > 0 {
		o.instance = absFrom(p.Cwd, v[0])
	} else if v, ok := firstGroup(args, fp.instArgs); ok {
		if a := absFrom(p.Cwd, v); a != "" {
			v = a
		}
		o.instance = v
	}
	o.idPath = p.Exe
	if o.home != "" && fp.Home.Marker != "" && o.container == "" {
		if m := c.firstMatch(env, path.Join(o.home, fp.Home.Marker)); m != "" {
			o.idPath = m
		}
	}
}

// homeFromBinary walks ExeUp levels up from an executable; the directory
// is the home only if the marker is there, and never a system prefix.
func (c *collector) homeFromBinary(env *inventory.Env, fp *Fingerprint, bin string) string {
	h := bin
	for i := 0; i < fp.Home.ExeUp; i++ {
		h = path.Dir(h)
	}
	switch h {
	case "/", "/usr", "/usr/local", "/opt", "/bin", "/sbin":
		return ""
	}
	if fp.Home.Marker != "" && c.firstMatch(env, path.Join(h, fp.Home.Marker)) == "" {
		return ""
	}
	return h
}

// firstMatch returns the first existing path matching a glob, or "".
func (c *collector) firstMatch(env *inventory.Env, pattern string) string {
	ms := c.glob(env, pattern)
	if len(ms) == 0 {
		return ""
	}
	return ms[0]
}

// glob expands a pattern in the root; patterns without wildcards are a
// plain existence check.
func (c *collector) glob(env *inventory.Env, pattern string) []string {
	pattern = rootfs.Clean(pattern)
	if !strings.ContainsAny(pattern, "*?[") {
		if env.FS.Exists(pattern) {
			return []string{pattern}
		}
		return nil
	}
	ms, err := env.FS.Glob(pattern)
	if err != nil {
		return nil
	}
	sort.Strings(ms)
	return ms
}

// observeFiles looks for installs at the fingerprints' well-known places:
// this is how a scanned image (no processes) or a stopped tarball install
// is found.
func (c *collector) observeFiles(ctx context.Context, env *inventory.Env) []*observation {
	var out []*observation
	for _, fp := range c.set.fps {
		if ctx.Err() != nil {
			return out
		}
		var found []*observation
		for _, g := range fp.Binaries {
			for _, b := range c.glob(env, g) {
				if !c.isRegular(env, b) {
					continue
				}
				o := &observation{fp: fp, evidence: evBinary, binary: b, idPath: b}
				if fp.Home.ExeUp > 0 {
					o.home = c.homeFromBinary(env, fp, b)
				}
				found = append(found, o)
			}
		}
		if fp.Home.Marker != "" {
			for _, g := range fp.Home.Globs {
				for _, h := range c.glob(env, g) {
					st, err := env.FS.Stat(h)
					if err != nil || !st.IsDir() {
						continue
					}
					m := c.firstMatch(env, path.Join(h, fp.Home.Marker))
					if m == "" {
						continue
					}
					found = append(found, &observation{fp: fp, evidence: evBinary, home: h, idPath: m})
				}
			}
		}
		out = append(out, c.dedupeByInode(env, found)...)
	}
	return out
}

func (c *collector) isRegular(env *inventory.Env, p string) bool {
	st, err := env.FS.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// dedupeByInode drops sightings that reach the same file through another
// name (/usr/lib/jvm/java-1.17.0-openjdk-amd64 links to java-17-...),
// keeping the name that is not itself a link.
func (c *collector) dedupeByInode(env *inventory.Env, obs []*observation) []*observation {
	type key struct{ dev, ino uint64 }
	best := map[key]int{}
	var keep []*observation
	for _, o := range obs {
		st, err := env.FS.Stat(o.idPath)
		if err != nil {
			continue
		}
		dev, ino, ok := rootfs.Inode(st)
		if !ok {
			keep = append(keep, o)
			continue
		}
		k := key{dev, ino}
		i, seen := best[k]
		if !seen {
			best[k] = len(keep)
			keep = append(keep, o)
			continue
		}
		if c.viaLink(env, keep[i]) && !c.viaLink(env, o) {
			keep[i] = o
		}
	}
	return keep
}

// viaLink reports whether the sighting's directory (or binary) is a link.
func (c *collector) viaLink(env *inventory.Env, o *observation) bool {
	p := o.home
	if p == "" {
		p = o.binary
	}
	for p != "/" && p != "." && p != "" {
		if st, err := env.FS.Lstat(p); err == nil && st.Mode()&fs.ModeSymlink != 0 {
			return true
		}
		p = path.Dir(p)
	}
	return false
}

// localPrefixes are where hand-made (tarball) installs live; a file here
// is not from an OS package even when file lists are unknown.
var localPrefixes = []string{"/opt/", "/usr/local/", "/srv/", "/home/", "/root/", "/tmp/", "/var/tmp/", "/u01/", "/data/", "/app/", "/apps/"}

func isLocal(p string) bool {
	for _, pre := range localPrefixes {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// link ties a sighting to the package group that installed it.
func link(o *observation, groups []*pkgGroup, owners *ownerIndex) *pkgGroup {
	if o.container != "" || o.evidence == evPackage {
		return o.group
	}
	owner := owners.owner(o.idPath)
	if owner != nil {
		k := groupKey(owner)
		for _, g := range groups {
			if g.key == k {
				return g
			}
		}
	}
	if len(groups) != 1 {
		return nil
	}
	// An application run by an interpreter (RabbitMQ on Erlang's beam) has
	// no file of its own to look up: the only installed package is it.
	hostedOnly := o.hosted && o.home == ""
	if owner != nil || owners.hasFiles {
		if hostedOnly {
			return groups[0]
		}
		return nil
	}
	// No file lists: judge by where the file is.
	if hostedOnly || !isLocal(o.idPath) {
		return groups[0]
	}
	return nil
}
