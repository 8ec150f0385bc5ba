package websites

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// configRoots are where web servers keep their main configuration when no
// running process or application record says otherwise.
var configRoots = []struct{ server, file string }{
	{"nginx", "/etc/nginx/nginx.conf"},
	{"nginx", "/usr/local/nginx/conf/nginx.conf"},
	{"nginx", "/usr/local/openresty/nginx/conf/nginx.conf"},
	{"apache", "/etc/apache2/apache2.conf"},
	{"apache", "/etc/httpd/conf/httpd.conf"},
	{"apache", "/usr/local/apache2/conf/httpd.conf"},
}

// appDirs are searched one level deep for applications outside any site.
var appDirs = []string{"/var/www", "/srv", "/opt"}

type collector struct {
	fps []*AppFingerprint
	err error
}

// New returns the web site and web application collector.
func New() inventory.Collector {
	fps, err := DefaultAppFingerprints()
	return &collector{fps: fps, err: err}
}

// NewWithFingerprints uses the given web-application fingerprints.
func NewWithFingerprints(fps []*AppFingerprint) inventory.Collector {
	return &collector{fps: fps}
}

func (c *collector) Name() string { return "apps/websites" }

// Phase 2: after the application collector (phase 1), whose records name
// web server configs and Tomcat instances.
func (c *collector) Phase() int { return 2 }

func (c *collector) NeedsLive() bool { return false }

func (c *collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	if c.err != nil {
		return nil, fmt.Errorf("web application fingerprints: %w", c.err)
	}
	prior := env.Prior
	if prior == nil {
		prior = &model.Inventory{}
	}
	frag := &model.Inventory{}
	frag.WebSites = c.serverSites(env, prior.Applications)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tSites, tApps := tomcatSites(env, prior.Applications)
	frag.WebSites = append(frag.WebSites, tSites...)

	d := &detector{env: env, fps: c.fps, pkgs: prior.Packages, seen: map[string]bool{}}
	d.scan(candidates(env, frag.WebSites, prior.Processes))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	apps := append(d.apps, tApps...)
	apps = append(apps, springBootApps(env, prior, jarDirs(env))...)
	assignSites(apps, frag.WebSites)
	frag.WebApps = dedupeApps(apps)
	sortSites(frag.WebSites)
	return frag, nil
}

// serverSites parses each nginx and Apache configuration once.
func (c *collector) serverSites(env *inventory.Env, apps []model.Application) []model.WebSite {
	type root struct{ server, file string }
	var roots []root
	for _, a := range apps {
		server := map[string]string{"nginx": "nginx", "apache-httpd": "apache"}[a.Name]
		if server == "" || a.ContainerID != "" {
			continue
		}
		for _, p := range a.ConfigPaths {
			roots = append(roots, root{server, p})
		}
	}
	for _, r := range configRoots {
		roots = append(roots, root{r.server, r.file})
	}
	var sites []model.WebSite
	done := map[fileID]bool{}
	for _, r := range roots {
		st, err := env.FS.Stat(r.file)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		id := fileID{}
		if dev, ino, ok := rootfs.Inode(st); ok {
			id = fileID{dev, ino}
		}
		if done[id] {
			continue
		}
		done[id] = true
		switch r.server {
		case "nginx":
			l := newLoader(env.FS, env.Warn, ParseNginx)
			main := rootfs.Clean(r.file)
			sites = append(sites, nginxSites(loadNginx(l, main), nginxPrefix(main))...)
		case "apache":
			l := newLoader(env.FS, env.Warn, ParseApache)
			sites = append(sites, apacheSites(loadApache(l, rootfs.Clean(r.file), apacheEnv(env, r.file)))...)
		}
	}
	return sites
}

// apacheEnv reads Debian's envvars next to apache2.conf, if any.
func apacheEnv(env *inventory.Env, mainFile string) map[string]string {
	data, err := env.FS.ReadFile(path.Join(path.Dir(mainFile), "envvars"), 64<<10)
	if err != nil {
		return nil
	}
	return parseEnvvars(data)
}

// candidates lists directories that may hold applications: site roots,
// the usual application directories, and the working directories and
// scripts of interpreter processes.
func candidates(env *inventory.Env, sites []model.WebSite, procs []model.Process) []candidate {
	var out []candidate
	add := func(dir string, children bool) {
		if !strings.HasPrefix(dir, "/") || strings.Contains(dir, "$") || dir == "/" {
			return
		}
		out = append(out, candidate{rootfs.Clean(dir), children})
	}
	addRoot := func(dir string) {
		add(dir, true)
		// Laravel, Symfony and ThinkPHP serve public/ of the application.
		switch path.Base(dir) {
		case "public", "web", "webroot", "htdocs":
			add(path.Dir(dir), false)
		}
	}
	for _, s := range sites {
		if s.Server == "tomcat" {
			continue // its appBase holds contexts, listed on their own
		}
		addRoot(s.DocumentRoot)
		for _, l := range s.Locations {
			addRoot(l.Root)
			addRoot(l.Alias)
		}
	}
	for _, dir := range appDirs {
		entries, err := env.FS.ReadDir(dir)
		if err != nil {
			continue
		}
		for i, e := range entries {
			if i >= maxChildren {
				break
			}
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				add(path.Join(dir, e.Name()), true)
			}
		}
	}
	for _, p := range procs {
		for _, dir := range processAppDirs(p) {
			add(dir, false)
		}
	}
	return out
}

