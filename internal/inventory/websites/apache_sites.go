package websites

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// apacheState is what httpd tracks while reading its configuration in
// order: the ServerRoot that relative paths hang off, and Define'd (or
// envvars-exported) variables substituted as ${NAME}.
type apacheState struct {
	serverRoot string
	vars       map[string]string
}

var apacheVar = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

func (st *apacheState) subst(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return apacheVar.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := st.vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

func (st *apacheState) abs(p string) string {
	if p == "" || strings.HasPrefix(p, "/") {
		return p
	}
	return path.Join(st.serverRoot, p)
}

// defaultServerRoot guesses the compiled-in ServerRoot from the main
// file's place: /etc/httpd/conf/httpd.conf -> /etc/httpd, else its dir.
func defaultServerRoot(mainFile string) string {
	dir := path.Dir(mainFile)
	if path.Base(dir) == "conf" {
		return path.Dir(dir)
	}
	return dir
}

// loadApache reads an httpd configuration with Include/IncludeOptional
// spliced in, Define and ServerRoot applied in order, and variables
// substituted in every argument.
func loadApache(l *loader, mainFile string, env map[string]string) []*Directive {
	st := &apacheState{serverRoot: defaultServerRoot(mainFile), vars: map[string]string{}}
	for k, v := range env {
		st.vars[k] = v
	}
	dirs, id, ok := l.load(mainFile, nil)
	if !ok {
		return nil
	}
	l.push(id, mainFile)
	defer l.pop()
	return expandApache(l, st, dirs, 0)
}

func expandApache(l *loader, st *apacheState, dirs []*Directive, nest int) []*Directive {
	var out []*Directive
	for _, d := range dirs {
		for i, a := range d.Args {
			d.Args[i] = st.subst(a)
		}
		switch {
		case d.is("ServerRoot") && len(d.Args) > 0:
			st.serverRoot = d.Args[0]
		case d.is("Define") && len(d.Args) > 0:
			st.vars[d.Args[0]] = d.arg(1)
		case (d.is("Include") || d.is("IncludeOptional")) && !d.HasBlock && len(d.Args) > 0:
			out = append(out, includeApache(l, st, d)...)
			continue
		}
		if d.HasBlock && nest < maxNesting {
			d.Block = expandApache(l, st, d.Block, nest+1)
		}
		out = append(out, d)
	}
	return out
}

func includeApache(l *loader, st *apacheState, d *Directive) []*Directive {
	optional := d.is("IncludeOptional")
	pattern := st.abs(d.Args[0])
	files, err := l.expandPattern(pattern, true)
	if err != nil {
		if !(optional && isMissing(err)) {
			l.warn(d.File, fmt.Errorf("line %d: %s %s: %w", d.Line, d.Name, d.Args[0], err))
		}
		return nil
	}
	var out []*Directive
	for _, f := range files {
		sub, id, ok := l.load(f, d)
		if !ok {
			continue
		}
		l.push(id, f)
		out = append(out, expandApache(l, st, sub, 0)...)
		l.pop()
	}
	return out
}

// parseEnvvars reads the "export NAME=value" lines of Debian's
// /etc/apache2/envvars. It is a shell script: it is never run, and values
// that need the shell (other variables) are kept as written.
func parseEnvvars(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		name, val, ok := strings.Cut(strings.TrimSpace(rest), "=")
		if !ok || name == "" || strings.ContainsAny(name, " \t$") {
			continue
		}
		out[name] = strings.Trim(val, `"'`)
	}
	return out
}

// conditional sections are read through: which modules are loaded or
// which -D flags are set is not known from files alone, and a site
// inside <IfModule mod_ssl.c> is still configured.
func isConditional(d *Directive) bool {
	n := strings.ToLower(d.Name)
	return strings.HasPrefix(n, "if") && n != "if" && n != "ifelse"
}

