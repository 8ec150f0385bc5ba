package apk

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

// FuzzParseInstalled: any input parses without panicking, records are
// named and versioned, and every file path is absolute and clean.
func FuzzParseInstalled(f *testing.F) {
	seeds := []string{
		filepath.Join(testutil.RepoRoot(), "testdata/roots/alpine/lib/apk/db/installed"),
		"testdata/roots/corrupt/lib/apk/db/installed",
		"testdata/scalibr/single", "testdata/scalibr/invalid", "testdata/scalibr/no-origin",
	}
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("P:a\r\nV:1\r\nF:../..\r\nR:..\r\n\r\nP:b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		err := ParseInstalled(bytes.NewReader(data),
			func(e Entry) {
				if e.Name == "" || e.Version == "" || e.Line < 1 || e.Line > lines {
					t.Fatalf("bad entry %+v", e)
				}
				for _, p := range e.Files {
					if !strings.HasPrefix(p, "/") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
						t.Fatalf("unclean path %q", p)
					}
				}
				_ = toPackage(e, "/lib/apk/db/installed")
			},
			func(pe ParseError) {
				if pe.Line < 1 || pe.Line > lines {
					t.Fatalf("error line %d outside %d lines", pe.Line, lines)
				}
			})
		if err != nil {
			t.Fatal(err)
		}
	})
}
