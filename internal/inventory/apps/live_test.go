package apps

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// readDpkg is a small stand-in for the OS package collector: installed
// packages from /var/lib/dpkg/status with their file lists.
func readDpkg(t *testing.T) []model.Package {
	t.Helper()
	data, err := os.ReadFile("/var/lib/dpkg/status")
	if err != nil {
		t.Skipf("no dpkg database: %v", err)
	}
	var out []model.Package
	for _, para := range bytes.Split(data, []byte("\n\n")) {
		f := map[string]string{}
		for _, line := range strings.Split(string(para), "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, " ") {
				f[k] = v
			}
		}
		if f["Package"] == "" || !strings.HasSuffix(f["Status"], " installed") {
			continue
		}
		p := model.Package{Type: model.PkgDeb, Name: f["Package"], Version: f["Version"], Arch: f["Architecture"], Location: "/var/lib/dpkg/status"}
		p.SourceName, _, _ = strings.Cut(f["Source"], " ")
		for _, list := range []string{p.Name + ".list", p.Name + ":" + p.Arch + ".list"} {
			if l, err := os.ReadFile(filepath.Join("/var/lib/dpkg/info", list)); err == nil {
				p.Files = strings.Split(strings.TrimSpace(string(l)), "\n")
				break
			}
		}
		out = append(out, p)
	}
	return out
}

// readProcs is a small stand-in for the process collector.
func readProcs(t *testing.T) []model.Process {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var out []model.Process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		p := model.Process{PID: pid}
		comm, _ := os.ReadFile(filepath.Join(dir, "comm"))
		p.Name = strings.TrimSpace(string(comm))
		if exe, err := os.Readlink(filepath.Join(dir, "exe")); err == nil {
			p.Exe, p.ExeDeleted = strings.CutSuffix(exe, " (deleted)")
		}
		p.Cwd, _ = os.Readlink(filepath.Join(dir, "cwd"))
		if cmd, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil && len(cmd) > 0 {
			p.Cmdline = strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00")
		}
		if st, err := os.ReadFile(filepath.Join(dir, "status")); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(st))
			for sc.Scan() {
				k, v, _ := strings.Cut(sc.Text(), ":")
				fields := strings.Fields(v)
				if len(fields) == 0 {
					continue
				}
				switch k {
				case "PPid":
					p.PPID, _ = strconv.Atoi(fields[0])
				case "Uid":
					p.UID, _ = strconv.Atoi(fields[0])
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// TestLiveHost recognises the services running on this machine (a Debian
// 12 host) with the versions dpkg reports.
func TestLiveHost(t *testing.T) {
	if testing.Short() {
		t.Skip("live test")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	pkgs := readDpkg(t)
	procs := readProcs(t)
	env, warns := inventory.TestEnv(fsys, "apps/fingerprint")
	env.Prior = &model.Inventory{Processes: procs, Packages: pkgs}
	c := New().(*collector)
	start := time.Now()
	frag, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("collected %d applications in %v", len(frag.Applications), time.Since(start))
	for _, a := range frag.Applications {
		t.Logf("app %s %s pkg=%s home=%s bin=%s pids=%v ev=%v", a.Name, a.Version, a.Package, a.Home, a.Binary, a.PIDs, a.Evidence)
	}
	for _, w := range *warns {
		t.Logf("warning: %+v", w)
	}
	installed := map[string]model.Package{}
	for _, p := range pkgs {
		installed[p.Name] = p
	}
	running := func(exe string) bool {
		for _, p := range procs {
			if p.Exe == exe {
				return true
			}
		}
		return false
	}
	tests := []struct {
		app, pkg, exe string
	}{
		{"postgresql", "postgresql-15", "/usr/lib/postgresql/15/bin/postgres"},
		{"mariadb", "mariadb-server", "/usr/sbin/mariadbd"},
		{"redis", "redis-server", "/usr/bin/redis-check-rdb"},
		{"rabbitmq", "rabbitmq-server", ""},
		{"mosquitto", "mosquitto", "/usr/sbin/mosquitto"},
		{"nats", "nats-server", "/usr/sbin/nats-server"},
	}
	for _, tt := range tests {
		t.Run(tt.app, func(t *testing.T) {
			pkg, ok := installed[tt.pkg]
			if !ok {
				t.Skipf("%s not installed", tt.pkg)
			}
			if tt.exe != "" && !running(tt.exe) {
				t.Skipf("%s not running", tt.exe)
			}
			var got *model.Application
			for i, a := range frag.Applications {
				if a.Name == tt.app && a.Running && a.ContainerID == "" {
					got = &frag.Applications[i]
					break
				}
			}
			if got == nil {
				t.Fatalf("%s not recognised among %d applications", tt.app, len(frag.Applications))
			}
			if got.Package != tt.pkg || got.PackageVersion != pkg.Version {
				t.Errorf("package %s %s, want %s %s", got.Package, got.PackageVersion, tt.pkg, pkg.Version)
			}
			if want := upstreamVersion(&pkg); got.Version != want {
				t.Errorf("version %s, want %s", got.Version, want)
			}
			// Where the fingerprint can also read the binary, it must agree.
			rec := &record{fp: c.set.Lookup(tt.app), binary: got.Binary}
			if v, src := c.versionFromSources(env, rec); v != "" && v != got.Version {
				t.Errorf("binary %s says %s, package says %s", src, v, got.Version)
			}
			t.Logf("%s %s (%s %s) pids %v ports %v config %v", got.Name, got.Version, got.Package, got.PackageVersion, got.PIDs, got.Ports, got.ConfigPaths)
		})
	}
}
