package websites

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/apps/bounded"
	"github.com/ward-sec/ward/internal/model"
)

const maxJarsScanned = 200

// readManifest reads META-INF/MANIFEST.MF from a jar or war in the root.
func readManifest(env *inventory.Env, archive string) (map[string]string, error) {
	f, err := env.FS.OpenFile(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	if env.Limits.MaxFileSize > 0 && st.Size() > env.Limits.MaxFileSize {
		return nil, fmt.Errorf("archive larger than %d bytes", env.Limits.MaxFileSize)
	}
	data, err := bounded.ZipRead(f, st.Size(), "META-INF/MANIFEST.MF", bounded.ZipLimits{MaxEntries: env.Limits.MaxArchiveEntries, MaxBytes: maxManifestLen})
	if err != nil {
		return nil, err
	}
	return parseManifest(data), nil
}

// isSpringBoot reads the Spring Boot marks of a manifest.
func isSpringBoot(m map[string]string) (version string, ok bool) {
	if v := m["Spring-Boot-Version"]; v != "" {
		return v, true
	}
	return "", strings.HasPrefix(m["Main-Class"], "org.springframework.boot.loader.")
}

// springBootApps finds Spring Boot executable jars: those the language
// package collector marked (manifest metadata, or BOOT-INF/lib contents),
// those java processes run with -jar, and jars one level under the usual
// application directories.
func springBootApps(env *inventory.Env, prior *model.Inventory, jarDirs []string) []model.WebApp {
	found := map[string]*model.WebApp{}
	add := func(jar, version, evidence string) {
		if a, ok := found[jar]; ok {
			if a.Version == "" {
				a.Version = version
			}
			return
		}
		found[jar] = &model.WebApp{Name: "spring-boot", Version: version, Path: jar, Language: "java", Evidence: evidence}
	}
	for _, p := range prior.Packages {
		if p.Type != model.PkgMaven {
			continue
		}
		if v, ok := p.Metadata["spring-boot-version"]; ok && !strings.Contains(p.Location, "!") {
			add(p.Location, v, "MANIFEST.MF Spring-Boot-Version")
		} else if _, ok := p.Metadata["start-class"]; ok && !strings.Contains(p.Location, "!") {
			add(p.Location, "", "MANIFEST.MF Start-Class")
		}
	}
	for _, p := range prior.Packages {
		if p.Type != model.PkgMaven {
			continue
		}
		outer, _, ok := strings.Cut(p.Location, "!/BOOT-INF/")
		if !ok {
			continue
		}
		v := ""
		if p.Name == "spring-boot" && (p.Group == "" || p.Group == "org.springframework.boot") {
			v = p.Version
		}
		add(outer, v, "BOOT-INF/lib")
	}
	check := func(jar, evidence string) {
		if _, ok := found[jar]; ok {
			return
		}
		m, err := readManifest(env, jar)
		if err != nil {
			return // not a jar we can read: not ours to judge
		}
		if v, ok := isSpringBoot(m); ok {
			add(jar, v, evidence)
		}
	}
	for _, p := range prior.Processes {
		if jar := javaJarArg(p); jar != "" && p.ContainerID == "" {
			check(jar, "java -jar (MANIFEST.MF)")
		}
	}
	n := 0
	for _, dir := range jarDirs {
		jars, _ := env.FS.Glob(path.Join(dir, "*.jar"))
		sort.Strings(jars)
		for _, j := range jars {
			if n++; n > maxJarsScanned {
				break
			}
			check(j, "MANIFEST.MF")
		}
	}
	var out []model.WebApp
	for _, a := range found {
		out = append(out, *a)
	}
	return out
}

// javaJarArg returns the absolute path of the jar a "java -jar X.jar"
// process runs, or "".
func javaJarArg(p model.Process) string {
	if len(p.Cmdline) == 0 || !strings.HasPrefix(path.Base(p.Cmdline[0]), "java") {
		return ""
	}
	for i := 1; i+1 < len(p.Cmdline); i++ {
		if p.Cmdline[i] == "-jar" {
			return absFrom(p.Cwd, p.Cmdline[i+1])
		}
	}
	return ""
}

// tomcatSites reads server.xml of each Tomcat instance found by the
// application collector: its hosts are sites, and what their appBase holds
// (directories and .war files) are web applications of that site.
func tomcatSites(env *inventory.Env, apps []model.Application) ([]model.WebSite, []model.WebApp) {
	var sites []model.WebSite
	var webapps []model.WebApp
	seen := map[string]bool{}
	for _, a := range apps {
		if a.Name != "tomcat" || a.ContainerID != "" {
			continue
		}
		base := a.Instance
		if !strings.HasPrefix(base, "/") {
			base = a.Home
		}
		if base == "" || seen[base] {
			continue
		}
		seen[base] = true
		conf := path.Join(base, "conf/server.xml")
		data, err := env.FS.ReadFile(conf, 1<<20)
		if err != nil {
			if !isMissing(err) {
				env.Warn(conf, err)
			}
			continue
		}
		hosts, err := ParseTomcatServerXML(data)
		if err != nil {
			env.Warn(conf, err)
		}
		for _, h := range hosts {
			appBase := h.AppBase
			if !strings.HasPrefix(appBase, "/") {
				appBase = path.Join(base, appBase)
			}
			sites = append(sites, model.WebSite{Server: "tomcat", ServerNames: nonEmpty(h.Name), Listen: h.Listen, TLS: h.TLS, DocumentRoot: appBase, ConfigFile: conf, Line: h.Line})
			webapps = append(webapps, tomcatWebapps(env, appBase, h.Name)...)
		}
	}
	return sites, webapps
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// tomcatWebapps lists the contexts deployed in an appBase: exploded
// directories and wars (a war and its exploded directory are one app).
func tomcatWebapps(env *inventory.Env, appBase, host string) []model.WebApp {
	entries, err := env.FS.ReadDir(appBase)
	if err != nil {
		if !isMissing(err) {
			env.Warn(appBase, err)
		}
		return nil
	}
	dirs := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			dirs[e.Name()] = true
		}
	}
	var out []model.WebApp
	for i, e := range entries {
		if i >= maxChildren {
			break
		}
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := path.Join(appBase, name)
		app := model.WebApp{Path: p, Language: "java", Site: host, Evidence: "tomcat appBase"}
		switch {
		case e.IsDir():
			app.Name = name
			if data, err := env.FS.ReadFile(path.Join(p, "META-INF/MANIFEST.MF"), maxManifestLen); err == nil {
				app.Version = parseManifest(data)["Implementation-Version"]
			}
			if hasWar(entries, name) {
				app.Evidence = "tomcat appBase (war, exploded)"
				if m, err := readManifest(env, p+".war"); err == nil && app.Version == "" {
					app.Version = m["Implementation-Version"]
				}
			}
		case strings.HasSuffix(name, ".war") && e.Type().IsRegular():
			ctx := strings.TrimSuffix(name, ".war")
			if dirs[ctx] {
				continue // reported with its exploded directory
			}
			app.Name = ctx
			if m, err := readManifest(env, p); err == nil {
				app.Version = m["Implementation-Version"]
			}
		default:
			continue
		}
		out = append(out, app)
	}
	return out
}

func hasWar(entries []fs.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name+".war" {
			return true
		}
	}
	return false
}

// absFrom makes p absolute against dir; "" when that is impossible.
func absFrom(dir, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	if !strings.HasPrefix(dir, "/") {
		return ""
	}
	return path.Join(dir, p)
}
