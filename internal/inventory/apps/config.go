package apps

import (
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
)

// configPaths lists an install's configuration files: those its processes
// were started with first (they are what is in effect), then the
// fingerprint's candidates that exist.
func (c *collector) configPaths(env *inventory.Env, r *record) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range r.procs {
		args := procArgs(p)
		given := append(flagValues(args, r.fp.Config.Flags), allGroups(args, r.fp.cfgArgs)...)
		for _, g := range given {
			base := p.Cwd
			if base == "" {
				base = r.home
			}
			add(absFrom(base, g))
		}
	}
	if r.container != "" {
		return out // the candidates below are host paths, not the container's
	}
	for _, f := range r.fp.Config.Files {
		var patterns []string
		if strings.HasPrefix(f, "/") {
			// System-wide files belong to a packaged install, not to a
			// tarball one that has its own directory.
			if r.home == "" || r.group != nil {
				patterns = append(patterns, f)
			}
		} else {
			// An instance has its own configuration (catalina.base/conf);
			// the install's copy applies only when there is no instance dir.
			if strings.HasPrefix(r.instance, "/") {
				patterns = append(patterns, r.instance+"/"+f)
			} else if r.home != "" {
				patterns = append(patterns, r.home+"/"+f)
			}
		}
		for _, pat := range patterns {
			for _, m := range c.glob(env, pat) {
				if c.isRegular(env, m) {
					add(m)
				}
			}
		}
	}
	return out
}
