package process

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

func filePaths(fs []model.ProcessFile) []string {
	var out []string
	for _, f := range fs {
		s := f.Path
		if f.Deleted {
			s += " (deleted)"
		}
		out = append(out, s)
	}
	return out
}

func TestParseMaps(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"executable and libraries, data skipped", `55e15bace000-55e15bad3000 r-xp 00002000 fe:00 247766                     /usr/bin/sleep
55e184c83000-55e184ca4000 rw-p 00000000 00:00 0                          [heap]
7f0fe2f81000-7f0fe2f84000 rw-p 00000000 00:00 0 
7f0fe2f84000-7f0fe2faa000 r--p 00000000 fe:00 326269                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f0fe316e000-7f0fe316f000 r--p 00000000 fe:00 316527                     /usr/lib/locale/C.utf8/LC_IDENTIFICATION
7f0fe3177000-7f0fe3179000 r-xp 00000000 00:00 0                          [vdso]
`, []string{"/usr/bin/sleep", "/usr/lib/x86_64-linux-gnu/libc.so.6"}},
		{"path with spaces, deleted", `7f00-7f01 r-xp 00000000 fe:00 1   /opt/my app/lib/libx.so.1 (deleted)
7f02-7f03 r--p 00000000 fe:00 2   /opt/app/lib/app.jar
`, []string{"/opt/my app/lib/libx.so.1 (deleted)", "/opt/app/lib/app.jar"}},
		{"executable mapping without .so name", `7f00-7f01 r-xp 00000000 fe:00 1   /usr/lib/jvm/bin/java-plugin
`, []string{"/usr/lib/jvm/bin/java-plugin"}},
		{"memfd and devices skipped", `7f00-7f01 r-xp 00000000 00:01 1   /memfd:jit (deleted)
7f02-7f03 rw-s 00000000 00:05 2   /dev/zero (deleted)
7f04-7f05 rw-s 00000000 00:05 3   /SYSV00000000 (deleted)
`, nil},
		{"malformed lines", "garbage\n\n7f00-7f01 r-xp\n7f00-7f01 r-xp 0 fe:00 1\n", nil},
		{"relative names ignored", "7f00-7f01 r-xp 0 fe:00 1 libc.so.6\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := fileList{seen: map[string]bool{}}
			parseMaps([]byte(tc.in), l.add)
			if got := filePaths(l.files); !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestFileListCapAndDedup(t *testing.T) {
	l := fileList{seen: map[string]bool{}}
	for i := 0; i < 2*model.MaxProcessFiles; i++ {
		l.add(fmt.Sprintf("/lib/lib%d.so", i%(model.MaxProcessFiles+10)), false)
	}
	if len(l.files) != model.MaxProcessFiles {
		t.Fatalf("%d files, want the cap %d", len(l.files), model.MaxProcessFiles)
	}
	seen := map[string]bool{}
	for _, f := range l.files {
		if seen[f.Path] {
			t.Fatalf("duplicate %s", f.Path)
		}
		seen[f.Path] = true
	}
}

func TestCollectFixtureFiles(t *testing.T) {
	procs, _ := collectFixture(t, newCollector())
	sleep, _ := findPID(procs, 21619)
	if got := filePaths(sleep.Files); !slices.Equal(got, []string{"/usr/bin/sleep",
		"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"}) {
		t.Errorf("sleep files %q", got)
	}
	socat, _ := findPID(procs, 21608)
	if !slices.Contains(filePaths(socat.Files), "/usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)") {
		t.Errorf("socat with a replaced libssl: %q", filePaths(socat.Files))
	}
	for _, pid := range []int{23162, 23170, 2} {
		if p, _ := findPID(procs, pid); len(p.Files) != 0 {
			t.Errorf("pid %d (container or kernel thread) has files %q", pid, filePaths(p.Files))
		}
	}
}

// A JVM's application archives are open files, not mappings.
func TestCollectJVMArchives(t *testing.T) {
	proc := t.TempDir()
	dir := filepath.Join(proc, "2201")
	if err := os.MkdirAll(filepath.Join(dir, "fd"), 0o755); err != nil {
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
	maps := `55e1-55e2 r-xp 00000000 fe:00 1   /usr/lib/jvm/java-17-openjdk-amd64/bin/java
7f00-7f01 r-xp 00000000 fe:00 2   /usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so
7f02-7f03 r--s 00000000 fe:00 3   /usr/lib/jvm/java-17-openjdk-amd64/lib/modules
`
	if err := os.WriteFile(filepath.Join(dir, "maps"), []byte(maps), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"exe":   "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
		"fd/0":  "/dev/null",
		"fd/3":  "/opt/app/app.jar",
		"fd/4":  "socket:[1234]",
		"fd/5":  "/opt/app/lib/old.jar (deleted)",
		"fd/6":  "/opt/app/app.jar",
		"fd/7":  "/var/log/app.log",
		"fd/10": "/srv/tomcat/webapps/shop.war",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	env, _ := fixtureEnv(t)
	env.ProcRoot = proc
	inv, err := newCollector().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	got := filePaths(inv.Processes[0].Files)
	want := []string{"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so",
		"/opt/app/app.jar", "/opt/app/lib/old.jar (deleted)", "/srv/tomcat/webapps/shop.war"}
	slices.Sort(got[2:])
	slices.Sort(want[2:])
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// The live collector sees the C library a real child process has mapped.
func TestLiveMappedLibrary(t *testing.T) {
	env, _ := liveEnv(t)
	cmd := exec.Command("/usr/bin/sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start sleep:", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// Wait until the dynamic loader has mapped libc.
	var p model.Process
	for i := 0; i < 100; i++ {
		inv, err := newCollector().Collect(context.Background(), env)
		if err != nil {
			t.Fatal(err)
		}
		p, _ = findPID(inv.Processes, cmd.Process.Pid)
		if slices.ContainsFunc(p.Files, func(f model.ProcessFile) bool { return strings.Contains(f.Path, "/libc.so") }) {
			break
		}
	}
	got := filePaths(p.Files)
	if len(got) == 0 || got[0] != "/usr/bin/sleep" {
		t.Fatalf("sleep files %q: want the executable first", got)
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "/libc.so") }) {
		t.Errorf("sleep files %q: no libc", got)
	}
}

func FuzzParseMaps(f *testing.F) {
	for _, pid := range []string{"21606", "21608", "21619"} {
		if data, err := os.ReadFile(filepath.Join("testdata", "proc", pid, "maps")); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("7f00-7f01 r-xp 00000000 fe:00 1   /opt/my app/libx.so (deleted)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := fileList{seen: map[string]bool{}}
		parseMaps(data, l.add)
		if len(l.files) > model.MaxProcessFiles {
			t.Fatalf("%d files over the cap", len(l.files))
		}
		for _, p := range l.files {
			if !strings.HasPrefix(p.Path, "/") || strings.HasSuffix(p.Path, deletedSuffix) {
				t.Fatalf("bad path %q", p.Path)
			}
		}
	})
}

// The host-wide budget of file entries runs out: later processes keep
// their records without file lists, and one warning says so.
func TestHostFileBudget(t *testing.T) {
	env, warns := fixtureEnv(t)
	r := &run{env: env, procRoot: "testdata/proc", filesLeft: 2}
	dir := filepath.Join("testdata", "proc", "21619")
	if got := r.processFiles(dir, "/usr/bin/sleep", false); len(got) != 2 {
		t.Fatalf("first process: %d files, want the 2 left", len(got))
	}
	for i := 0; i < 2; i++ {
		if got := r.processFiles(dir, "/usr/bin/sleep", false); got != nil {
			t.Fatalf("budget spent, still %d files", len(got))
		}
	}
	if len(*warns) != 1 || !strings.Contains((*warns)[0].Message, "without their file lists") {
		t.Errorf("warnings %+v", *warns)
	}
}
