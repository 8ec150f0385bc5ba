package websites

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

// flat renders directives as "name arg|arg@line" with blocks in braces.
func flat(dirs []*Directive) string {
	var b strings.Builder
	for i, d := range dirs {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s", d.Name)
		if len(d.Args) > 0 {
			fmt.Fprintf(&b, " %s", strings.Join(d.Args, "|"))
		}
		fmt.Fprintf(&b, "@%d", d.Line)
		if d.HasBlock {
			fmt.Fprintf(&b, "{%s}", flat(d.Block))
		}
	}
	return b.String()
}

func TestParseNginx(t *testing.T) {
	tests := []struct {
		name, conf, want, err string
	}{
		{"nested blocks", "http {\n server {\n  location / { root /a; }\n }\n}\n",
			"http@1{server@2{location /@3{root /a@3}}}", ""},
		{"quoted strings keep ; and braces", `add_header CSP "default-src 'self'; img-src {x}";`,
			`add_header CSP|default-src 'self'; img-src {x}@1`, ""},
		{"single quotes and escapes", `log_format main '$a "$b" \'c\'';` + "\n" + `set $x "a\"b\\c";`,
			`log_format main|$a "$b" 'c'@1 set $x|a"b\c@2`, ""},
		{"comments and # inside a word", "listen 80; # comment ; {\nroot /var/www/a#b; #tail\n",
			"listen 80@1 root /var/www/a#b@2", ""},
		{"variable braces stay in the word", "return 301 https://${host}/x;\nif ($a) { return 404; }",
			"return 301|https://${host}/x@1 if ($a)@2{return 404@2}", ""},
		{"lua block skipped", "location /x {\n content_by_lua_block {\n  ngx.say(\"}{\") -- }\n  if a then b() end\n }\n root /r;\n}",
			"location /x@1{content_by_lua_block@2{} root /r@6}", ""},
		{"multi-line quoted value counts lines", "a \"x\ny\";\nb 1;", "a x\ny@1 b 1@3", ""},
		{"unterminated quote", "root /a;\nserver_name \"oops;\n", "root /a@1", `line 2: unterminated " quote`},
		{"missing closing brace", "http {\n server {\n", "http@1{server@2{}}", `line 2: block "server" has no closing "}"`},
		{"unexpected closing brace", "root /a;\n}\nlisten 80;", "root /a@1 listen 80@3", `line 2: unexpected "}"`},
		{"directive without semicolon", "server { listen 80 }", "server@1{listen 80@1}", `line 1: directive "listen" is not terminated by ";"`},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirs, err := ParseNginx("/etc/nginx/nginx.conf", []byte(tt.conf))
			if got := flat(dirs); got != tt.want {
				t.Errorf("parse:\n got %s\nwant %s", got, tt.want)
			}
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.err != "" && (err == nil || err.Error() != tt.err):
				t.Errorf("error %v, want %q", err, tt.err)
			}
		})
	}
}

func TestParseNginxNestingBounded(t *testing.T) {
	conf := strings.Repeat("a {", 10000)
	dirs, err := ParseNginx("deep.conf", []byte(conf))
	if err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("error %v, want a nesting error", err)
	}
	if len(dirs) != 1 {
		t.Errorf("got %d top-level directives, want 1", len(dirs))
	}
}

type warnings []string

func (w *warnings) add(path string, err error) { *w = append(*w, path+": "+err.Error()) }

func loadNginxSites(t *testing.T, files map[string]string) ([]model.WebSite, warnings) {
	t.Helper()
	fsys := testutil.TempRoot(t, files)
	var w warnings
	l := newLoader(fsys, w.add, ParseNginx)
	return nginxSites(loadNginx(l, "/etc/nginx/nginx.conf"), ""), w
}

func siteNames(sites []model.WebSite) []string {
	var out []string
	for _, s := range sites {
		out = append(out, strings.Join(s.ServerNames, ",")+"@"+s.ConfigFile)
	}
	return out
}

