package process

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// sleepSHA256 is the digest of testdata/root/usr/bin/sleep (coreutils 9.1-1).
const sleepSHA256 = "4add4bb89d8ca0e3b1bd861130ddd7ae0fd9617a8055de0a38c8d2ca1ac95723"

// fixtureEnv is an off-line Env: the captured /proc tree in testdata/proc
// and a small root (passwd, one binary) in testdata/root.
func fixtureEnv(t testing.TB) (*inventory.Env, *[]model.Warning) {
	t.Helper()
	fsys, err := rootfs.Open(filepath.Join("testdata", "root"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	env, warns := inventory.TestEnv(fsys, "live/processes")
	env.ProcRoot = filepath.Join("testdata", "proc")
	return env, warns
}

func collectFixture(t *testing.T, c *Collector) ([]model.Process, []model.Warning) {
	t.Helper()
	env, warns := fixtureEnv(t)
	inv, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Processes, *warns
}

func TestCollectFixtureGolden(t *testing.T) {
	procs, warns := collectFixture(t, newCollector())
	if len(warns) != 0 {
		t.Errorf("warnings: %+v", warns)
	}
	testutil.GoldenJSON(t, "processes", procs)
}

func TestCollectFixtureRecords(t *testing.T) {
	procs, _ := collectFixture(t, newCollector())
	byPID := map[int]model.Process{}
	for _, p := range procs {
		byPID[p.PID] = p
	}
	if len(procs) != 17 {
		t.Errorf("got %d processes, want 17", len(procs))
	}
	tests := []struct {
		name  string
		pid   int
		check func(p model.Process) bool
	}{
		{"kthreadd is a kernel thread", 2, func(p model.Process) bool {
			return p.KernelThread && p.Name == "kthreadd" && p.Exe == "" && p.User == "root" && p.PPID == 0
		}},
		{"ksoftirqd child of kthreadd", 14, func(p model.Process) bool { return p.KernelThread && p.Name == "ksoftirqd/0" && p.PPID == 2 }},
		{"comm with ) and spaces", 21623, func(p model.Process) bool {
			return p.Name == "a) b (c" && p.PPID == 1 && p.Exe == "/tmp/wardfx/a) b (c" && len(p.Cmdline) == 2 && p.Cmdline[0] == "./a) b (c"
		}},
		{"deleted executable", 21625, func(p model.Process) bool {
			return p.ExeDeleted && p.Exe == "/tmp/wardfx/sleep-deleted" && p.ExeSHA256 == ""
		}},
		{"www-data socat", 21606, func(p model.Process) bool {
			return p.UID == 33 && p.User == "www-data" && p.Exe == "/usr/bin/socat" && p.Cwd == "/tmp/wardfx" &&
				len(p.Cmdline) == 4 && p.Cmdline[2] == "TCP4-LISTEN:18080,bind=127.0.0.1,reuseaddr,fork"
		}},
		{"uid without passwd entry", 21628, func(p model.Process) bool { return p.UID == 100999 && p.User == "" }},
		{"binary in root is hashed", 21619, func(p model.Process) bool { return p.ExeSHA256 == sleepSHA256 }},
		{"binary missing from root is not", 21606, func(p model.Process) bool { return p.ExeSHA256 == "" }},
		{"start time from btime", 21606, func(p model.Process) bool {
			// btime 1795435313 + 176604 ticks / 100
			return p.StartTime.Equal(time.Unix(1795435313, 0).Add(1766040 * time.Millisecond))
		}},
		{"rss from stat pages", 21606, func(p model.Process) bool { return p.RSSBytes == 1162*4096 }},
		{"docker systemd scope", 23162, func(p model.Process) bool {
			return p.ContainerID == "ba033ac4401106a3b513bc9d639eee123ad78ca3616b921167cd74b20e25ed39"
		}},
		{"docker cgroup v1 lines", 23164, func(p model.Process) bool {
			return p.ContainerID == "98657c7d971ad18b4965a232eafc5cce9bac2ff15ea7fdf9d393677254cd6dbf" &&
				p.Cgroup == "/docker/98657c7d971ad18b4965a232eafc5cce9bac2ff15ea7fdf9d393677254cd6dbf"
		}},
		{"containerd CRI", 23166, func(p model.Process) bool {
			return p.ContainerID == "e857a4bf05a69080a759574949d7a0e69572e27647800fa7faff6a05a8332aa1"
		}},
		{"podman conmon is not in the container", 23168, func(p model.Process) bool {
			return p.ContainerID == "" && p.Cgroup == "/machine.slice/libpod-conmon-45d107efb23c4f6f6efa0a12f257958c1be76cb7da548653d44a0c2ae7fb3c89.scope"
		}},
		{"podman container", 23170, func(p model.Process) bool {
			return p.ContainerID == "45d107efb23c4f6f6efa0a12f257958c1be76cb7da548653d44a0c2ae7fb3c89"
		}},
		{"cri-o", 23172, func(p model.Process) bool {
			return p.ContainerID == "d86d75589bf6cc254f3e2cc29debdf85dde404998aa128997a819ff991827356"
		}},
		{"sandbox cgroup is not a container", 21620, func(p model.Process) bool {
			return p.ContainerID == "" && p.Cgroup == "/process_api/8c0e6fea55ccebb313b8cb6d0c431205"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := byPID[tc.pid]
			if !ok {
				t.Fatalf("pid %d missing", tc.pid)
			}
			if !tc.check(p) {
				t.Errorf("pid %d: unexpected record %+v", tc.pid, p)
			}
		})
	}
}

// One binary shared by many processes is hashed once, and not again on the
// next run while it is unchanged.
func TestHashCacheAcrossProcessesAndRuns(t *testing.T) {
	c := newCollector()
	procs, _ := collectFixture(t, c)
	n := 0
	for _, p := range procs {
		if p.ExeSHA256 == sleepSHA256 {
			n++
		}
	}
	if n < 5 {
		t.Fatalf("only %d processes share the sleep binary; fixture changed?", n)
	}
	if got := c.hashed.Load(); got != 1 {
		t.Errorf("first run hashed %d files, want 1", got)
	}
	collectFixture(t, c)
	if got := c.hashed.Load(); got != 1 {
		t.Errorf("second run re-hashed: %d files hashed in total, want 1", got)
	}
}

func TestCollectMissingProcRoot(t *testing.T) {
	env, _ := fixtureEnv(t)
	env.ProcRoot = filepath.Join(t.TempDir(), "nope")
	if _, err := newCollector().Collect(context.Background(), env); err == nil {
		t.Fatal("want an error when ProcRoot cannot be listed")
	}
}

func TestCollectCancelled(t *testing.T) {
	env, _ := fixtureEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newCollector().Collect(ctx, env); err == nil {
		t.Fatal("want the context error")
	}
}

// An executable on a FUSE or network filesystem is not read: a stalled
// daemon or server would hang the agent. Once per binary, a warning says so.
func TestSkipsExecutablesOnFUSE(t *testing.T) {
	proc := t.TempDir()
	for _, pid := range []string{"500", "501"} {
		dir := filepath.Join(proc, pid)
		if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"stat", "status", "cmdline", "cgroup"} {
			data, err := os.ReadFile(filepath.Join("testdata", "proc", "21619", f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mi, err := os.ReadFile(filepath.Join("testdata", "mountinfo"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "mountinfo"), mi, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("mnt:[4026531841]", filepath.Join(dir, "ns", "mnt")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/mnt/remote/bin/tool", filepath.Join(dir, "exe")); err != nil {
			t.Fatal(err)
		}
	}
	env, warns := fixtureEnv(t)
	env.ProcRoot = proc
	env.Live = true // as on the host: the exe link would be opened directly
	inv, err := newCollector().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Processes) != 2 || inv.Processes[0].ExeSHA256 != "" || inv.Processes[0].Exe != "/mnt/remote/bin/tool" {
		t.Fatalf("processes %+v", inv.Processes)
	}
	var got []string
	for _, w := range *warns {
		if !strings.HasSuffix(w.Path, "/btime") && !strings.HasSuffix(w.Path, "/stat") {
			got = append(got, w.Path+": "+w.Message)
		}
	}
	want := filepath.Join(proc, "500", "exe") + ": not hashed: /mnt/remote/bin/tool is on a fuse.sshfs filesystem, where a read could hang"
	if len(got) != 1 || got[0] != want {
		t.Errorf("warnings:\n%s\nwant one:\n%s", strings.Join(got, "\n"), want)
	}
}
