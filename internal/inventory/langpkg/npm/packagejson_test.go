package npm

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParsePackageJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    PackageJSON
		wantErr bool
	}{
		{"licence string", `{"name":"a","version":"1.0.0","license":"MIT"}`, PackageJSON{"a", "1.0.0", "MIT"}, false},
		{"licence object", `{"name":"a","version":"1.0.0","license":{"type":"Apache-2.0","url":"x"}}`, PackageJSON{"a", "1.0.0", "Apache-2.0"}, false},
		{"old licenses array", `{"name":"a","version":"1","licenses":[{"type":"MIT"},{"type":"GPL-2.0"}]}`, PackageJSON{"a", "1", "(MIT OR GPL-2.0)"}, false},
		{"licence of a wrong type is ignored", `{"name":"a","version":"1","license":42}`, PackageJSON{"a", "1", ""}, false},
		{"name of a wrong type", `{"name":["a"],"version":"1"}`, PackageJSON{"", "1", ""}, false},
		{"BOM", "\ufeff{\"name\":\"a\",\"version\":\"2\"}", PackageJSON{"a", "2", ""}, false},
		{"invalid JSON", `{"name":"a",`, PackageJSON{}, true},
		{"not an object", `[1,2]`, PackageJSON{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePackageJSON([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParsePackageJSONRealFiles(t *testing.T) {
	tests := []struct {
		file    string
		want    PackageJSON
		wantPkg bool
	}{
		{"ms.package.json", PackageJSON{"ms", "2.1.3", "MIT"}, true},
		{"npmcli-fs.package.json", PackageJSON{"@npmcli/fs", "5.0.0", "ISC"}, true}, // a nested "version" under templateOSS must not win
		{"glob-esm.package.json", PackageJSON{}, false},                             // {"type": "module"}
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParsePackageJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			p, err := Package(got, "/x/package.json")
			if (err == nil) != tc.wantPkg {
				t.Fatalf("Package err = %v, want package %v", err, tc.wantPkg)
			}
			if tc.wantPkg && (p.Name != tc.want.Name || p.Location != "/x/package.json" || p.FoundBy != "package.json") {
				t.Errorf("package = %+v", p)
			}
		})
	}
}

func TestIsManifestPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/srv/app/node_modules/ms/package.json":               true,
		"/srv/app/node_modules/@npmcli/fs/package.json":       true,
		"/srv/app/node_modules/a/node_modules/b/package.json": true,
		"/srv/app/node_modules/glob/dist/esm/package.json":    false,
		"/srv/app/package.json":                               false,
		"/srv/app/node_modules/@scope/package.json":           false,
		"/srv/app/node_modules/.bin/package.json":             false,
		"/srv/app/node_modules/@npmcli/fs/lib/package.json":   false,
		"/srv/app/node_modules/ms/package.json.bak":           false,
		"/srv/app/vendor/@x/y/package.json":                   false,
	} {
		if got := IsManifestPath(p); got != want {
			t.Errorf("IsManifestPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func FuzzParsePackageJSON(f *testing.F) {
	for _, name := range []string{"ms.package.json", "npmcli-fs.package.json", "glob-esm.package.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"name":"a","version":"1","licenses":[[["MIT"]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePackageJSON(data)
		if err != nil {
			return
		}
		if len(p.Name)+len(p.Version)+len(p.License) > len(data) {
			t.Fatalf("fields longer than the input: %+v", p)
		}
		if _, err := Package(p, "/f/package.json"); err == nil && (p.Name == "" || p.Version == "") {
			t.Fatalf("package made without name/version: %+v", p)
		}
	})
}
