package apps

import (
	"strings"
	"testing"
	"testing/fstest"
)

// required are the applications Ward promises to recognise.
var required = []string{
	"nginx", "apache-httpd", "tomcat", "jetty", "weblogic", "jboss-wildfly",
	"mysql", "mariadb", "postgresql", "redis", "mongodb", "elasticsearch",
	"kafka", "zookeeper", "hadoop", "rabbitmq", "memcached", "docker",
	"containerd", "kubelet", "php-fpm", "java", "python", "nodejs",
}

func TestBuiltinFingerprintsLoad(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(builtinNames()) < 5 {
		t.Errorf("only %d fingerprint files embedded", len(builtinNames()))
	}
	for _, name := range required {
		fp := set.Lookup(name)
		if fp == nil {
			t.Errorf("no fingerprint for required application %q", name)
			continue
		}
		if len(fp.Processes) == 0 && len(fp.Packages) == 0 && len(fp.Binaries) == 0 && len(fp.Home.Globs) == 0 {
			t.Errorf("%s: fingerprint can never match", name)
		}
	}
	for _, fp := range set.Fingerprints() {
		if !strings.HasSuffix(fp.Source, ".yaml") {
			t.Errorf("%s: no source file recorded", fp.Name)
		}
	}
}

func TestParseErrorsNameTheFile(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"not yaml", "- name: [", "user.yaml: "},
		{"unknown key", "- name: x\n  category: cache\n  procs: []\n", "field procs not found"},
		{"bad category", "- name: x\n  category: toaster\n", `unknown category "toaster"`},
		{"missing name", "- category: cache\n", "name is required"},
		{"bad regex", "- name: x\n  category: cache\n  processes:\n    - names: ['(']\n", "process matcher 1"},
		{"version without group", "- name: x\n  category: cache\n  versions:\n    - file: a\n      regex: 'v1'\n", "has no group"},
		{"two version sources", "- name: x\n  category: cache\n  versions:\n    - file: a\n      binary: true\n      regex: '(1)'\n", "exactly one of"},
		{"relative binary", "- name: x\n  category: cache\n  binaries: [sbin/x]\n", "must be absolute"},
		{"climbing glob", "- name: x\n  category: cache\n  config:\n    files: [../../etc/shadow]\n", "must not contain .."},
		{"bad package type", "- name: x\n  category: cache\n  packages:\n    msi: [x]\n", `unknown package type "msi"`},
		{"empty entry", "- \n", "entry 1 is empty"},
		{"not a list", "name: x\n", "user.yaml: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("user.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "user.yaml: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q: want prefix user.yaml and %q", err, tt.want)
			}
		})
	}
}

func TestLoadUserDirReplacesAndAdds(t *testing.T) {
	user := fstest.MapFS{
		"nginx.yaml": {Data: []byte("- name: nginx\n  category: web-server\n  processes:\n    - names: [my-nginx]\n")},
		"extra.yml":  {Data: []byte("- name: acme-db\n  category: database\n  processes:\n    - names: [acmed]\n")},
		"README.md":  {Data: []byte("not a fingerprint")},
	}
	extra, err := Load(user)
	if err != nil {
		t.Fatal(err)
	}
	base, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	set := base.With(extra)
	if got := set.Lookup("nginx"); got == nil || got.Source != "nginx.yaml" {
		t.Errorf("nginx not replaced by the user's fingerprint: %+v", got)
	}
	if set.Lookup("acme-db") == nil {
		t.Error("user fingerprint acme-db not added")
	}
	if len(set.Fingerprints()) != len(base.Fingerprints())+1 {
		t.Errorf("got %d fingerprints, want %d", len(set.Fingerprints()), len(base.Fingerprints())+1)
	}

	dup := fstest.MapFS{
		"a.yaml": {Data: []byte("- name: x\n  category: cache\n")},
		"b.yaml": {Data: []byte("- name: x\n  category: cache\n")},
	}
	if _, err := Load(dup); err == nil || !strings.Contains(err.Error(), "b.yaml") {
		t.Errorf("duplicate name: error %v, want one naming b.yaml", err)
	}
}
