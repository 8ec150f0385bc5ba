package java

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

// entry is one file of a zip built by a test.
type entry struct {
	name   string
	data   []byte
	stored bool
}

func buildZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.stored {
			h.Method = zip.Store
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pom(g, a, v string) entry {
	return entry{name: "META-INF/maven/" + g + "/" + a + "/pom.properties", data: []byte("groupId=" + g + "\nartifactId=" + a + "\nversion=" + v + "\n")}
}

type warning struct{ loc, msg string }

func extract(t testing.TB, data []byte, loc string, opt Options) ([]model.Package, []warning) {
	t.Helper()
	var warns []warning
	opt.Warn = func(l string, err error) { warns = append(warns, warning{l, err.Error()}) }
	pkgs := Extract(context.Background(), bytes.NewReader(data), int64(len(data)), loc, opt)
	return pkgs, warns
}

// ids renders packages compactly for comparison.
func ids(pkgs []model.Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, fmt.Sprintf("%s:%s@%s [%s] %s", p.Group, p.Name, p.Version, p.FoundBy, p.Location))
	}
	return out
}

func fixture(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata", "roots", rel))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExtractFixtures(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{
			name: "spring boot jar: app by pom, stored BOOT-INF/lib jars by pom, manifest and file name",
			file: "debian/opt/app/app.jar",
			want: []string{
				"com.example:demo@0.0.1-SNAPSHOT [pom.properties] /opt/app/app.jar",
				":aopalliance@1.0 [filename] /opt/app/app.jar!/BOOT-INF/lib/aopalliance-1.0.jar",
				"org.apache.logging.log4j:log4j-api@2.19.0 [pom.properties] /opt/app/app.jar!/BOOT-INF/lib/log4j-api-2.19.0.jar",
				"org.slf4j:slf4j-api@1.7.32 [pom.properties] /opt/app/app.jar!/BOOT-INF/lib/slf4j-api-1.7.32.jar",
				":jsr305@0.1-SNAPSHOT [filename] /opt/app/app.jar!/BOOT-INF/lib/jsr305-0.1-SNAPSHOT.jar",
				":spring-core@4.3.30.RELEASE [MANIFEST.MF] /opt/app/app.jar!/BOOT-INF/lib/spring-core-4.3.30.RELEASE.jar",
				"org.apache.logging.log4j:log4j-core@2.19.0 [pom.properties] /opt/app/app.jar!/BOOT-INF/lib/log4j-core-2.19.0.jar",
			},
		},
		{
			name: "war: deflated WEB-INF/lib jars",
			file: "debian/opt/tomcat/webapps/shop.war",
			want: []string{
				"com.example:shop@1.4.2 [pom.properties] /opt/tomcat/webapps/shop.war",
				"org.apache.commons:commons-lang3@3.12.0 [pom.properties] /opt/tomcat/webapps/shop.war!/WEB-INF/lib/commons-lang3-3.12.0.jar",
				"org.slf4j:slf4j-simple@1.7.32 [pom.properties] /opt/tomcat/webapps/shop.war!/WEB-INF/lib/slf4j-simple-1.7.32.jar",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := "/" + strings.SplitN(tc.file, "/", 2)[1]
			pkgs, warns := extract(t, fixture(t, tc.file), loc, DefaultOptions)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			got := strings.Join(ids(pkgs), "\n")
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestExtractSpringBootMetadata(t *testing.T) {
	pkgs, _ := extract(t, fixture(t, "debian/opt/app/app.jar"), "/opt/app/app.jar", DefaultOptions)
	if len(pkgs) == 0 || pkgs[0].Name != "demo" {
		t.Fatalf("first package = %v, want the app", ids(pkgs))
	}
	md := pkgs[0].Metadata
	if md["spring-boot-version"] != "2.7.18" || md["start-class"] != "com.example.demo.DemoApplication" {
		t.Errorf("metadata = %v", md)
	}
	for _, p := range pkgs[1:] {
		if p.Metadata != nil {
			t.Errorf("%s carries the app's metadata: %v", p.Name, p.Metadata)
		}
	}
}

func TestExtractShadedJar(t *testing.T) {
	data := buildZip(t,
		entry{name: "META-INF/MANIFEST.MF", data: []byte("Manifest-Version: 1.0\n")},
		pom("com.example", "fat", "2.0"),
		pom("com.google.guava", "guava", "31.1-jre"),
		entry{name: "META-INF/maven/org.yaml/snakeyaml/pom.properties", data: []byte("version=1.33\n")}, // coordinates from the path
	)
	pkgs, warns := extract(t, data, "/srv/fat.jar", DefaultOptions)
	want := []string{
		"com.example:fat@2.0 [pom.properties] /srv/fat.jar",
		"com.google.guava:guava@31.1-jre [pom.properties] /srv/fat.jar",
		"org.yaml:snakeyaml@1.33 [pom.properties] /srv/fat.jar",
	}
	if got := strings.Join(ids(pkgs), "\n"); got != strings.Join(want, "\n") || len(warns) > 0 {
		t.Errorf("got:\n%s\nwarnings %v", got, warns)
	}
}

func TestExtractSpringBootWithoutPom(t *testing.T) {
	data := buildZip(t, entry{name: "META-INF/MANIFEST.MF", data: []byte("Main-Class: org.springframework.boot.loader.JarLauncher\nStart-Class: a.B\nSpring-Boot-Version: 3.2.0\n")})
	pkgs, _ := extract(t, data, "/srv/service.jar", DefaultOptions)
	if len(pkgs) != 1 || pkgs[0].Name != "service" || pkgs[0].Version != "" || pkgs[0].Metadata["spring-boot-version"] != "3.2.0" {
		t.Errorf("got %v %v", ids(pkgs), pkgs)
	}
}

// nestedChain builds a jar nested n levels deep: level i is lib-i.jar
// holding a pom for artifact lib-i and, below it, lib-(i+1).jar.
func nestedChain(t testing.TB, n int, stored bool) []byte {
	var inner []byte
	for i := n; i >= 0; i-- {
		entries := []entry{pom("org.chain", fmt.Sprintf("lib-%d", i), "1.0")}
		if inner != nil {
			entries = append(entries, entry{name: fmt.Sprintf("lib/lib-%d-1.0.jar", i+1), data: inner, stored: stored})
		}
		inner = buildZip(t, entries...)
	}
	return inner
}

func TestExtractDepthLimit(t *testing.T) {
	for _, stored := range []bool{true, false} {
		t.Run(fmt.Sprintf("stored=%v", stored), func(t *testing.T) {
			opt := DefaultOptions
			opt.MaxDepth = 2
			pkgs, warns := extract(t, nestedChain(t, 4, stored), "/a.jar", opt)
			want := []string{
				"org.chain:lib-0@1.0 [pom.properties] /a.jar",
				"org.chain:lib-1@1.0 [pom.properties] /a.jar!/lib/lib-1-1.0.jar",
				"org.chain:lib-2@1.0 [pom.properties] /a.jar!/lib/lib-1-1.0.jar!/lib/lib-2-1.0.jar",
				// Too deep: named by its file, not opened.
				":lib-3@1.0 [filename] /a.jar!/lib/lib-1-1.0.jar!/lib/lib-2-1.0.jar!/lib/lib-3-1.0.jar",
			}
			if got := strings.Join(ids(pkgs), "\n"); got != strings.Join(want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
			if len(warns) != 1 || warns[0].loc != "/a.jar!/lib/lib-1-1.0.jar!/lib/lib-2-1.0.jar!/lib/lib-3-1.0.jar" || !strings.Contains(warns[0].msg, "deeper than 2 levels") {
				t.Errorf("warnings = %v", warns)
			}
		})
	}
}

func TestExtractBadInput(t *testing.T) {
	app := fixture(t, "debian/opt/app/app.jar")
	many := make([]entry, 50)
	for i := range many {
		many[i] = entry{name: fmt.Sprintf("c/C%d.class", i), data: []byte("x")}
	}
	tests := []struct {
		name     string
		data     []byte
		opt      func(*Options)
		wantPkgs []string
		wantWarn string // substring of the only warning
		warnLoc  string
	}{
		{
			name:     "not a zip: file name fallback",
			data:     []byte("this is not a zip file at all, just text pretending to be one"),
			wantPkgs: []string{":bad@1.2 [filename] /x/bad-1.2.jar"},
			wantWarn: "not a valid zip archive", warnLoc: "/x/bad-1.2.jar",
		},
		{
			name:     "empty file",
			data:     nil,
			wantPkgs: []string{":bad@1.2 [filename] /x/bad-1.2.jar"},
			wantWarn: "too small", warnLoc: "/x/bad-1.2.jar",
		},
		{
			name:     "truncated jar (end of central directory lost)",
			data:     app[:len(app)/2],
			wantPkgs: []string{":bad@1.2 [filename] /x/bad-1.2.jar"},
			wantWarn: "not a valid zip archive", warnLoc: "/x/bad-1.2.jar",
		},
		{
			name:     "too many entries",
			data:     buildZip(t, many...),
			opt:      func(o *Options) { o.MaxEntries = 10 },
			wantPkgs: []string{":bad@1.2 [filename] /x/bad-1.2.jar"},
			wantWarn: "entries", warnLoc: "/x/bad-1.2.jar",
		},
		{
			name: "nested stored jar past the end of its archive",
			data: truncateStored(t),
			wantPkgs: []string{
				"com.example:outer@1.0 [pom.properties] /x/bad-1.2.jar",
				":inner@2.0 [filename] /x/bad-1.2.jar!/BOOT-INF/lib/inner-2.0.jar",
			},
			wantWarn: "past the end", warnLoc: "/x/bad-1.2.jar!/BOOT-INF/lib/inner-2.0.jar",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := DefaultOptions
			if tc.opt != nil {
				tc.opt(&opt)
			}
			pkgs, warns := extract(t, tc.data, "/x/bad-1.2.jar", opt)
			if got, want := strings.Join(ids(pkgs), "\n"), strings.Join(tc.wantPkgs, "\n"); got != want {
				t.Errorf("packages:\n%s\nwant:\n%s", got, want)
			}
			if len(warns) != 1 || !strings.Contains(warns[0].msg, tc.wantWarn) || warns[0].loc != tc.warnLoc {
				t.Errorf("warnings = %+v, want one at %s containing %q", warns, tc.warnLoc, tc.wantWarn)
			}
		})
	}
}

// truncateStored builds an outer jar whose stored nested jar is cut short:
// the outer central directory still claims the full size.
func truncateStored(t *testing.T) []byte {
	inner := buildZip(t, pom("com.example", "inner", "2.0"))
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(h *zip.FileHeader, data []byte) {
		f, err := w.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data)
	}
	p := pom("com.example", "outer", "1.0")
	add(&zip.FileHeader{Name: p.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(p.data), CompressedSize64: uint64(len(p.data)), UncompressedSize64: uint64(len(p.data))}, p.data)
	// Declares 1 MiB more than is there.
	add(&zip.FileHeader{Name: "BOOT-INF/lib/inner-2.0.jar", Method: zip.Store, CRC32: crc32.ChecksumIEEE(inner), CompressedSize64: uint64(len(inner)) + 1<<20, UncompressedSize64: uint64(len(inner)) + 1<<20}, inner)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deflated returns n zero bytes deflated: a few KB standing for n.
func deflated(t testing.TB, n int64) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	if _, err := io.CopyN(fw, zeroReader{}, n); err != nil {
		t.Fatal(err)
	}
	fw.Close()
	return buf.Bytes()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// rawZip builds a zip whose entries carry exactly the given (possibly
// lying) headers and deflated bytes.
func rawZip(t testing.TB, entries ...struct {
	h    zip.FileHeader
	data []byte
}) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		h := e.h
		f, err := w.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(e.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExtractZipBombs(t *testing.T) {
	const bomb = 64 << 20 // 64 MiB of zeros deflate to ~64 KB
	zeros := deflated(t, bomb)
	type raw = struct {
		h    zip.FileHeader
		data []byte
	}
	small := Options{MaxDepth: 3, MaxEntries: 1000, MaxEntrySize: 1 << 20, MaxTotal: 4 << 20}
	tests := []struct {
		name     string
		data     []byte
		wantWarn []string // substrings, one per warning, in order
	}{
		{
			name:     "nested jar declaring 64 MiB over a 1 MiB entry limit",
			data:     rawZip(t, raw{zip.FileHeader{Name: "lib/bomb-1.0.jar", Method: zip.Deflate, CompressedSize64: uint64(len(zeros)), UncompressedSize64: bomb}, zeros}),
			wantWarn: []string{"declares 67108864 bytes uncompressed, over the 1048576 byte limit"},
		},
		{
			name:     "nested jar lying about its size: declares 1000 bytes, inflates to 64 MiB",
			data:     rawZip(t, raw{zip.FileHeader{Name: "lib/bomb-1.0.jar", Method: zip.Deflate, CompressedSize64: uint64(len(zeros)), UncompressedSize64: 1000}, zeros}),
			wantWarn: []string{"lib/bomb-1.0.jar: zip: not a valid zip file"},
		},
		{
			name:     "pom.properties declaring 64 MiB",
			data:     rawZip(t, raw{zip.FileHeader{Name: "META-INF/maven/g/a/pom.properties", Method: zip.Deflate, CompressedSize64: uint64(len(zeros)), UncompressedSize64: bomb}, zeros}),
			wantWarn: []string{"pom.properties declares 67108864 bytes"},
		},
		{
			name:     "manifest of 64 MiB zeros: only 1 MiB read, no blank line needed",
			data:     rawZip(t, raw{zip.FileHeader{Name: "META-INF/MANIFEST.MF", Method: zip.Deflate, CompressedSize64: uint64(len(zeros)), UncompressedSize64: bomb}, zeros}),
			wantWarn: []string{"manifest line longer than 64 KiB"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, warns := extract(t, tc.data, "/x/app.jar", small)
			if len(warns) != len(tc.wantWarn) {
				t.Fatalf("warnings = %+v, want %d", warns, len(tc.wantWarn))
			}
			for i, w := range tc.wantWarn {
				if !strings.Contains(warns[i].msg, w) || !strings.HasPrefix(warns[i].loc, "/x/app.jar") {
					t.Errorf("warning %d = %+v, want one containing %q", i, warns[i], w)
				}
			}
		})
	}
}

func TestExtractTotalBudget(t *testing.T) {
	// Five deflated nested jars of 300 KB each, 1 MiB total budget: the
	// fourth exhausts it.
	filler := bytes.Repeat([]byte("0123456789abcdef"), 300<<10/16)
	var entries []entry
	for i := range 5 {
		inner := buildZip(t, pom("org.b", fmt.Sprintf("n%d", i), "1.0"), entry{name: "filler.bin", data: filler, stored: true})
		entries = append(entries, entry{name: fmt.Sprintf("lib/n%d-1.0.jar", i), data: inner})
	}
	opt := Options{MaxDepth: 3, MaxEntries: 1000, MaxEntrySize: 1 << 20, MaxTotal: 1 << 20}
	pkgs, warns := extract(t, buildZip(t, entries...), "/x/app.jar", opt)
	if len(warns) == 0 || !strings.Contains(warns[0].msg, "total limit") {
		t.Fatalf("warnings = %+v, want the total budget one", warns)
	}
	if len(pkgs) != 5 {
		t.Errorf("packages = %v: want all five named, by pom or by file name", ids(pkgs))
	}
}

func TestExtractLaneIsReleased(t *testing.T) {
	lane := NewLane()
	opt := DefaultOptions
	opt.Lane = lane
	war := fixture(t, "debian/opt/tomcat/webapps/shop.war")
	for range 3 { // would block forever on the second run if the lane leaked
		if pkgs, _ := extract(t, war, "/shop.war", opt); len(pkgs) != 3 {
			t.Fatalf("packages = %v", ids(pkgs))
		}
	}
}

func TestExtractCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := fixture(t, "debian/opt/app/app.jar")
	if pkgs := Extract(ctx, bytes.NewReader(data), int64(len(data)), "/app.jar", DefaultOptions); len(pkgs) != 0 {
		t.Errorf("cancelled extraction returned %v", ids(pkgs))
	}
}

// smallRealJars returns the small nested jars of the Spring Boot fixture
// (a few KB each: big seeds make fuzzing crawl).
func smallRealJars(t testing.TB) [][]byte {
	app := fixture(t, "debian/opt/app/app.jar")
	zr, err := zip.NewReader(bytes.NewReader(app), int64(len(app)))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, f := range zr.File {
		if IsArchiveName(f.Name) && f.UncompressedSize64 < 64<<10 {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			out = append(out, data)
		}
	}
	return out
}

func FuzzExtract(f *testing.F) {
	for _, jar := range smallRealJars(f) {
		f.Add(jar)
	}
	f.Add(buildZip(f, entry{name: "BOOT-INF/lib/a-1.0.jar", data: buildZip(f, pom("g", "a", "1.0")), stored: true}, pom("g", "app", "2")))
	f.Add(nestedChain(f, 4, true))
	f.Add(nestedChain(f, 2, false))
	f.Add(buildZip(f, entry{name: "META-INF/MANIFEST.MF", data: []byte("Start-Class: a\nImplementation-Version: 1\n")}))
	opt := Options{MaxDepth: 3, MaxEntries: 200, MaxEntrySize: 1 << 20, MaxTotal: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		o := opt
		o.Warn = func(string, error) {}
		pkgs := Extract(context.Background(), bytes.NewReader(data), int64(len(data)), "/fuzz-1.0.jar", o)
		for _, p := range pkgs {
			if p.Type != model.PkgMaven || !strings.HasPrefix(p.Location, "/fuzz-1.0.jar") {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}