func TestNginxIncludes(t *testing.T) {
	server := func(name string) string { return "server { server_name " + name + "; }\n" }
	tests := []struct {
		name      string
		files     map[string]string
		wantSites []string
		wantWarn  []string // substrings, in order
	}{
		{
			name: "globs relative to the conf dir, sorted, through links",
			files: map[string]string{
				"etc/nginx/nginx.conf":             "http { include conf.d/*.conf; include /etc/nginx/sites-enabled/*; }",
				"etc/nginx/conf.d/b.conf":          server("b"),
				"etc/nginx/conf.d/a.conf":          server("a"),
				"etc/nginx/conf.d/skip.txt":        server("not-included"),
				"etc/nginx/sites-available/x":      server("x"),
				"etc/nginx/sites-enabled/x":        "->../sites-available/x",
				"etc/nginx/sites-enabled/dangling": "->../sites-available/gone",
			},
			wantSites: []string{"a@/etc/nginx/conf.d/a.conf", "b@/etc/nginx/conf.d/b.conf", "x@/etc/nginx/sites-enabled/x"},
		},
		{
			name: "an absolute link target stays inside the root",
			files: map[string]string{
				"etc/nginx/nginx.conf":         "http { include sites-enabled/*; }",
				"etc/nginx/sites-enabled/evil": "->/etc/passwd-site",
				"etc/passwd-site":              server("inside-root"),
			},
			wantSites: []string{"inside-root@/etc/nginx/sites-enabled/evil"},
		},
		{
			name: "include loop is a warning, not a hang",
			files: map[string]string{
				"etc/nginx/nginx.conf": "http { include a.conf; }",
				"etc/nginx/a.conf":     server("a") + "include b.conf;",
				"etc/nginx/b.conf":     server("b") + "include a.conf;",
			},
			wantSites: []string{"a@/etc/nginx/a.conf", "b@/etc/nginx/b.conf"},
			wantWarn:  []string{"/etc/nginx/a.conf: include loop: /etc/nginx/a.conf is already being read (included from /etc/nginx/b.conf:2)"},
		},
		{
			name: "a file including itself",
			files: map[string]string{
				"etc/nginx/nginx.conf": "http { include nginx.conf; server { server_name main; } }",
			},
			wantSites: []string{"main@/etc/nginx/nginx.conf"},
			wantWarn:  []string{"include loop"},
		},
		{
			name: "missing include named with its line",
			files: map[string]string{
				"etc/nginx/nginx.conf": "events {}\nhttp {\n include mime.types;\n include none/*.conf;\n server { server_name s; }\n}",
			},
			wantSites: []string{"s@/etc/nginx/nginx.conf"},
			wantWarn:  []string{"/etc/nginx/nginx.conf: line 3: include mime.types: stat /etc/nginx/mime.types: file does not exist"},
		},
		{
			name:      "broken included file still yields what parsed",
			files:     map[string]string{"etc/nginx/nginx.conf": "http { include x.conf; }", "etc/nginx/x.conf": server("x") + "server { server_name \"y; }"},
			wantSites: []string{"x@/etc/nginx/x.conf", "@/etc/nginx/x.conf"},
			wantWarn:  []string{"/etc/nginx/x.conf: line 2: unterminated \" quote"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sites, warns := loadNginxSites(t, tt.files)
			if diff := cmp.Diff(tt.wantSites, siteNames(sites)); diff != "" {
				t.Errorf("sites (-want +got):\n%s", diff)
			}
			if len(warns) != len(tt.wantWarn) {
				t.Fatalf("warnings %q, want %d", warns, len(tt.wantWarn))
			}
			for i, w := range tt.wantWarn {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %q does not contain %q", warns[i], w)
				}
			}
		})
	}
}

func TestNginxIncludeBounds(t *testing.T) {
	files := map[string]string{"etc/nginx/nginx.conf": "http { include c0.conf; }"}
	for i := 0; i < 40; i++ {
		files[fmt.Sprintf("etc/nginx/c%d.conf", i)] = fmt.Sprintf("include c%d.conf;", i+1)
	}
	_, warns := loadNginxSites(t, files)
	if len(warns) != 1 || !strings.Contains(warns[0], "includes nested deeper than 16") {
		t.Errorf("warnings %q, want one depth warning", warns)
	}

	// Each file includes the whole directory: without a budget this is
	// exponential; with it the scan stops after maxConfigFiles files.
	files = map[string]string{"etc/nginx/nginx.conf": "http { include d/*.conf; }"}
	for i := 0; i < 8; i++ {
		files[fmt.Sprintf("etc/nginx/d/%d.conf", i)] = "include d/*.conf; server { server_name s; }"
	}
	sites, warns := loadNginxSites(t, files)
	if len(sites) == 0 || len(sites) > maxConfigFiles {
		t.Errorf("got %d sites", len(sites))
	}
	found := false
	for _, w := range warns {
		found = found || strings.Contains(w, "include loop") || strings.Contains(w, "configuration files")
	}
	if !found {
		t.Errorf("no loop or budget warning in %q", warns)
	}
}

func TestNginxSiteDetails(t *testing.T) {
	sites, warns := loadNginxSites(t, map[string]string{
		"etc/nginx/nginx.conf": `http {
  root /srv/default;
  server { }
  server {
    listen 443 ssl http2; listen [::]:443 quic reuseport; listen unix:/run/x.sock;
    server_name a.example "b.example" "";
    location /api { proxy_pass http://127.0.0.1:8080; location /api/v2 { if ($x) { proxy_pass http://v2; } } }
    location ~* \.(png|jpg)$ { root /srv/img; }
    location /dl { alias /srv/files/; }
  }
  upstream u { server 10.0.0.1:80; }
}
stream { server { listen 3306; proxy_pass db; } }`,
	})
	if len(warns) != 0 {
		t.Errorf("warnings: %q", warns)
	}
	want := []model.WebSite{
		{Server: "nginx", Listen: []string{"80"}, DocumentRoot: "/srv/default", ConfigFile: "/etc/nginx/nginx.conf", Line: 3},
		{
			Server: "nginx", ServerNames: []string{"a.example", "b.example"},
			Listen: []string{"443 ssl", "[::]:443 ssl", "unix:/run/x.sock"}, TLS: true,
			DocumentRoot: "/srv/default", ProxyPass: []string{"http://127.0.0.1:8080", "http://v2"},
			ConfigFile: "/etc/nginx/nginx.conf", Line: 4,
			Locations: []model.WebLocation{
				{Path: "/api", ProxyPass: "http://127.0.0.1:8080", Line: 7},
				{Path: "/api/v2", ProxyPass: "http://v2", Line: 7},
				{Path: `~* \.(png|jpg)$`, Root: "/srv/img", Line: 8},
				{Path: "/dl", Alias: "/srv/files/", Line: 9},
			},
		},
	}
	if diff := cmp.Diff(want, sites); diff != "" {
		t.Errorf("sites (-want +got):\n%s", diff)
	}
}