// processAppDirs: the working directory and script directory of Python
// and Node processes, and gunicorn/uwsgi --chdir.
func processAppDirs(p model.Process) []string {
	if p.ContainerID != "" || len(p.Cmdline) == 0 {
		return nil
	}
	exe := path.Base(p.Exe)
	interp := strings.HasPrefix(exe, "python") || exe == "node" || exe == "nodejs" || strings.HasPrefix(p.Name, "uwsgi")
	if !interp {
		return nil
	}
	var out []string
	if p.Cwd != "" && p.Cwd != "/" {
		out = append(out, p.Cwd)
	}
	args := p.Cmdline
	for i, a := range args {
		switch {
		case (a == "--chdir" || a == "--chdir2") && i+1 < len(args):
			out = append(out, absFrom(p.Cwd, args[i+1]))
		case strings.HasPrefix(a, "--chdir="):
			out = append(out, absFrom(p.Cwd, strings.TrimPrefix(a, "--chdir=")))
		case i > 0 && (strings.HasSuffix(a, ".py") || strings.HasSuffix(a, ".js") || strings.HasSuffix(a, ".mjs") || strings.HasSuffix(a, ".cjs")):
			if f := absFrom(p.Cwd, a); f != "" && !strings.Contains(f, "/bin/") {
				out = append(out, path.Dir(f))
			}
		}
	}
	return out
}

// jarDirs are the directories whose jars are checked for Spring Boot.
func jarDirs(env *inventory.Env) []string {
	var out []string
	for _, dir := range []string{"/opt", "/srv"} {
		entries, err := env.FS.ReadDir(dir)
		if err != nil {
			continue
		}
		for i, e := range entries {
			if i >= maxChildren {
				break
			}
			if e.IsDir() {
				out = append(out, path.Join(dir, e.Name()))
			}
		}
	}
	return out
}

// siteRoot is a directory a site serves, for attributing applications.
type siteRoot struct {
	dir   string
	label string
}

// assignSites sets each application's Site: the site whose root (document
// root, location root or alias) holds the application, the longest root
// winning; an application whose public/ subdirectory is the root counts.
func assignSites(apps []model.WebApp, sites []model.WebSite) {
	var roots []siteRoot
	for _, s := range sites {
		label := siteLabel(s)
		for _, r := range []string{s.DocumentRoot} {
			if strings.HasPrefix(r, "/") {
				roots = append(roots, siteRoot{path.Clean(r), label})
			}
		}
		for _, l := range s.Locations {
			for _, r := range []string{l.Root, l.Alias} {
				if strings.HasPrefix(r, "/") {
					roots = append(roots, siteRoot{path.Clean(r), label})
				}
			}
		}
	}
	for i := range apps {
		if apps[i].Site != "" {
			continue
		}
		best := -1
		for j, r := range roots {
			if !servesApp(r.dir, apps[i].Path) {
				continue
			}
			if best < 0 || len(r.dir) > len(roots[best].dir) {
				best = j
			}
		}
		if best >= 0 {
			apps[i].Site = roots[best].label
		}
	}
}

func servesApp(root, app string) bool {
	if root == app || strings.HasPrefix(app, root+"/") {
		return true
	}
	// The root is a direct subdirectory of the app (public/, static/).
	rest, ok := strings.CutPrefix(root, app+"/")
	return ok && rest != "" && !strings.Contains(rest, "/")
}

// siteLabel names a site: its first real server name, else its first
// listen address.
func siteLabel(s model.WebSite) string {
	for _, n := range s.ServerNames {
		if n != "_" && n != "" {
			return n
		}
	}
	if len(s.Listen) > 0 {
		return s.Listen[0]
	}
	return ""
}

func dedupeApps(apps []model.WebApp) []model.WebApp {
	sort.SliceStable(apps, func(i, j int) bool {
		if apps[i].Path != apps[j].Path {
			return apps[i].Path < apps[j].Path
		}
		return apps[i].Name < apps[j].Name
	})
	var out []model.WebApp
	for _, a := range apps {
		if n := len(out); n > 0 && out[n-1].Path == a.Path && out[n-1].Name == a.Name {
			continue
		}
		out = append(out, a)
	}
	return out
}

func sortSites(sites []model.WebSite) {
	sort.SliceStable(sites, func(i, j int) bool {
		a, b := sites[i], sites[j]
		if a.Server != b.Server {
			return a.Server < b.Server
		}
		if a.ConfigFile != b.ConfigFile {
			return a.ConfigFile < b.ConfigFile
		}
		return a.Line < b.Line
	})
}
