package dpkg

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

// FuzzParseStatus: any input parses without panicking, and what comes out
// is consistent (named packages, line numbers inside the input).
func FuzzParseStatus(f *testing.F) {
	for _, p := range []string{
		filepath.Join(testutil.RepoRoot(), "testdata/roots/debian/var/lib/dpkg/status"),
		filepath.Join(testutil.RepoRoot(), "testdata/roots/debian/var/lib/dpkg/status.d/netbase"),
		"testdata/roots/corrupt/var/lib/dpkg/status",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Package: a\r\nVersion: 1\r\n\r\n \n:\nPackage:\n"))
	f.Add([]byte(" x\n\tPackage: y\nSource: z (1)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		err := ParseStatus(bytes.NewReader(data),
			func(e Entry) {
				if e.Package == "" || e.Line < 1 || e.Line > lines {
					t.Fatalf("bad entry %+v (input has %d lines)", e, lines)
				}
				if strings.ContainsAny(e.Package, "\n") {
					t.Fatalf("package name spans lines: %q", e.Package)
				}
				// The collector's per-entry work must not panic either.
				_, _, _ = toPackage(e, "/var/lib/dpkg/status", false)
			},
			func(pe ParseError) {
				if pe.Line < 1 || pe.Line > lines {
					t.Fatalf("error line %d outside input of %d lines", pe.Line, lines)
				}
			})
		if err != nil {
			t.Fatalf("read error from a bytes.Reader: %v", err)
		}
		for _, p := range append(parseFileList(string(data)), parseMD5Sums(string(data))...) {
			if !strings.HasPrefix(p, "/") {
				t.Fatalf("relative path %q", p)
			}
		}
	})
}
