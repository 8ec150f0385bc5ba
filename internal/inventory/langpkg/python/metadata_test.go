package python

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMetadataRealFiles(t *testing.T) {
	tests := []struct {
		file string
		want Metadata
	}{
		{"PyYAML-6.0.METADATA", Metadata{"PyYAML", "6.0", "MIT"}},
		{"PyJWT-2.6.0.PKG-INFO", Metadata{"PyJWT", "2.6.0", "MIT"}},
		{"typing_extensions-4.15.0.METADATA", Metadata{"typing_extensions", "4.15.0", "PSF-2.0"}}, // License-Expression
		{"traitlets-5.15.0.METADATA", Metadata{"traitlets", "5.15.0", "BSD License"}},             // licence text in License: use the classifier
		{"wsgiref.egg-info", Metadata{"wsgiref", "0.1.2", "PSF or ZPL"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseMetadata(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseMetadata(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Metadata
		wantErr bool
	}{
		{"body is not read", "Name: a\nVersion: 1\n\nName: b\nVersion: 2\nLicense: GPL\n", Metadata{"a", "1", ""}, false},
		{"CRLF and case-insensitive keys", "name: a\r\nVERSION: 1.0\r\nlicense: MIT\r\n\r\n", Metadata{"a", "1.0", "MIT"}, false},
		{"UNKNOWN licence falls back to classifier", "Name: a\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: Apache Software License\n", Metadata{"a", "1", "Apache Software License"}, false},
		{"missing version", "Metadata-Version: 2.1\nName: a\n", Metadata{Name: "a"}, true},
		{"empty", "", Metadata{}, true},
		{"overlong header line", "Name: " + strings.Repeat("a", maxHeaderLine+1) + "\n", Metadata{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMetadata(strings.NewReader(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"PyYAML": "pyyaml", "typing_extensions": "typing-extensions", "zope.interface": "zope-interface",
		"Foo__Bar-.baz": "foo-bar-baz", "lazr.restfulclient": "lazr-restfulclient",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsMetadataPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA": true,
		"/usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO": true,
		"/usr/lib/python2.7/wsgiref.egg-info":                          true,
		"/usr/lib/python3/dist-packages/foo/METADATA":                  false,
		"/src/pkg/PKG-INFO":   false,
		"/x.dist-info/RECORD": false,
	} {
		if got := IsMetadataPath(p); got != want {
			t.Errorf("IsMetadataPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestOwnerPaths(t *testing.T) {
	got := OwnerPaths("/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA")
	want := []string{"/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("OwnerPaths = %v, want %v", got, want)
	}
	if got := OwnerPaths("/usr/lib/python2.7/wsgiref.egg-info"); len(got) != 1 {
		t.Errorf("egg-info file: %v", got)
	}
}

func FuzzParseMetadata(f *testing.F) {
	for _, name := range []string{"PyYAML-6.0.METADATA", "PyJWT-2.6.0.PKG-INFO", "typing_extensions-4.15.0.METADATA", "traitlets-5.15.0.METADATA", "wsgiref.egg-info"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := ParseMetadata(bytes.NewReader(data))
		if err == nil && (md.Name == "" || md.Version == "") {
			t.Fatalf("no error but incomplete: %+v", md)
		}
		if len(md.Name)+len(md.Version)+len(md.License) > len(data) {
			t.Fatalf("fields longer than input: %+v", md)
		}
	})
}
