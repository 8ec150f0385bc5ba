package impact

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/ospkg/dpkg"
	"github.com/ward-sec/ward/internal/inventory/process"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// collect runs the dpkg and process collectors over root and procRoot and
// attributes process files as a scan does.
func collect(t *testing.T, fsys *rootfs.FS, procRoot string) *model.Inventory {
	t.Helper()
	inv := &model.Inventory{}
	for _, c := range []inventory.Collector{dpkg.New(), process.New()} {
		env, _ := inventory.TestEnv(fsys, c.Name())
		env.ProcRoot = procRoot
		frag, err := c.Collect(context.Background(), env)
		if err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
		inv.Merge(frag)
	}
	inventory.AttributeFiles(inv)
	return inv
}

func pkgNamed(t *testing.T, inv *model.Inventory, name string) *model.Package {
	t.Helper()
	for i := range inv.Packages {
		if inv.Packages[i].Name == name {
			return &inv.Packages[i]
		}
	}
	t.Fatalf("no package %s", name)
	return nil
}

// Debian fixture root (dpkg file lists of libssl3 and libc6) with a
// captured /proc: two socat processes of one service, one of them still
// mapping a replaced libssl, and a sleep in a login session.
func TestFixtureRestartImpact(t *testing.T) {
	inv := collect(t, testutil.FixtureRoot(t, "debian"), filepath.Join("testdata", "proc"))
	x := NewIndex(inv)

	ssl := x.For(pkgNamed(t, inv, "libssl3"))
	if got := ssl.Restart(); !slices.Equal(got, []string{"socat-proxy.service (pid 21606, 21608) (running a replaced file)"}) {
		t.Errorf("libssl3 restart %q", got)
	}
	libc := x.For(pkgNamed(t, inv, "libc6"))
	if got := libc.Restart(); !slices.Equal(got, []string{"socat-proxy.service (pid 21606, 21608)", "sleep (pid 21619)"}) {
		t.Errorf("libc6 restart %q", got)
	}
	// Nothing runs from bash or zlib here.
	for _, name := range []string{"bash", "zlib1g"} {
		if im := x.For(pkgNamed(t, inv, name)); !im.Empty() {
			t.Errorf("%s: unexpected impact %+v", name, im)
		}
	}
	testutil.GoldenJSON(t, "libssl3-impact", ssl)
}

func TestLanguagePackagesByLocation(t *testing.T) {
	inv := &model.Inventory{
		Processes: []model.Process{
			{PID: 2201, Name: "java", Cgroup: "/system.slice/shop.service", Files: []model.ProcessFile{
				{Path: "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", Package: "openjdk-17-jre-headless"},
				{Path: "/opt/app/app.jar"},
			}},
			{PID: 2300, Name: "java", Files: []model.ProcessFile{{Path: "/opt/batch/batch.jar"}}},
			{PID: 3100, Name: "caddy", Files: []model.ProcessFile{{Path: "/usr/local/bin/caddy"}}},
		},
	}
	tests := []struct {
		pkg  model.Package
		want []string
	}{
		{model.Package{Type: model.PkgMaven, Name: "log4j-core", Location: "/opt/app/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"},
			[]string{"shop.service (pid 2201, /opt/app/app.jar)"}},
		{model.Package{Type: model.PkgMaven, Name: "log4j-core", Location: "/opt/batch/batch.jar"},
			[]string{"java (pid 2300, /opt/batch/batch.jar)"}},
		{model.Package{Type: model.PkgGo, Name: "golang.org/x/net", Location: "/usr/local/bin/caddy"},
			[]string{"caddy (pid 3100, /usr/local/bin/caddy)"}},
		{model.Package{Type: model.PkgDeb, Name: "openjdk-17-jre-headless"}, []string{"shop.service (pid 2201)"}},
		{model.Package{Type: model.PkgMaven, Name: "x", Location: "/opt/other.jar"}, nil},
		{model.Package{Type: model.PkgPyPI, Name: "requests", Location: "relative/path"}, nil},
	}
	ims := For(inv, []model.Package{tests[0].pkg, tests[1].pkg, tests[2].pkg, tests[3].pkg, tests[4].pkg, tests[5].pkg})
	for i, tc := range tests {
		if got := ims[i].Restart(); !slices.Equal(got, tc.want) {
			t.Errorf("%s at %s: %q, want %q", tc.pkg.Name, tc.pkg.Location, got, tc.want)
		}
	}
	if e := ims[0].Evidence(); e != "restart after patching: shop.service (pid 2201, /opt/app/app.jar)" {
		t.Errorf("evidence %q", e)
	}
	if e := ims[4].Evidence(); e != "" {
		t.Errorf("evidence without processes %q", e)
	}
}

func TestRestartCapsGroups(t *testing.T) {
	var inv model.Inventory
	for i := 0; i < 20; i++ {
		inv.Processes = append(inv.Processes, model.Process{PID: 100 + i, Name: "p" + string(rune('a'+i)),
			Files: []model.ProcessFile{{Path: "/lib/libc.so.6", Package: "libc6"}}})
	}
	r := NewIndex(&inv).For(&model.Package{Type: model.PkgDeb, Name: "libc6"}).Restart()
	if len(r) != maxGroups+1 || !strings.Contains(r[maxGroups], "8 more") {
		t.Errorf("restart %q", r)
	}
}

func TestServiceOf(t *testing.T) {
	for in, want := range map[string]string{
		"/system.slice/nginx.service":                         "nginx.service",
		"/system.slice/system-getty.slice/getty@tty1.service": "getty@tty1.service",
		"/user.slice/user-1000.slice/session-3.scope":         "",
		"/system.slice/docker-abc.scope":                      "",
		"":                                                    "",
		"/.service":                                           "",
	} {
		if got := ServiceOf(in); got != want {
			t.Errorf("ServiceOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// On this host: a child process maps the C library, which dpkg says
// libc6 installed; patching libc6 means restarting it.
func TestLiveLibcImpact(t *testing.T) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		t.Skip("not a dpkg host")
	}
	cmd := exec.Command("/usr/bin/sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start sleep:", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	for i := 0; i < 50; i++ {
		inv := collect(t, fsys, "/proc")
		im := NewIndex(inv).For(pkgNamed(t, inv, "libc6"))
		for _, p := range im.Processes {
			if p.PID == cmd.Process.Pid {
				return
			}
		}
	}
	t.Errorf("sleep (pid %d) not among the processes libc6 patching restarts", cmd.Process.Pid)
}
