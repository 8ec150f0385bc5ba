package websites

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

// addFixtureSeeds adds the fixture roots' real configuration files.
func addFixtureSeeds(f *testing.F, rel ...string) {
	for _, r := range rel {
		data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata/roots", r))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseNginx(f *testing.F) {
	addFixtureSeeds(f,
		"debian/etc/nginx/nginx.conf", "debian/etc/nginx/sites-available/default",
		"debian/etc/nginx/sites-available/shop.example.com", "debian/etc/nginx/sites-available/apps.example.com",
		"debian/etc/nginx/conf.d/blog.conf", "rhel/etc/nginx/nginx.conf", "rhel/etc/nginx/conf.d/springapp.conf")
	f.Add([]byte(`a "b\"c" 'd' ${e}f {g;} # h`))
	f.Add([]byte("x_by_lua_block { '}' -- }\n }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dirs, _ := ParseNginx("fuzz.conf", data)
		for _, s := range nginxSites(wrapHTTP(dirs), "/usr/local/nginx") {
			if s.Server != "nginx" || len(s.Listen) == 0 {
				t.Fatalf("bad site %+v", s)
			}
		}
	})
}

// wrapHTTP puts top-level server blocks under http, as a sites file is.
func wrapHTTP(dirs []*Directive) []*Directive {
	return append(dirs, &Directive{Name: "http", HasBlock: true, Block: dirs})
}

func FuzzParseApache(f *testing.F) {
	addFixtureSeeds(f,
		"debian/etc/apache2/apache2.conf", "debian/etc/apache2/ports.conf",
		"debian/etc/apache2/sites-available/000-default.conf", "debian/etc/apache2/sites-available/default-ssl.conf",
		"debian/etc/apache2/sites-available/intranet.conf", "rhel/etc/httpd/conf/httpd.conf",
		"rhel/etc/httpd/conf.d/ssl.conf", "rhel/etc/httpd/conf.d/php-sites.conf")
	f.Add([]byte("<A \"x>\n</B>\n a \\\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dirs, _ := ParseApache("fuzz.conf", data)
		st := &apacheState{serverRoot: "/etc/httpd", vars: map[string]string{"X": "y"}}
		for _, d := range dirs {
			for i := range d.Args {
				d.Args[i] = st.subst(d.Args[i])
			}
		}
		for _, s := range apacheSites(dirs) {
			if s.Server != "apache" || s.ConfigFile != "fuzz.conf" {
				t.Fatalf("bad site %+v", s)
			}
		}
		parseEnvvars(data)
	})
}

func FuzzParseTomcatServerXML(f *testing.F) {
	addFixtureSeeds(f, "debian/opt/tomcat/conf/server.xml", "rhel/opt/apache-tomcat-9.0.83/conf/server.xml")
	f.Add([]byte(`<Service><Connector port="1" SSLEnabled="true"/><Engine><Host name="h"/></Engine></Service>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		hosts, _ := ParseTomcatServerXML(data)
		for _, h := range hosts {
			if h.Line < 1 || h.AppBase == "" {
				t.Fatalf("bad host %+v", h)
			}
		}
	})
}

func FuzzParseAppFingerprints(f *testing.F) {
	for _, name := range []string{"php.yaml", "python-node.yaml"} {
		data, err := builtinApps.ReadFile("fingerprints/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("- name: x\n  language: php\n  any: [{file: '[', regex: '('}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseAppFingerprints("fuzz.yaml", data)
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.yaml: ") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
