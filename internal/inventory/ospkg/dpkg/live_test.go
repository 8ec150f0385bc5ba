package dpkg

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// dpkgQuery runs dpkg-query on the live host (fixed argv, timeout).
func dpkgQuery(t testing.TB, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("dpkg-query not installed: not a dpkg system")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "dpkg-query", args...).Output()
	if err != nil {
		t.Fatalf("dpkg-query %v: %v", args, err)
	}
	return out
}

func liveRoot(t testing.TB) *rootfs.FS {
	t.Helper()
	root, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	if !root.Exists(statusPath) {
		t.Skip("no dpkg database on this host")
	}
	return root
}

// TestLiveMatchesDpkgQuery: on this host the collector finds exactly the
// packages dpkg-query lists with their files on disk, with the same
// versions, architectures and source packages.
func TestLiveMatchesDpkgQuery(t *testing.T) {
	root := liveRoot(t)
	out := dpkgQuery(t, "-W", "-f=${binary:Package}\t${Package}\t${Architecture}\t${Version}\t${db:Status-Status}\t${source:Package}\t${source:Version}\t${Multi-Arch}\n")
	native := strings.TrimSpace(string(dpkgQueryArch(t)))

	type row struct{ binary, version, state, source, sourceVersion, multiArch string }
	want := map[string]row{} // name:arch -> row
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 8 {
			t.Fatalf("unexpected dpkg-query line %q", sc.Text())
		}
		if !filesOnDisk(f[4]) {
			continue
		}
		want[f[1]+":"+f[2]] = row{binary: f[0], version: f[3], state: f[4], source: f[5], sourceVersion: f[6], multiArch: f[7]}
	}
	if len(want) == 0 {
		t.Skip("dpkg-query lists no installed packages")
	}

	inv, warnings := testutil.Collect(t, New(), root)
	for _, w := range warnings {
		t.Errorf("warning: %s: %s", w.Path, w.Message)
	}
	got := map[string]model.Package{}
	for _, p := range inv.Packages {
		got[p.Name+":"+p.Arch] = p
	}
	for k, w := range want {
		p, ok := got[k]
		if !ok {
			t.Errorf("%s: listed by dpkg-query, not found", k)
			continue
		}
		wantState := w.state
		if wantState == "installed" {
			wantState = ""
		}
		if p.Version != w.version || p.SourceName != w.source || p.SourceVersion != w.sourceVersion || p.State != wantState {
			t.Errorf("%s: got version %q source %q %q state %q; dpkg-query says %q %q %q %q",
				k, p.Version, p.SourceName, p.SourceVersion, p.State, w.version, w.source, w.sourceVersion, wantState)
		}
		// dpkg qualifies a name with its arch for Multi-Arch: same and
		// foreign-arch packages; Name+Arch must be enough to rebuild that.
		name := p.Name
		if w.multiArch == "same" || (p.Arch != native && p.Arch != "all" && p.Arch != "") {
			name += ":" + p.Arch
		}
		if name != w.binary {
			t.Errorf("%s: rebuilt binary:Package %q, dpkg-query says %q", k, name, w.binary)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: found, but dpkg-query does not list it as installed", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("found %d packages, dpkg-query lists %d", len(got), len(want))
	}

	// Known source packages and file lists.
	for _, tt := range []struct{ name, source string }{{"bash", "bash"}, {"libc6", "glibc"}} {
		var p *model.Package
		for i := range inv.Packages {
			if inv.Packages[i].Name == tt.name {
				p = &inv.Packages[i]
			}
		}
		if p == nil {
			t.Errorf("%s not installed on this host", tt.name)
			continue
		}
		if p.SourceName != tt.source {
			t.Errorf("%s: source %q, want %q", tt.name, p.SourceName, tt.source)
		}
		var listed []string
		for _, l := range strings.Split(strings.TrimSpace(string(dpkgQuery(t, "-L", tt.name))), "\n") {
			if l != "/." && strings.HasPrefix(l, "/") {
				listed = append(listed, l)
			}
		}
		if len(p.Files) != len(listed) || len(listed) == 0 {
			t.Errorf("%s: %d files, dpkg-query -L lists %d", tt.name, len(p.Files), len(listed))
		}
	}
}

func dpkgQueryArch(t testing.TB) []byte {
	t.Helper()
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "dpkg", "--print-architecture").Output()
	if err != nil {
		t.Fatalf("dpkg --print-architecture: %v", err)
	}
	return out
}

// BenchmarkDpkgLive reads this host's whole dpkg database, file lists included.
func BenchmarkDpkgLive(b *testing.B) {
	root := liveRoot(b)
	b.ReportAllocs()
	for b.Loop() {
		inv, _ := testutil.Collect(b, New(), root)
		if len(inv.Packages) == 0 {
			b.Fatal("no packages")
		}
	}
}

// BenchmarkParseStatusLive parses this host's status file alone (no file
// lists), to show what the stanza parser allocates.
func BenchmarkParseStatusLive(b *testing.B) {
	root := liveRoot(b)
	data, err := root.ReadFile(statusPath, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := ParseStatus(bytes.NewReader(data), func(Entry) { n++ }, nil); err != nil || n == 0 {
			b.Fatal(err, n)
		}
	}
}
