package java

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseManifest(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string // attributes that must be present
		absent  []string
		wantErr bool
	}{
		{
			name: "continuation lines joined, CRLF",
			in:   "Manifest-Version: 1.0\r\nImplementation-Title: spring-core\r\nExport-Package: org.a;version=\"1\",org.b;ver\r\n sion=\"2\"\r\n\r\nName: org/x/\r\nImplementation-Title: other\r\n",
			want: map[string]string{"implementation-title": "spring-core", "export-package": `org.a;version="1",org.b;version="2"`},
		},
		{
			name:   "stops at blank line: per-entry sections unread",
			in:     "Implementation-Version: 1.0\n\nName: a.class\nSHA-256-Digest: abc\n",
			want:   map[string]string{"implementation-version": "1.0"},
			absent: []string{"name", "sha-256-digest"},
		},
		{
			name: "lone CR newlines",
			in:   "Bundle-Version: 3.2\rBundle-Name: x\r",
			want: map[string]string{"bundle-version": "3.2", "bundle-name": "x"},
		},
		{
			name: "first occurrence wins without blank line",
			in:   "Implementation-Title: main\nName: entry\nImplementation-Title: entry-title\n",
			want: map[string]string{"implementation-title": "main"},
		},
		{
			name: "malformed lines tolerated, no trailing newline",
			in:   "garbage line\n: no name\nSpecification-Version: 2",
			want: map[string]string{"specification-version": "2"},
		},
		{
			name:    "overlong line",
			in:      "A: " + strings.Repeat("x", maxManifestLine+10) + "\n",
			wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest(strings.NewReader(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			for k, v := range tc.want {
				if got := m.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := m[k]; ok {
					t.Errorf("%s present, want absent", k)
				}
			}
		})
	}
}

// TestParseManifestRealFiles reads manifests extracted from real jars
// (see testdata/sources/langpkg.md).
func TestParseManifestRealFiles(t *testing.T) {
	tests := []struct {
		file, key, want string
	}{
		{"log4j-core-2.19.0.MF", "Bundle-SymbolicName", "org.apache.logging.log4j.core"},
		{"log4j-core-2.19.0.MF", "Implementation-Version", "2.19.0"},
		{"log4j-core-2.19.0.MF", "Implementation-Vendor-Id", "org.apache"},
		{"slf4j-api-1.7.32.MF", "Export-Package", "org.slf4j;version=1.7.32, org.slf4j.spi;version=1.7.32, org.slf4j.helpers;version=1.7.32, org.slf4j.event;version=1.7.32"},
		{"spring-boot-app.MF", "Start-Class", "com.example.demo.DemoApplication"},
		{"spring-boot-app.MF", "Spring-Boot-Version", "2.7.18"},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.key, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := ParseManifest(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Get(tc.key); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

func FuzzParseManifest(f *testing.F) {
	for _, name := range []string{"log4j-core-2.19.0.MF", "slf4j-api-1.7.32.MF", "spring-boot-app.MF"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("A: b\r\n c\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _ := ParseManifest(strings.NewReader(string(data)))
		for k, v := range m {
			if len(k)+len(v) > len(data) {
				t.Fatalf("attribute %q longer than the input", k)
			}
		}
	})
}