// apacheSites extracts the main server (when it has a DocumentRoot) and
// every <VirtualHost>.
func apacheSites(dirs []*Directive) []model.WebSite {
	main := model.WebSite{Server: "apache"}
	var docRoot *Directive
	var vhosts []*Directive
	var walk func(block []*Directive, nest int)
	walk = func(block []*Directive, nest int) {
		for _, d := range block {
			switch {
			case d.HasBlock && d.is("VirtualHost"):
				vhosts = append(vhosts, d)
			case d.HasBlock && isConditional(d) && nest < maxNesting:
				walk(d.Block, nest+1)
			case d.is("Listen") && len(d.Args) > 0:
				entry := d.Args[0]
				if strings.EqualFold(d.arg(1), "https") {
					entry += " ssl"
				}
				main.Listen = append(main.Listen, entry)
			case d.is("DocumentRoot") && len(d.Args) > 0:
				docRoot = d
			default:
				applyServerDirective(&main, d)
			}
		}
	}
	walk(dirs, 0)

	var out []model.WebSite
	if docRoot != nil {
		main.DocumentRoot = docRoot.Args[0]
		main.ConfigFile, main.Line = docRoot.File, docRoot.Line
		out = append(out, main)
	}
	for _, v := range vhosts {
		site := model.WebSite{Server: "apache", ConfigFile: v.File, Line: v.Line, Listen: append([]string(nil), v.Args...)}
		walkVhost(&site, v.Block, 0)
		if site.DocumentRoot == "" {
			site.DocumentRoot = main.DocumentRoot // a vhost inherits the main server's
		}
		out = append(out, site)
	}
	return out
}

func walkVhost(site *model.WebSite, block []*Directive, nest int) {
	if nest > maxNesting {
		return
	}
	for _, d := range block {
		switch {
		case d.HasBlock && isConditional(d):
			walkVhost(site, d.Block, nest+1)
		case d.HasBlock && (d.is("Location") || d.is("LocationMatch")):
			for _, p := range d.Block {
				if (p.is("ProxyPass") || p.is("ProxyPassMatch")) && len(p.Args) > 0 && p.Args[0] != "!" {
					addProxy(site, model.WebLocation{Path: d.arg(0), ProxyPass: p.Args[0], Line: p.Line})
				}
			}
		case d.is("DocumentRoot") && len(d.Args) > 0:
			site.DocumentRoot = d.Args[0]
		case (d.is("Alias") || d.is("AliasMatch")) && len(d.Args) > 1:
			site.Locations = append(site.Locations, model.WebLocation{Path: d.Args[0], Alias: d.Args[1], Line: d.Line})
		default:
			applyServerDirective(site, d)
		}
	}
}

// applyServerDirective handles what a vhost and the main server share.
func applyServerDirective(site *model.WebSite, d *Directive) {
	switch {
	case d.HasBlock:
	case d.is("ServerName") && len(d.Args) > 0:
		site.ServerNames = appendName(site.ServerNames, d.Args[0])
	case d.is("ServerAlias"):
		for _, a := range d.Args {
			site.ServerNames = appendName(site.ServerNames, a)
		}
	case d.is("SSLEngine") && strings.EqualFold(d.arg(0), "on"):
		site.TLS = true
	case (d.is("ProxyPass") || d.is("ProxyPassMatch")) && len(d.Args) > 1 && d.Args[1] != "!":
		addProxy(site, model.WebLocation{Path: d.Args[0], ProxyPass: d.Args[1], Line: d.Line})
	}
}

func addProxy(site *model.WebSite, loc model.WebLocation) {
	site.Locations = append(site.Locations, loc)
	if !contains(site.ProxyPass, loc.ProxyPass) {
		site.ProxyPass = append(site.ProxyPass, loc.ProxyPass)
	}
}

// appendName adds a server name without its ":port" (ServerName takes
// "www.example.com:443").
func appendName(names []string, n string) []string {
	if i := strings.LastIndexByte(n, ':'); i > 0 && !strings.Contains(n[:i], ":") && isPort(n[i+1:]) {
		n = n[:i]
	}
	if n == "" || contains(names, n) {
		return names
	}
	return append(names, n)
}

func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
