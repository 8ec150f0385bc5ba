package langpkg

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// writeFiles creates files (in-root path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func zipOf(t *testing.T, name string, data []byte, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	w.Close()
	return buf.Bytes()
}

// bombJar holds lib/bomb-1.0.jar: 64 KB deflated, 64 MiB of zeros
// inflated, declaring 1 GiB. (The java package tests a bomb that lies
// the other way, declaring little and inflating much.)
func bombJar(t *testing.T) []byte {
	t.Helper()
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	chunk := make([]byte, 1<<20)
	for range 64 {
		fw.Write(chunk)
	}
	fw.Close()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateRaw(&zip.FileHeader{Name: "lib/bomb-1.0.jar", Method: zip.Deflate, CompressedSize64: uint64(z.Len()), UncompressedSize64: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(f, &z)
	w.Close()
	return buf.Bytes()
}

// deepJar nests jars 6 levels (over the default limit of 3).
func deepJar(t *testing.T) []byte {
	inner := zipOf(t, "META-INF/maven/org.deep/l6/pom.properties", []byte("version=6\n"), zip.Deflate)
	for i := 5; i >= 1; i-- {
		inner = zipOf(t, fmt.Sprintf("lib/l%d-%d.0.jar", i+1, i+1), inner, zip.Store)
	}
	return inner
}

func TestCollectBadInput(t *testing.T) {
	dir := t.TempDir()
	app := testutil.FixtureRoot(t, "debian")
	appJar, err := app.ReadFile("/opt/app/app.jar", 0)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string][]byte{
		"/opt/bad/not-a-zip-1.0.jar":                            []byte("plain text, not a zip"),
		"/opt/bad/truncated-2.0.jar":                            appJar[:len(appJar)/3],
		"/opt/bad/bomb.jar":                                     bombJar(t),
		"/opt/bad/deep.jar":                                     deepJar(t),
		"/srv/n/node_modules/bad/package.json":                  []byte(`{"name": "bad", "version": `),
		"/srv/n/node_modules/huge/package.json":                 append([]byte(`{"name":"huge","version":"1","x":"`), bytes.Repeat([]byte("a"), 1<<20)...),
		"/srv/n/node_modules/nov/package.json":                  []byte(`{"name": "nov"}`), // no version: skipped silently
		"/usr/lib/python3/dist-packages/x-1.dist-info/METADATA": []byte("Summary: no name\n"),
	})
	// A link out of the root must not be followed, nor a link to a jar inside it.
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "opt/bad/escape.jar")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("deep.jar", filepath.Join(dir, "opt/bad/link-9.9.jar")); err != nil {
		t.Fatal(err)
	}
	root, err := rootfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()

	got, _ := collect(t, root, nil)

	var pkgs []string
	for _, p := range got.Packages {
		pkgs = append(pkgs, fmt.Sprintf("%s@%s [%s] %s", p.Name, p.Version, p.FoundBy, p.Location))
	}
	wantPkgs := []string{
		// Archives that cannot be opened are still named by their file.
		"bomb@1.0 [filename] /opt/bad/bomb.jar!/lib/bomb-1.0.jar",
		"l2@2.0 [filename] /opt/bad/deep.jar!/lib/l2-2.0.jar",
		"l3@3.0 [filename] /opt/bad/deep.jar!/lib/l2-2.0.jar!/lib/l3-3.0.jar",
		"l4@4.0 [filename] /opt/bad/deep.jar!/lib/l2-2.0.jar!/lib/l3-3.0.jar!/lib/l4-4.0.jar",
		// Depth 4 is over the limit of 3: not opened, so l6's pom is not seen.
		"l5@5.0 [filename] /opt/bad/deep.jar!/lib/l2-2.0.jar!/lib/l3-3.0.jar!/lib/l4-4.0.jar!/lib/l5-5.0.jar",
		"not-a-zip@1.0 [filename] /opt/bad/not-a-zip-1.0.jar",
		"truncated@2.0 [filename] /opt/bad/truncated-2.0.jar",
	}
	if g, w := strings.Join(pkgs, "\n"), strings.Join(wantPkgs, "\n"); g != w {
		t.Errorf("packages:\n%s\nwant:\n%s", g, w)
	}

	var warns []string
	for _, w := range got.Warnings {
		warns = append(warns, w.Path+": "+w.Message)
	}
	wantWarns := []string{
		"/opt/bad/bomb.jar!/lib/bomb-1.0.jar: lib/bomb-1.0.jar declares 1073741824 bytes uncompressed, over the 67108864 byte limit (zip bomb?)",
		"/opt/bad/deep.jar!/lib/l2-2.0.jar!/lib/l3-3.0.jar!/lib/l4-4.0.jar!/lib/l5-5.0.jar: nested archive deeper than 3 levels; identified by file name only",
		"/opt/bad/not-a-zip-1.0.jar: not a zip archive (too small)",
		"/opt/bad/truncated-2.0.jar: not a valid zip archive: zip: not a valid zip file",
		"/srv/n/node_modules/bad/package.json: invalid package.json: unexpected end of JSON input",
		"/srv/n/node_modules/huge/package.json: read: file exceeds size limit (1048576 bytes)",
		"/usr/lib/python3/dist-packages/x-1.dist-info/METADATA: metadata has no Name or Version header",
	}
	if g, w := strings.Join(sortedCopy(warns), "\n"), strings.Join(wantWarns, "\n"); g != w {
		t.Errorf("warnings:\n%s\nwant:\n%s", g, w)
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j] < c[j-1]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	return c
}
