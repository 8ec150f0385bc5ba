package container

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/rootfs"
)

func TestPrivilegedHeuristic(t *testing.T) {
	all := `"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE","CAP_NET_BIND_SERVICE","CAP_NET_BROADCAST","CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK","CAP_IPC_OWNER","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT","CAP_SYS_PTRACE","CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE","CAP_SYS_RESOURCE","CAP_SYS_TIME","CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE","CAP_AUDIT_WRITE","CAP_AUDIT_CONTROL","CAP_SETFCAP","CAP_MAC_OVERRIDE","CAP_MAC_ADMIN","CAP_SYSLOG","CAP_WAKE_ALARM","CAP_BLOCK_SUSPEND","CAP_AUDIT_READ"`
	masked := `"linux":{"maskedPaths":["/proc/kcore"]}`
	tests := []struct {
		name string
		spec string
		want bool
	}{
		{"all 38 caps, masked paths kept", `{"process":{"capabilities":{"bounding":[` + all + `]}},` + masked + `}`, true},
		{"SYS_ADMIN and unmasked kernel paths", `{"process":{"capabilities":{"bounding":["CAP_SYS_ADMIN"]}},"linux":{}}`, true},
		{"SYS_ADMIN added to a normal container", `{"process":{"capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_ADMIN"]}},` + masked + `}`, false},
		{"default caps, unmasked", `{"process":{"capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"]}},"linux":{}}`, false},
		{"all caps but SYS_ADMIN", `{"process":{"capabilities":{"bounding":[` + strings.Replace(all, `"CAP_SYS_ADMIN",`, "", 1) + `,"CAP_PERFMON","CAP_BPF"]}}}`, false},
		{"no process", `{}`, false},
		{"no capabilities", `{"process":{}}`, false},
		{"SYS_ADMIN, no linux section", `{"process":{"capabilities":{"bounding":["CAP_SYS_ADMIN"]}}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseOCIConfig([]byte(tc.spec))
			if err != nil {
				t.Fatal(err)
			}
			if c.Privileged != tc.want {
				t.Errorf("privileged = %v, want %v", c.Privileged, tc.want)
			}
		})
	}
}

func TestParseOCIConfigRuncDefault(t *testing.T) {
	// testdata/runc-spec.json is the unmodified output of `runc spec`.
	data, err := os.ReadFile(filepath.Join("testdata", "runc-spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseOCIConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if c.Privileged || c.Mounts != nil || c.Name != "" || c.Labels != nil || c.Runtime != "containerd" {
		t.Errorf("runc default spec: %+v", c)
	}
}

// A corrupt bundle is a warning naming its file; the other bundles are read.
func TestContainerdCorruptBundle(t *testing.T) {
	root := t.TempDir()
	base := filepath.Join(root, "run", "containerd", "io.containerd.runtime.v2.task", "default")
	good, err := os.ReadFile(filepath.Join("testdata", "runc-spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(id, file, data string) {
		if err := os.MkdirAll(filepath.Join(base, id), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(base, id, file), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good", "config.json", string(good))
	write("good", "init.pid", "not-a-pid\n")
	write("truncated", "config.json", string(good[:100]))
	if err := os.MkdirAll(filepath.Join(base, "no-config"), 0o755); err != nil {
		t.Fatal(err)
	}
	fsys, err := rootfs.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	env, warns := inventory.TestEnv(fsys, "live/containers")
	inv, err := testCollector("").Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Containers) != 1 || inv.Containers[0].ID != "good" || inv.Containers[0].PID != 0 {
		t.Errorf("containers %+v", inv.Containers)
	}
	want := map[string]string{
		"/run/containerd/io.containerd.runtime.v2.task/default/truncated/config.json": "unexpected end of JSON input",
		"/run/containerd/io.containerd.runtime.v2.task/default/good/init.pid":         `not a pid: "not-a-pid"`,
	}
	if len(*warns) != len(want) {
		t.Errorf("warnings %+v", *warns)
	}
	for _, w := range *warns {
		if msg, ok := want[w.Path]; !ok || !strings.Contains(w.Message, msg) {
			t.Errorf("unexpected warning %+v", w)
		}
	}
}
