package feed

import (
	"bytes"

	"github.com/ward-sec/ward/internal/vuln/advisory"
	"os"
	"path/filepath"
	"testing"
)

func seedDir(f *testing.F, dir, pattern string) {
	files, _ := filepath.Glob(filepath.Join(testdata(dir), pattern))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

func FuzzParseOSVJSON(f *testing.F) {
	seedDir(f, "osv/ghsa", "*.json")
	seedDir(f, "osv/go", "GO-2022-*.json")
	seedDir(f, "debian/osv", "*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		a, _, err := ParseOSV(data, false)
		if err == nil && a.ID == "" {
			t.Fatal("record without id accepted")
		}
	})
}

func FuzzParseOSVYAML(f *testing.F) {
	seedDir(f, "osv/pypa", "*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseOSV(data, true)
	})
}

func FuzzTrackerDump(f *testing.F) {
	seedDir(f, "debian/security-tracker-json", "*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		TrackerDump(bytes.NewReader(data), func(a *advisory.Advisory) error {
			if a.ID == "" || a.Package == "" {
				t.Fatalf("record without id or package: %+v", a)
			}
			return nil
		}, func(string, error) {})
	})
}

func FuzzVulnListDebian(f *testing.F) {
	seedDir(f, "debian/vuln-list-debian/tracker/CVE/2023", "*.json")
	seedDir(f, "debian/vuln-list-debian/tracker/DSA", "*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := VulnListDebian(data)
		if err == nil && a.ID == "" {
			t.Fatal("record without id accepted")
		}
	})
}
