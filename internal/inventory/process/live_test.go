package process

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

func liveEnv(t testing.TB) (*inventory.Env, *[]model.Warning) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this machine")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return inventory.TestEnv(fsys, "live/processes")
}

func fileSHA256(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func findPID(procs []model.Process, pid int) (model.Process, bool) {
	for _, p := range procs {
		if p.PID == pid {
			return p, true
		}
	}
	return model.Process{}, false
}

func TestLiveOwnProcess(t *testing.T) {
	env, warns := liveEnv(t)
	inv, err := newCollector().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range *warns {
		t.Logf("warning: %s: %s", w.Path, w.Message)
	}
	self, ok := findPID(inv.Processes, os.Getpid())
	if !ok {
		t.Fatalf("own pid %d not reported among %d processes", os.Getpid(), len(inv.Processes))
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if self.Exe != exe {
		t.Errorf("exe %q, want %q", self.Exe, exe)
	}
	if self.PPID != os.Getppid() {
		t.Errorf("ppid %d, want %d", self.PPID, os.Getppid())
	}
	if want := fileSHA256(t, exe); self.ExeSHA256 != want {
		t.Errorf("sha256 %s, want %s", self.ExeSHA256, want)
	}
	if self.UID != os.Getuid() {
		t.Errorf("uid %d, want %d", self.UID, os.Getuid())
	}
	wd, _ := os.Getwd()
	if self.Cwd != wd {
		t.Errorf("cwd %q, want %q", self.Cwd, wd)
	}
	if len(self.Cmdline) == 0 || self.Cmdline[0] != os.Args[0] {
		t.Errorf("cmdline %q, want to start with %q", self.Cmdline, os.Args[0])
	}
	if age := time.Since(self.StartTime); age < 0 || age > time.Hour {
		t.Errorf("start time %v is not recent", self.StartTime)
	}
	if self.RSSBytes == 0 || self.KernelThread {
		t.Errorf("rss %d kernel_thread %v", self.RSSBytes, self.KernelThread)
	}
	if len(inv.Processes) < 2 {
		t.Errorf("only %d processes", len(inv.Processes))
	}
}

// A process whose binary was deleted still gets the binary's digest: it is
// read through /proc/<pid>/exe, not through the (gone) path.
func TestLiveDeletedExecutable(t *testing.T) {
	env, _ := liveEnv(t)
	src := "/usr/bin/sleep"
	if _, err := os.Stat(src); err != nil {
		t.Skip("no /usr/bin/sleep")
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ward-deleted-sleep")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	want := fileSHA256(t, bin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot run a copied binary here (noexec tmp?): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Wait for the exec to finish so /proc/<pid>/exe is the copy, not the test binary.
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "exe"))
		if l == bin || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	inv, err := newCollector().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := findPID(inv.Processes, cmd.Process.Pid)
	if !ok {
		t.Fatal("child not reported")
	}
	if !p.ExeDeleted || p.Exe != bin {
		t.Errorf("exe %q deleted=%v, want %q deleted", p.Exe, p.ExeDeleted, bin)
	}
	if p.ExeSHA256 != want {
		t.Errorf("sha256 %q, want %q", p.ExeSHA256, want)
	}
	if p.PPID != os.Getpid() || p.Name != "ward-deleted-sl" { // comm is cut to 15 bytes
		t.Errorf("ppid %d name %q", p.PPID, p.Name)
	}
}

// Where the kernel refuses a link (pid 1 of some sandboxes, another user's
// process when not root) the collector warns, naming the path, and goes on.
func TestLivePermissionDeniedIsAWarning(t *testing.T) {
	env, warns := liveEnv(t)
	if _, err := os.Readlink("/proc/1/exe"); !errors.Is(err, fs.ErrPermission) {
		t.Skip("/proc/1/exe is readable here; nothing to deny")
	}
	inv, err := newCollector().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findPID(inv.Processes, 1); !ok {
		t.Error("pid 1 dropped; want it kept with what could be read")
	}
	if !testutil.HasWarning(*warns, "/proc/1/exe", "permission denied") {
		t.Errorf("no permission warning for /proc/1/exe in %+v", *warns)
	}
}
