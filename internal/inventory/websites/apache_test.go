package websites

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestParseApache(t *testing.T) {
	tests := []struct {
		name, conf, want, err string
	}{
		{"sections and case", "<VirtualHost *:80>\n  servername a\n  <Directory \"/var/www\">\n    Require all granted\n  </directory>\n</VIRTUALHOST>\n",
			"VirtualHost *:80@1{servername a@2 Directory /var/www@3{Require all|granted@4}}", ""},
		{"line continuation keeps the first line number", "ServerAlias a \\\n   b \\\n   c\nListen 80\n",
			"ServerAlias a|b|c@1 Listen 80@4", ""},
		{"quotes group and escape", `DocumentRoot "/srv/my site"` + "\n" + `Header set X "a \"b\" c"` + "\n" + `RewriteRule ^/(.*)$ 'http://x/$1' [P]`,
			`DocumentRoot /srv/my site@1 Header set|X|a "b" c@2 RewriteRule ^/(.*)$|http://x/$1|[P]@3`, ""},
		{"comments and blank lines", "# c\n\n   # indented\nListen 80\n", "Listen 80@4", ""},
		{"stray closer", "Listen 80\n</VirtualHost>\nListen 81", "Listen 80@1 Listen 81@3", "line 2: </VirtualHost> without matching <VirtualHost>"},
		{"unclosed section", "<IfModule ssl>\nListen 443\n", "IfModule ssl@1{Listen 443@2}", "line 1: <IfModule> has no closing </IfModule>"},
		{"crossed sections", "<A>\n<B>\n</A>\nListen 80\n", "A@1{B@2{}} Listen 80@4", "line 3: </A> closes <B> opened at line 2"},
		{"section without >", "<VirtualHost *:80\nListen 80\n", "Listen 80@2", `line 1: section "<VirtualHost *:80" has no closing >`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirs, err := ParseApache("/etc/httpd/conf/httpd.conf", []byte(tt.conf))
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

func loadApacheSites(t *testing.T, main string, files map[string]string) ([]model.WebSite, warnings) {
	t.Helper()
	fsys := testutil.TempRoot(t, files)
	var w warnings
	l := newLoader(fsys, w.add, ParseApache)
	return apacheSites(loadApache(l, main, nil)), w
}

func TestApacheIncludesAndSites(t *testing.T) {
	sites, warns := loadApacheSites(t, "/etc/httpd/conf/httpd.conf", map[string]string{
		"etc/httpd/conf/httpd.conf": `ServerRoot "/etc/httpd"
Listen 80
Define DOCS /var/www
Include conf.modules.d
IncludeOptional conf.d/*.conf
IncludeOptional nothing/*.conf
Include missing.conf
DocumentRoot "${DOCS}/html"
ServerName main.example:80
`,
		"etc/httpd/conf.modules.d/00-ssl.conf": "LoadModule ssl_module modules/mod_ssl.so\n",
		"etc/httpd/conf.modules.d/sub/10.conf": "Listen 8443 https\n",
		"etc/httpd/conf.d/loop.conf":           "Include conf.d/loop.conf\n",
		"etc/httpd/conf.d/vhosts.conf": `<IfModule mod_ssl.c>
  <IfDefine !NOPE>
    <VirtualHost *:443 [::]:443>
      ServerName secure.example
      SSLEngine On
      DocumentRoot ${DOCS}/secure
      <Location /app>
        ProxyPass http://127.0.0.1:9000/app
      </Location>
      ProxyPass /excluded !
      ProxyPass /api http://127.0.0.1:8080/api
    </VirtualHost>
  </IfDefine>
</IfModule>
<VirtualHost *:80>
  ServerAlias www.plain.example plain.example:8080
  Alias /files /srv/files
</VirtualHost>
`,
	})
	want := []model.WebSite{
		{Server: "apache", ServerNames: []string{"main.example"}, Listen: []string{"80", "8443 ssl"}, DocumentRoot: "/var/www/html", ConfigFile: "/etc/httpd/conf/httpd.conf", Line: 8},
		{
			Server: "apache", ServerNames: []string{"secure.example"}, Listen: []string{"*:443", "[::]:443"}, TLS: true,
			DocumentRoot: "/var/www/secure", ProxyPass: []string{"http://127.0.0.1:9000/app", "http://127.0.0.1:8080/api"},
			ConfigFile: "/etc/httpd/conf.d/vhosts.conf", Line: 3,
			Locations: []model.WebLocation{
				{Path: "/app", ProxyPass: "http://127.0.0.1:9000/app", Line: 8},
				{Path: "/api", ProxyPass: "http://127.0.0.1:8080/api", Line: 11},
			},
		},
		{
			Server: "apache", ServerNames: []string{"www.plain.example", "plain.example"}, Listen: []string{"*:80"},
			DocumentRoot: "/var/www/html", ConfigFile: "/etc/httpd/conf.d/vhosts.conf", Line: 15,
			Locations: []model.WebLocation{{Path: "/files", Alias: "/srv/files", Line: 17}},
		},
	}
	if diff := cmp.Diff(want, sites); diff != "" {
		t.Errorf("sites (-want +got):\n%s", diff)
	}
	wantWarn := []string{
		"/etc/httpd/conf.d/loop.conf: include loop",
		"/etc/httpd/conf/httpd.conf: line 7: Include missing.conf: stat /etc/httpd/missing.conf: file does not exist",
	}
	if len(warns) != len(wantWarn) {
		t.Fatalf("warnings %q, want %d", warns, len(wantWarn))
	}
	for i, w := range wantWarn {
		if !strings.HasPrefix(warns[i], w) {
			t.Errorf("warning %q does not start with %q", warns[i], w)
		}
	}
}

func TestParseEnvvars(t *testing.T) {
	got := parseEnvvars([]byte("unset HOME\nexport APACHE_RUN_USER=www-data\nexport APACHE_LOG_DIR=/var/log/apache2$SUFFIX\n  export LANG=\"C\"\nexport A B=c\n"))
	want := map[string]string{"APACHE_RUN_USER": "www-data", "APACHE_LOG_DIR": "/var/log/apache2$SUFFIX", "LANG": "C"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
