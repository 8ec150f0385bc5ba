package apps

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestUpstreamVersion(t *testing.T) {
	tests := []struct {
		pkg        model.Package
		want, full string
	}{
		{model.Package{Type: model.PkgDeb, Version: "5:7.0.15-1~deb12u10"}, "7.0.15", "5:7.0.15-1~deb12u10"},
		{model.Package{Type: model.PkgDeb, Version: "18.19.0+dfsg-6~deb12u2"}, "18.19.0", "18.19.0+dfsg-6~deb12u2"},
		{model.Package{Type: model.PkgDeb, Version: "1.6.20~ds1-1+b1"}, "1.6.20", "1.6.20~ds1-1+b1"},
		{model.Package{Type: model.PkgDeb, Version: "17.0.15+6-1~deb12u1"}, "17.0.15+6", "17.0.15+6-1~deb12u1"},
		{model.Package{Type: model.PkgDeb, Version: "248"}, "248", "248"},
		{model.Package{Type: model.PkgRPM, Version: "10.5.22", Release: "1.el9_2", Epoch: 3}, "10.5.22", "3:10.5.22-1.el9_2"},
		{model.Package{Type: model.PkgAPK, Version: "1.24.0-r7"}, "1.24.0", "1.24.0-r7"},
	}
	for _, tt := range tests {
		if got := upstreamVersion(&tt.pkg); got != tt.want {
			t.Errorf("upstream(%s) = %s, want %s", tt.pkg.Version, got, tt.want)
		}
		if got := fullVersion(&tt.pkg); got != tt.full {
			t.Errorf("full(%s) = %s, want %s", tt.pkg.Version, got, tt.full)
		}
	}
}

func TestFlagValues(t *testing.T) {
	args := []string{"/usr/sbin/nginx", "-c", "/etc/nginx/nginx.conf", "--config=/x.conf", "-c"}
	if diff := cmp.Diff([]string{"/etc/nginx/nginx.conf", "/x.conf"}, flagValues(args, []string{"-c", "--config"})); diff != "" {
		t.Error(diff)
	}
	p := &model.Process{Name: "postgres", Cmdline: []string{"postgres: 15/main: checkpointer "}}
	if diff := cmp.Diff([]string{"postgres"}, procNames(p)); diff != "" {
		t.Error(diff)
	}
}

// run collects applications from an in-test prior over the debian fixture.
func run(t *testing.T, prior *model.Inventory) []model.Application {
	t.Helper()
	env, _ := inventory.TestEnv(testutil.FixtureRoot(t, "debian"), "apps/fingerprint")
	env.Prior = prior
	frag, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return frag.Applications
}

func find(apps []model.Application, name string) []model.Application {
	var out []model.Application
	for _, a := range apps {
		if a.Name == name {
			out = append(out, a)
		}
	}
	return out
}

func TestPackageDecidesMySQLOrMariaDB(t *testing.T) {
	// MariaDB 10.3 ships its server as /usr/sbin/mysqld.
	apps := run(t, &model.Inventory{
		Processes: []model.Process{{PID: 10, PPID: 1, Name: "mysqld", Exe: "/usr/sbin/mysqld", Cmdline: []string{"/usr/sbin/mysqld"}}},
		Packages: []model.Package{
			{Type: model.PkgDeb, Name: "mariadb-server-10.3", Version: "1:10.3.39-0+deb10u2", SourceName: "mariadb-10.3"},
			{Type: model.PkgDeb, Name: "mariadb-server-core-10.3", Version: "1:10.3.39-0+deb10u2", SourceName: "mariadb-10.3", Files: []string{"/usr/sbin/mysqld"}},
		},
	})
	if got := find(apps, "mysql"); len(got) != 0 {
		t.Errorf("reported as mysql: %+v", got)
	}
	got := find(apps, "mariadb")
	if len(got) != 1 || got[0].Version != "10.3.39" || !got[0].Running || got[0].Package != "mariadb-server-10.3" {
		t.Errorf("mariadb: %+v", got)
	}
}

func TestWithoutPackageFileLists(t *testing.T) {
	// Some package databases give no file lists: a process at a packaged
	// path joins the only package of its application, one under /opt
	// (a tarball install) does not.
	apps := run(t, &model.Inventory{
		Processes: []model.Process{
			{PID: 10, PPID: 1, Name: "redis-server", Exe: "/usr/bin/redis-server", Cmdline: []string{"/usr/bin/redis-server"}},
			{PID: 20, PPID: 1, Name: "redis-server", Exe: "/opt/redis/bin/redis-server", Cmdline: []string{"/opt/redis/bin/redis-server", "/opt/redis/redis.conf"}, Cwd: "/opt/redis"},
		},
		Packages: []model.Package{{Type: model.PkgRPM, Name: "redis", Version: "6.2.7", Release: "1.el9", SourceName: "redis"}},
	})
	got := find(apps, "redis")
	if len(got) != 2 {
		t.Fatalf("got %d redis records: %+v", len(got), got)
	}
	if got[0].Binary != "/opt/redis/bin/redis-server" || got[0].Package != "" || got[0].ConfigPaths[0] != "/opt/redis/redis.conf" {
		t.Errorf("tarball redis: %+v", got[0])
	}
	if got[1].Binary != "/usr/bin/redis-server" || got[1].Package != "redis" || got[1].Version != "6.2.7" {
		t.Errorf("packaged redis: %+v", got[1])
	}
}

func TestContainerProcessIsItsOwnInstall(t *testing.T) {
	apps := run(t, &model.Inventory{
		Processes: []model.Process{
			{PID: 10, PPID: 1, Name: "redis-server", Exe: "/usr/bin/redis-server", Cmdline: []string{"redis-server *:6379"}, ContainerID: "c1"},
			{PID: 11, PPID: 1, Name: "redis-server", Exe: "/usr/bin/redis-server", Cmdline: []string{"redis-server *:6379"}, ContainerID: "c2"},
		},
		Packages: []model.Package{{Type: model.PkgDeb, Name: "redis-server", Version: "5:7.0.15-1~deb12u10", SourceName: "redis", Files: []string{"/usr/bin/redis-server"}}},
		Sockets:  []model.Socket{{Protocol: "tcp", State: "LISTEN", LocalPort: 6379, PID: 11}},
	})
	got := find(apps, "redis")
	want := []model.Application{
		{Name: "redis", Category: "cache", Version: "7.0.15", Binary: "/usr/bin/redis-server", Package: "redis-server", Evidence: []string{"package"}, PackageVersion: "5:7.0.15-1~deb12u10", VersionSource: "package", ConfigPaths: []string{"/etc/redis/redis.conf"}},
		{Name: "redis", Category: "cache", Running: true, PIDs: []int{10}, Binary: "/usr/bin/redis-server", Evidence: []string{"process"}, ContainerID: "c1"},
		{Name: "redis", Category: "cache", Running: true, PIDs: []int{11}, Binary: "/usr/bin/redis-server", Evidence: []string{"process"}, ContainerID: "c2", Ports: []int{6379}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
