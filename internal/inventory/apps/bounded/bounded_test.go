package bounded

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

func makeZip(t testing.TB, prefix []byte, files map[string]string, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.Write(prefix)
	zw := zip.NewWriter(&buf)
	zw.SetOffset(int64(len(prefix)))
	for _, name := range []string{"META-INF/MANIFEST.MF", "a/b.txt", "big.bin"} {
		content, ok := files[name]
		if !ok {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipRead(t *testing.T) {
	files := map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\r\n", "a/b.txt": "hello", "big.bin": strings.Repeat("x", 5000)}
	// Zip files with a launch script in front (Spring Boot "executable"
	// jars) keep offsets relative to the zip, or to the file when the
	// writer knew the prefix; both must read.
	for _, tc := range []struct {
		name   string
		data   []byte
		method uint16
	}{
		{"deflate", makeZip(t, nil, files, zip.Deflate), zip.Deflate},
		{"stored", makeZip(t, nil, files, zip.Store), zip.Store},
		{"prefixed, offsets from file start", makeZip(t, []byte("#!/bin/sh\nexit 0\n"), files, zip.Deflate), zip.Deflate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := bytes.NewReader(tc.data)
			got, err := ZipRead(r, int64(len(tc.data)), "a/b.txt", ZipLimits{})
			if err != nil || string(got) != "hello" {
				t.Fatalf("got %q, %v", got, err)
			}
			if _, err := ZipRead(r, int64(len(tc.data)), "nope", ZipLimits{}); !errors.Is(err, ErrEntryNotFound) {
				t.Errorf("missing entry: %v", err)
			}
			if _, err := ZipRead(r, int64(len(tc.data)), "big.bin", ZipLimits{MaxBytes: 100}); !errors.Is(err, ErrEntryTooLarge) {
				t.Errorf("big entry: %v", err)
			}
			if _, err := ZipRead(r, int64(len(tc.data)), "big.bin", ZipLimits{MaxEntries: 2}); !errors.Is(err, ErrEntryNotFound) {
				t.Errorf("entry past the entry limit: %v", err)
			}
		})
	}
	// A zip whose own offsets do not know about the prefix.
	plain := makeZip(t, nil, files, zip.Deflate)
	prefixed := append([]byte("#!/bin/bash\n# launch script\n"), plain...)
	if got, err := ZipRead(bytes.NewReader(prefixed), int64(len(prefixed)), "a/b.txt", ZipLimits{}); err != nil || string(got) != "hello" {
		t.Errorf("prefixed zip with zip-relative offsets: %q, %v", got, err)
	}
	if _, err := ZipRead(bytes.NewReader([]byte("not a zip at all")), 16, "x", ZipLimits{}); !errors.Is(err, ErrNotZip) {
		t.Errorf("not a zip: %v", err)
	}
}

func TestZipReadFixtureJars(t *testing.T) {
	tests := []struct{ jar, entry, want string }{
		{"debian/opt/tomcat/lib/catalina.jar", "org/apache/catalina/util/ServerInfo.properties", "server.number=10.1.60.0"},
		{"rhel/srv/springapp/app.jar", "META-INF/MANIFEST.MF", "Spring-Boot-Version: 2.7.18"},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata/roots", tt.jar))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ZipRead(bytes.NewReader(data), int64(len(data)), tt.entry, ZipLimits{})
		if err != nil || !strings.Contains(string(got), tt.want) {
			t.Errorf("%s!/%s: %v, content %q", tt.jar, tt.entry, err, got)
		}
	}
}

func TestFindSubmatchAcrossWindows(t *testing.T) {
	re := regexp.MustCompile(`nginx/(\d+\.\d+\.\d+)`)
	for _, at := range []int{0, window - 5, window + 10, 3*window - 7} {
		data := make([]byte, 3*window+100)
		copy(data[at:], "nginx/1.22.1\x00")
		m, err := FindSubmatch(bytes.NewReader(data), re, int64(len(data)))
		if err != nil || m == nil || string(m[1]) != "1.22.1" {
			t.Errorf("at %d: %q, %v", at, m, err)
		}
	}
	data := make([]byte, 2*window)
	copy(data[window+50:], "nginx/9.9.9")
	if m, _ := FindSubmatch(bytes.NewReader(data), re, window); m != nil {
		t.Errorf("found %q past the byte limit", m)
	}
}

func TestFindSubmatchRealBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("reads large binaries of this machine")
	}
	// Binaries of this (Debian) machine, when installed.
	tests := []struct{ file, re string }{
		{"/usr/sbin/mariadbd", `(\d+\.\d+\.\d+)-MariaDB`},
		{"/usr/lib/postgresql/15/bin/postgres", `\(PostgreSQL\) (\d+(?:\.\d+)+)`},
		{"/usr/bin/redis-check-rdb", `\x00(\d+\.\d+\.\d+)\x00(?:[a-z0-9]+-builtin|sync-builtin|pthread-mutex|libc|jemalloc)`},
	}
	for _, tt := range tests {
		f, err := os.Open(tt.file)
		if err != nil {
			t.Logf("skip %s: %v", tt.file, err)
			continue
		}
		m, err := FindSubmatch(f, regexp.MustCompile(tt.re), 64<<20)
		f.Close()
		if err != nil || m == nil {
			t.Errorf("%s: no version found (%v)", tt.file, err)
			continue
		}
		t.Logf("%s: %s", tt.file, m[1])
	}
}

func FuzzZipRead(f *testing.F) {
	f.Add(makeZip(f, nil, map[string]string{"META-INF/MANIFEST.MF": "Main-Class: x\n"}, zip.Deflate))
	f.Add(makeZip(f, []byte("#!/bin/sh\n"), map[string]string{"a/b.txt": "y"}, zip.Store))
	for _, jar := range []string{"debian/opt/tomcat/lib/catalina.jar", "rhel/srv/springapp/app.jar"} {
		if data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata/roots", jar)); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		n := 0
		_ = ZipWalk(r, int64(len(data)), ZipLimits{MaxEntries: 1000}, func(e ZipEntryInfo) bool {
			n++
			got, err := zipOpen(r, int64(len(data)), e, 1<<16)
			if err == nil && int64(len(got)) > 1<<16 {
				t.Fatalf("entry larger than the limit: %d", len(got))
			}
			return n < 50
		})
	})
}
