package langpkg

import (
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		path string
		want kind
	}{
		{"/opt/app/app.jar", kindJava},
		{"/opt/tomcat/webapps/ROOT.WAR", kindJava},
		{"/var/lib/jenkins/plugins/git.hpi", kindJava},
		{"/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", kindPython},
		{"/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", kindPython},
		{"/usr/lib/python2.7/wsgiref.egg-info", kindPython},
		{"/home/u/src/METADATA", kindNone},
		{"/srv/app/node_modules/@npmcli/fs/package.json", kindNPM},
		{"/srv/app/package.json", kindNone},
		{"/usr/local/bin/kubectl", kindExec},
		{"/usr/lib/x86_64-linux-gnu/libc.so.6", kindExec},
		{"/usr/bin/python3.11", kindExec},
		{"/usr/lib/python3/dist-packages/yaml/__init__.py", kindNone},
		{"/etc/init.d/ssh.sh", kindNone},
		{"/usr/share/doc/bash/README", kindNone},
		{"/usr/include/stdio.h", kindNone},
		{"/root/go/pkg/mod/cache/download/x/@v/v1.0.0.mod", kindNone},
	}
	for _, tc := range tests {
		name := tc.path[len(tc.path)-len(base(tc.path)):]
		if got := classify(tc.path, name); got != tc.want {
			t.Errorf("classify(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func base(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func TestDropOSOwned(t *testing.T) {
	pkgs := []model.Package{
		{Type: model.PkgMaven, Name: "log4j-core", Location: "/usr/share/java/log4j-core.jar"},
		{Type: model.PkgMaven, Name: "nested", Location: "/usr/share/java/fat.jar!/lib/x.jar"},
		{Type: model.PkgPyPI, Name: "PyYAML", Location: "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"},
		{Type: model.PkgPyPI, Name: "merged", Location: "/usr/lib/python3/dist-packages/m-1.egg-info/PKG-INFO"},
		{Type: model.PkgGo, Name: "stdlib", Location: "/usr/bin/docker"},
		{Type: model.PkgNPM, Name: "ms", Location: "/usr/lib/node_modules/npm/node_modules/ms/package.json"},
		{Type: model.PkgNPM, Name: "mine", Location: "/srv/node_modules/mine/package.json"},
	}
	prior := &model.Inventory{Packages: []model.Package{
		{Type: model.PkgDeb, Name: "liblog4j2-java", Files: []string{"/usr/share/java", "/usr/share/java/log4j-core.jar", "/usr/share/java/fat.jar"}},
		{Type: model.PkgDeb, Name: "python3-yaml", Files: []string{"/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info"}},
		{Type: model.PkgDeb, Name: "python3-m", Files: []string{"/lib/python3/dist-packages/m-1.egg-info"}}, // pre-usrmerge path
		{Type: model.PkgDeb, Name: "docker.io", Files: []string{"/usr/bin/docker"}},
		{Type: model.PkgDeb, Name: "nodejs", Files: []string{"/usr/lib/node_modules/npm/node_modules/ms/package.json"}},
		// Not an OS package: its files do not count.
		{Type: model.PkgNPM, Name: "x", Files: []string{"/srv/node_modules/mine/package.json"}},
	}}
	kept, dropped := dropOSOwned(pkgs, prior)
	var names []string
	for _, p := range kept {
		names = append(names, p.Name)
	}
	if dropped != 5 || len(kept) != 2 || kept[0].Name != "stdlib" || kept[1].Name != "mine" {
		t.Errorf("kept %v, dropped %d; want [stdlib mine], 5", names, dropped)
	}
}
