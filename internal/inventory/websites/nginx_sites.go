package websites

import (
	"fmt"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// loadNginx reads an nginx configuration with its includes spliced in
// where they stand. Relative include paths are relative to the directory
// of the main file (nginx's conf prefix).
func loadNginx(l *loader, mainFile string) []*Directive {
	dirs, id, ok := l.load(mainFile, nil)
	if !ok {
		return nil
	}
	l.push(id, mainFile)
	defer l.pop()
	return expandNginx(l, dirs, path.Dir(mainFile), 0)
}

func expandNginx(l *loader, dirs []*Directive, prefix string, nest int) []*Directive {
	var out []*Directive
	for _, d := range dirs {
		if d.Name == "include" && !d.HasBlock && len(d.Args) == 1 {
			out = append(out, includeNginx(l, d, prefix)...)
			continue
		}
		if d.HasBlock && nest < maxNesting {
			d.Block = expandNginx(l, d.Block, prefix, nest+1)
		}
		out = append(out, d)
	}
	return out
}

func includeNginx(l *loader, d *Directive, prefix string) []*Directive {
	pattern := d.Args[0]
	if !strings.HasPrefix(pattern, "/") {
		pattern = path.Join(prefix, pattern)
	}
	files, err := l.expandPattern(pattern, false)
	if err != nil {
		// nginx refuses to start on a missing non-glob include.
		l.warn(d.File, fmt.Errorf("line %d: include %s: %w", d.Line, d.Args[0], err))
		return nil
	}
	var out []*Directive
	for _, f := range files {
		sub, id, ok := l.load(f, d)
		if !ok {
			continue
		}
		l.push(id, f)
		out = append(out, expandNginx(l, sub, prefix, 0)...)
		l.pop()
	}
	return out
}

// nginxSites extracts the http server blocks of an expanded configuration.
// prefix resolves relative roots ("" leaves them as written).
func nginxSites(dirs []*Directive, prefix string) []model.WebSite {
	var out []model.WebSite
	for _, d := range dirs {
		if d.Name != "http" || !d.HasBlock {
			continue
		}
		httpRoot := lastArg(d.Block, "root")
		for _, s := range d.Block {
			if s.Name == "server" && s.HasBlock {
				site := nginxSite(s, httpRoot)
				resolveRoots(&site, prefix)
				out = append(out, site)
			}
		}
	}
	return out
}

// nginxPrefix is the install prefix relative roots hang off, known for a
// source layout (/usr/local/nginx/conf/nginx.conf -> /usr/local/nginx);
// packaged builds compile in a prefix the files do not tell.
func nginxPrefix(mainFile string) string {
	dir := path.Dir(mainFile)
	if path.Base(dir) == "conf" {
		return path.Dir(dir)
	}
	return ""
}

func resolveRoots(site *model.WebSite, prefix string) {
	abs := func(p string) string {
		if prefix == "" || p == "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "$") {
			return p
		}
		return path.Join(prefix, p)
	}
	site.DocumentRoot = abs(site.DocumentRoot)
	for i := range site.Locations {
		site.Locations[i].Root = abs(site.Locations[i].Root)
		site.Locations[i].Alias = abs(site.Locations[i].Alias)
	}
}

func nginxSite(s *Directive, inheritedRoot string) model.WebSite {
	site := model.WebSite{Server: "nginx", ConfigFile: s.File, Line: s.Line, DocumentRoot: inheritedRoot}
	for _, d := range s.Block {
		switch d.Name {
		case "listen":
			if len(d.Args) == 0 {
				continue
			}
			entry := d.Args[0]
			for _, flag := range d.Args[1:] {
				if flag == "ssl" || flag == "quic" {
					site.TLS = true
					entry += " ssl"
					break
				}
			}
			site.Listen = append(site.Listen, entry)
		case "server_name":
			for _, n := range d.Args {
				if n != "" {
					site.ServerNames = append(site.ServerNames, n)
				}
			}
		case "root":
			site.DocumentRoot = d.arg(0)
		case "ssl":
			if d.arg(0) == "on" {
				site.TLS = true
			}
		}
	}
	if len(site.Listen) == 0 {
		// nginx's default when a server has no listen directive.
		site.Listen = []string{"80"}
	}
	collectLocations(&site, s.Block, 0)
	return site
}

// collectLocations records location blocks (nested ones too) that serve
// from their own root or alias or proxy elsewhere.
func collectLocations(site *model.WebSite, block []*Directive, nest int) {
	if nest > maxNesting {
		return
	}
	for _, d := range block {
		if d.Name != "location" || !d.HasBlock {
			continue
		}
		loc := model.WebLocation{Path: strings.Join(d.Args, " "), Line: d.Line}
		loc.Root = lastArg(d.Block, "root")
		loc.Alias = lastArg(d.Block, "alias")
		loc.ProxyPass = findProxyPass(d.Block, 0)
		if loc.Root != "" || loc.Alias != "" || loc.ProxyPass != "" {
			site.Locations = append(site.Locations, loc)
			if loc.ProxyPass != "" && !contains(site.ProxyPass, loc.ProxyPass) {
				site.ProxyPass = append(site.ProxyPass, loc.ProxyPass)
			}
		}
		collectLocations(site, d.Block, nest+1)
	}
}

// findProxyPass looks for proxy_pass in a location and its if-blocks.
func findProxyPass(block []*Directive, nest int) string {
	for _, d := range block {
		if d.Name == "proxy_pass" && len(d.Args) > 0 {
			return d.Args[0]
		}
	}
	if nest > 4 {
		return ""
	}
	for _, d := range block {
		if d.Name == "if" && d.HasBlock {
			if p := findProxyPass(d.Block, nest+1); p != "" {
				return p
			}
		}
	}
	return ""
}

// lastArg returns the first argument of the last directive called name
// directly in block (later directives override earlier ones).
func lastArg(block []*Directive, name string) string {
	v := ""
	for _, d := range block {
		if d.is(name) && !d.HasBlock && len(d.Args) > 0 {
			v = d.Args[0]
		}
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
