package langpkg

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/purl"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// collected is what the golden files hold: the fragment's packages and the
// warnings naming problem files.
type collected struct {
	Packages []model.Package `json:"packages"`
	Warnings []model.Warning `json:"warnings"`
}

func collect(t *testing.T, root *rootfs.FS, prior *model.Inventory) (collected, WalkStats) {
	t.Helper()
	env, warnings := inventory.TestEnv(root, "lang/packages")
	env.Prior = prior
	c := New().(*Collector)
	inv, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return collected{Packages: inv.Packages, Warnings: *warnings}, c.Stats()
}

// dpkgPackage is an OS package whose file list is a real dpkg .list file
// from testdata/dpkg.
func dpkgPackage(t *testing.T, name string) model.Package {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "dpkg", name+".list"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := model.Package{Type: model.PkgDeb, Name: name, Location: "/var/lib/dpkg/status"}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p.Files = append(p.Files, sc.Text())
	}
	return p
}

func TestCollectDebianGolden(t *testing.T) {
	// The shared fixture root plus a Go program built now (binaries are not
	// committed), in a temporary copy of the tree.
	dir := t.TempDir()
	copyTree(t, filepath.Join(testutil.RepoRoot(), "testdata", "roots", "debian"), dir)
	bin := filepath.Join(dir, "usr", "local", "bin", "shopagent")
	buildGoApp(t, bin)
	root, err := rootfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()

	prior := &model.Inventory{Packages: []model.Package{
		dpkgPackage(t, "python3-yaml"),  // lists PyYAML-6.0.dist-info and its METADATA
		dpkgPackage(t, "python3-jwt"),   // lists the PyJWT-2.6.0.egg-info directory
		dpkgPackage(t, "libslf4j-java"), // lists /usr/share/java/slf4j-api.jar
		// An OS package owning the Go binary: it must be kept anyway.
		{Type: model.PkgDeb, Name: "shopagent", Files: []string{"/usr/local/bin/shopagent"}},
	}}
	got, stats := collect(t, root, prior)
	normalizeGoVersion(t, got.Packages)
	noInternalErrors(t, got)
	testutil.GoldenJSON(t, "debian", onlyOurFixtures(got))

	if stats.DroppedOSOwned != 3 {
		t.Errorf("DroppedOSOwned = %d, want 3 (PyYAML, PyJWT, slf4j-api.jar)", stats.DroppedOSOwned)
	}
	for _, p := range got.Packages {
		if strings.HasPrefix(p.Location, "/usr/share/java/") || strings.HasPrefix(p.Location, "/usr/lib/python3/dist-packages/") {
			t.Errorf("OS-owned package kept: %s %s at %s", p.Name, p.Version, p.Location)
		}
	}
}

func TestCollectFixtureRootsGolden(t *testing.T) {
	for _, name := range []string{"rhel", "alpine"} {
		t.Run(name, func(t *testing.T) {
			got, _ := collect(t, testutil.FixtureRoot(t, name), nil)
			noInternalErrors(t, got)
			testutil.GoldenJSON(t, name, onlyOurFixtures(got))
		})
	}
}

// TestOSOwnedWithoutPrior: with no earlier phase (Prior nil) nothing is
// dropped.
func TestOSOwnedWithoutPrior(t *testing.T) {
	got, stats := collect(t, testutil.FixtureRoot(t, "debian"), nil)
	want := map[string]bool{"PyYAML": false, "PyJWT": false, "slf4j-api": false}
	for _, p := range got.Packages {
		if _, ok := want[p.Name]; ok {
			want[p.Name] = true
		}
	}
	for name, found := range want {
		if !found {
			t.Errorf("%s missing without Prior", name)
		}
	}
	if stats.DroppedOSOwned != 0 {
		t.Errorf("DroppedOSOwned = %d, want 0", stats.DroppedOSOwned)
	}
}

// ourFixtures are the trees of the shared fixture roots that this package
// put there (testdata/sources/langpkg.md). Other collectors' engineers add
// files to the same roots; the golden files cover only ours so they do not
// change with every fixture added elsewhere. The walk still visits all.
var ourFixtures = []string{
	"/opt/app/", "/opt/tomcat/webapps/shop.war", "/usr/share/java/", "/usr/local/bin/shopagent",
	"/usr/lib/python3/dist-packages/", "/usr/local/lib/python3.11/dist-packages/", "/usr/lib/python2.7/",
	"/srv/node/app/", "/usr/lib/python3.9/site-packages/distro-1.8.0.dist-info/", "/opt/tools/",
	"/usr/local/lib/node_modules/corepack/",
}

func isOurs(p string) bool {
	for _, f := range ourFixtures {
		if strings.HasPrefix(p, f) {
			return true
		}
	}
	return false
}

func onlyOurFixtures(c collected) collected {
	out := collected{Packages: []model.Package{}, Warnings: []model.Warning{}}
	for _, p := range c.Packages {
		if isOurs(p.Location) {
			out.Packages = append(out.Packages, p)
		}
	}
	for _, w := range c.Warnings {
		if isOurs(w.Path) {
			out.Warnings = append(out.Warnings, w)
		}
	}
	return out
}

// noInternalErrors fails on a recovered panic anywhere in the root.
func noInternalErrors(t *testing.T, c collected) {
	t.Helper()
	for _, w := range c.Warnings {
		if strings.Contains(w.Message, "internal error") {
			t.Errorf("%s: %s", w.Path, w.Message)
		}
	}
}

// buildGoApp compiles testdata/goapp (offline: its modules are ones Ward's
// go.mod already needs) to out.
func buildGoApp(t *testing.T, out string) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(gobin); err != nil {
			t.Skip("no go toolchain to build the Go binary fixture")
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gobin, "build", "-trimpath", "-buildvcs=false", "-o", out, ".")
	cmd.Dir = filepath.Join("testdata", "goapp")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build testdata/goapp: %v\n%s", err, b)
	}
}

// normalizeGoVersion replaces the toolchain version, which changes with
// every Go release, after checking it is the one that built the binary.
func normalizeGoVersion(t *testing.T, pkgs []model.Package) {
	t.Helper()
	want := strings.TrimPrefix(runtime.Version(), "go")
	for i := range pkgs {
		p := &pkgs[i]
		if p.Type == model.PkgGo && p.Name == "stdlib" {
			if p.Version != want {
				t.Errorf("stdlib version = %q, want %q", p.Version, want)
			}
			p.Version = "GOVERSION"
			p.PURL = purl.For(*p, nil)
		}
	}
}

// copyTree copies a fixture tree (dirs, regular files with their modes,
// symlinks as links).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCollectCancelled(t *testing.T) {
	env, _ := inventory.TestEnv(testutil.FixtureRoot(t, "debian"), "lang/packages")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Collect(ctx, env); err == nil {
		t.Error("Collect on a cancelled context: no error")
	}
}

func TestCollectorIdentity(t *testing.T) {
	c := New()
	if c.Name() != "lang/packages" || c.Phase() != 1 || c.NeedsLive() {
		t.Errorf("Name %q Phase %d NeedsLive %v", c.Name(), c.Phase(), c.NeedsLive())
	}
}
