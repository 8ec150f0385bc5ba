package dpkg

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/testutil"
)

func parseAll(t testing.TB, data string) ([]Entry, []ParseError) {
	t.Helper()
	var entries []Entry
	var errs []ParseError
	err := ParseStatus(strings.NewReader(data), func(e Entry) { entries = append(entries, e) }, func(e ParseError) { errs = append(errs, e) })
	if err != nil {
		t.Fatalf("ParseStatus: %v", err)
	}
	return entries, errs
}

func TestParseStatus(t *testing.T) {
	long := strings.Repeat("x", maxLine+100)
	tests := []struct {
		name    string
		in      string
		want    []Entry
		wantErr []ParseError
	}{
		{
			name: "two stanzas with continuation lines",
			in: "Package: a\nStatus: install ok installed\nDescription: short\n long text\n .\n more\nVersion: 1.0\n\n" +
				"Package: b\nVersion: 2:3-4\nSource: bsrc (3-1)\nArchitecture: all\nMulti-Arch: foreign\nMaintainer: M <m@x>\nOrigin: Debian\n",
			want: []Entry{
				{Line: 1, Package: "a", Status: "install ok installed", Version: "1.0"},
				{Line: 9, Package: "b", Version: "2:3-4", Source: "bsrc (3-1)", Architecture: "all", MultiArch: "foreign", Maintainer: "M <m@x>", Origin: "Debian"},
			},
		},
		{
			name: "CRLF, case-insensitive names, no final newline",
			in:   "package: a\r\nVERSION:  1.0  \r\nStatus: install ok installed\r\n\r\nPackage: b\r\nVersion: 2",
			want: []Entry{{Line: 1, Package: "a", Version: "1.0", Status: "install ok installed"}, {Line: 5, Package: "b", Version: "2"}},
		},
		{
			name: "blank and whitespace-only lines between stanzas",
			in:   "\n\n  \n\t\nPackage: a\nVersion: 1\n\n\n\n \nPackage: b\nVersion: 2\n\n",
			want: []Entry{{Line: 5, Package: "a", Version: "1"}, {Line: 11, Package: "b", Version: "2"}},
		},
		{
			name: "whitespace-only line inside a stanza is a continuation",
			in:   "Package: a\nDescription: x\n  \nVersion: 1\n",
			want: []Entry{{Line: 1, Package: "a", Version: "1"}},
		},
		{
			name:    "line without a colon spoils only its stanza",
			in:      "Package: a\nVersion: 1\n\nPackage: b\ngarbage here\nVersion: 2\n\nPackage: c\nVersion: 3\n",
			want:    []Entry{{Line: 1, Package: "a", Version: "1"}, {Line: 8, Package: "c", Version: "3"}},
			wantErr: []ParseError{{Line: 5, Msg: `expected "Field: value"`}},
		},
		{
			name:    "field name with a space",
			in:      "Package: a\nBad Field: 1\n",
			wantErr: []ParseError{{Line: 2, Msg: `expected "Field: value"`}},
		},
		{
			name:    "empty field name",
			in:      ": value\nPackage: a\n",
			wantErr: []ParseError{{Line: 1, Msg: `expected "Field: value"`}},
		},
		{
			name:    "stanza without Package",
			in:      "Version: 1\nStatus: install ok installed\n\nPackage: b\nVersion: 2\n",
			want:    []Entry{{Line: 4, Package: "b", Version: "2"}},
			wantErr: []ParseError{{Line: 1, Msg: "stanza has no Package field"}},
		},
		{
			name:    "duplicate kept field",
			in:      "Package: a\nVersion: 1\nversion: 2\n",
			wantErr: []ParseError{{Line: 3, Msg: "duplicate field version"}},
		},
		{
			name: "duplicate skipped field is harmless",
			in:   "Package: a\nDepends: x\nDepends: y\nVersion: 1\n",
			want: []Entry{{Line: 1, Package: "a", Version: "1"}},
		},
		{
			name:    "continuation line outside a stanza",
			in:      " orphan\nPackage: a\n\nPackage: b\nVersion: 2\n",
			want:    []Entry{{Line: 4, Package: "b", Version: "2"}},
			wantErr: []ParseError{{Line: 1, Msg: "continuation line outside any field"}},
		},
		{
			name: "over-long skipped field is discarded",
			in:   "Package: a\nDescription: " + long + "\n " + long + "\nVersion: 1\n",
			want: []Entry{{Line: 1, Package: "a", Version: "1"}},
		},
		{
			name:    "over-long kept field is an error",
			in:      "Package: a\nVersion: " + long + "\n\nPackage: b\nVersion: 2\n",
			want:    []Entry{{Line: 4, Package: "b", Version: "2"}},
			wantErr: []ParseError{{Line: 2, Msg: "field Version is longer than 65536 bytes"}},
		},
		{
			name: "empty input",
			in:   "",
		},
		{
			name: "colon in value",
			in:   "Package: a\nMaintainer: A <a@b>: x\nVersion: 1:2\n",
			want: []Entry{{Line: 1, Package: "a", Maintainer: "A <a@b>: x", Version: "1:2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := parseAll(t, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseStatusFixture reads the real Debian 12 status file of the shared
// debian fixture root.
func TestParseStatusFixture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata/roots/debian/var/lib/dpkg/status"))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := parseAll(t, string(data))
	if len(errs) != 0 {
		t.Fatalf("errors on a real status file: %v", errs)
	}
	var names []string
	for _, e := range got {
		names = append(names, e.Package)
	}
	wantNames := []string{"base-files", "bash", "ca-certificates", "dpkg", "less", "libc6", "libgcc-s1", "libssl3", "openssl", "tzdata", "zlib1g"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Fatalf("packages (-want +got):\n%s", diff)
	}
	byName := map[string]Entry{}
	for _, e := range got {
		byName[e.Package] = e
	}
	tests := []Entry{
		{Line: 28, Package: "bash", Status: "install ok installed", Version: "5.2.15-2+b8", Architecture: "amd64", MultiArch: "foreign", Source: "bash (5.2.15-2)", Maintainer: "Matthias Klose <doko@debian.org>"},
		{Line: 133, Package: "libc6", Status: "install ok installed", Version: "2.36-9+deb12u14", Architecture: "amd64", MultiArch: "same", Source: "glibc", Maintainer: "GNU Libc Maintainers <debian-glibc@lists.debian.org>"},
		{Line: 243, Package: "zlib1g", Status: "install ok installed", Version: "1:1.2.13.dfsg-1", Architecture: "amd64", MultiArch: "same", Source: "zlib", Maintainer: "Mark Brown <broonie@debian.org>"},
		{Line: 111, Package: "less", Status: "deinstall ok config-files", Version: "590-2.1~deb12u2", Architecture: "amd64", MultiArch: "foreign", Maintainer: "Milan Kupcevic <milan@debian.org>"},
	}
	for _, want := range tests {
		if diff := cmp.Diff(want, byName[want.Package]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.Package, diff)
		}
	}
}

// newHugeStanza produces a stanza whose Description is n bytes of
// continuation lines plus one line of n bytes, without holding it in memory.
func newHugeStanza(n int) io.Reader {
	line := bytes.Repeat([]byte("y"), 79)
	line = append([]byte(" "), append(line, '\n')...)
	cont := &repeatReader{chunk: line, left: n}
	oneLine := &repeatReader{chunk: []byte("z"), left: n}
	return io.MultiReader(
		strings.NewReader("Package: huge\nStatus: install ok installed\nDescription: big\n"),
		cont,
		strings.NewReader(" "), oneLine, strings.NewReader("\nVersion: 1.0\n\nPackage: after\nVersion: 2\n"),
	)
}

type repeatReader struct {
	chunk []byte
	off   int
	left  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		c := copy(p[n:], r.chunk[r.off:])
		if c > r.left {
			c = r.left
		}
		n += c
		r.left -= c
		r.off = (r.off + c) % len(r.chunk)
	}
	return n, nil
}

// TestParseStatusStreamsLongFields checks that a 64 MB Description (two 32 MB parts) is
// skipped without being held: allocation stays far below its size.
func TestParseStatusStreamsLongFields(t *testing.T) {
	const size = 32 << 20
	var got []string
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := ParseStatus(newHugeStanza(size), func(e Entry) { got = append(got, e.Package+" "+e.Version) }, func(e ParseError) { t.Errorf("unexpected error %v", e) })
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"huge 1.0", "after 2"}, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d bytes", alloc)
	if alloc > 1<<20 {
		t.Errorf("parsing allocated %d bytes for a %d-byte field; it should stream", alloc, 2*size)
	}
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		in, name, version string
		wantErr           bool
	}{
		{in: "glibc", name: "glibc"},
		{in: "bash (5.2.15-2)", name: "bash", version: "5.2.15-2"},
		{in: "zlib (1:1.2.13.dfsg-1)", name: "zlib", version: "1:1.2.13.dfsg-1"},
		{in: "  gcc-12   ( 12.2.0-14 ) ", name: "gcc-12", version: "12.2.0-14"},
		{in: "openssl (3.0.19-1~deb12u2)", name: "openssl", version: "3.0.19-1~deb12u2"},
		{in: "zlib (1.2", wantErr: true},
		{in: "zlib ()", wantErr: true},
		{in: "zlib 1.2", wantErr: true},
		{in: "zlib (1.2) extra", wantErr: true},
		{in: "(1.2)", wantErr: true},
		{in: "../x", wantErr: true},
		{in: "", wantErr: true},
		{in: "a (1 2)", wantErr: true},
	}
	for _, tt := range tests {
		name, version, err := parseSource(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseSource(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if name != tt.name || version != tt.version {
			t.Errorf("parseSource(%q) = %q, %q; want %q, %q", tt.in, name, version, tt.name, tt.version)
		}
	}
}

func TestParseStatusField(t *testing.T) {
	tests := []struct {
		in, state string
		onDisk    bool
		wantErr   bool
	}{
		{in: "install ok installed", state: "installed", onDisk: true},
		{in: "hold ok installed", state: "installed", onDisk: true},
		{in: "deinstall ok installed", state: "installed", onDisk: true},
		{in: "install ok half-configured", state: "half-configured", onDisk: true},
		{in: "install reinstreq half-installed", state: "half-installed", onDisk: true},
		{in: "install ok unpacked", state: "unpacked", onDisk: true},
		{in: "install ok triggers-pending", state: "triggers-pending", onDisk: true},
		{in: "install ok triggers-awaited", state: "triggers-awaited", onDisk: true},
		{in: "deinstall ok config-files", state: "config-files"},
		{in: "purge ok not-installed", state: "not-installed"},
		{in: "install  ok\tinstalled", state: "installed", onDisk: true},
		{in: "install ok", wantErr: true},
		{in: "install ok installed extra", wantErr: true},
		{in: "install ok exploded", wantErr: true},
		{in: "want ok installed", wantErr: true},
		{in: "install bad installed", wantErr: true},
	}
	for _, tt := range tests {
		state, err := parseStatus(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseStatus(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if state != tt.state || filesOnDisk(state) != tt.onDisk {
			t.Errorf("parseStatus(%q) = %q (on disk %v), want %q (%v)", tt.in, state, filesOnDisk(state), tt.state, tt.onDisk)
		}
	}
}

func TestParseFileLists(t *testing.T) {
	list := parseFileList(("/.\n/usr\n/usr/bin\n/usr/bin/bash\n\nrelative/ignored\n/etc/skel/.bashrc\r\n"))
	if diff := cmp.Diff([]string{"/usr", "/usr/bin", "/usr/bin/bash", "/etc/skel/.bashrc"}, list); diff != "" {
		t.Errorf("parseFileList (-want +got):\n%s", diff)
	}
	sums := parseMD5Sums(("fb890792a951c8267c816d7a1383a3ce  usr/share/doc/netbase/changelog.gz\n" +
		"78dd2c7c6f487348e4a0092c17a19d42 *usr/share/doc/with space\nshort  x\n\n" +
		"78dd2c7c6f487348e4a0092c17a19d42  ../../etc/x\n"))
	if diff := cmp.Diff([]string{"/usr/share/doc/netbase/changelog.gz", "/usr/share/doc/with space", "/etc/x"}, sums); diff != "" {
		t.Errorf("parseMD5Sums (-want +got):\n%s", diff)
	}
}
