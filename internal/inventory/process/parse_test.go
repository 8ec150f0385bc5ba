package process

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestContainerIDFromCgroup(t *testing.T) {
	const (
		id64 = "ba033ac4401106a3b513bc9d639eee123ad78ca3616b921167cd74b20e25ed39"
		id2  = "e857a4bf05a69080a759574949d7a0e69572e27647800fa7faff6a05a8332aa1"
	)
	tests := []struct {
		name, path, want string
	}{
		{"docker systemd driver", "/system.slice/docker-" + id64 + ".scope", id64},
		{"docker cgroupfs driver", "/docker/" + id64, id64},
		{"kubelet cgroupfs (containerd or docker)", "/kubepods/besteffort/pod7d7e1a3b-9c4b-4e64-8f7b-0d5c1b2a3f40/" + id64, id64},
		{"kubelet burstable cgroupfs", "/kubepods/burstable/pod7d7e1a3b-9c4b-4e64-8f7b-0d5c1b2a3f40/" + id64, id64},
		{"containerd CRI systemd", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7d7e1a3b_9c4b_4e64_8f7b_0d5c1b2a3f40.slice/cri-containerd-" + id64 + ".scope", id64},
		{"docker under kubelet systemd", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/docker-" + id64 + ".scope", id64},
		{"cri-o", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-" + id64 + ".scope", id64},
		{"podman rootful", "/machine.slice/libpod-" + id64 + ".scope", id64},
		{"podman with crun sub-cgroup", "/machine.slice/libpod-" + id64 + ".scope/container", id64},
		{"podman rootless", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + id64 + ".scope", id64},
		{"containerd v1 name=systemd colon form", "/kuberuntime/containerd/kubepods-pod872d2066_00ef_48ea_a7d8_51b18b72d739:cri-containerd:" + id2, id2},
		{"docker in docker: innermost", "/docker/" + id2 + "/docker/" + id64, id64},
		{"ECS Fargate", "/ecs/8b3f1e2c4a5d6e7f8091a2b3c4d5e6f7/8b3f1e2c4a5d6e7f8091a2b3c4d5e6f7-1234567890", "8b3f1e2c4a5d6e7f8091a2b3c4d5e6f7-1234567890"},
		{"ECS on EC2 (docker id)", "/ecs/8b3f1e2c4a5d6e7f8091a2b3c4d5e6f7/" + id64, id64},
		{"ECS task alone is not a container", "/ecs/8b3f1e2c4a5d6e7f8091a2b3c4d5e6f7", ""},
		{"podman conmon", "/machine.slice/libpod-conmon-" + id64 + ".scope", ""},
		{"cri-o conmon", "/kubepods.slice/kubepods-pod1.slice/crio-conmon-" + id64 + ".scope", ""},
		{"host service", "/system.slice/ssh.service", ""},
		{"user session", "/user.slice/user-0.slice/session-3.scope", ""},
		{"32-hex sandbox cgroup", "/process_api/8c0e6fea55ccebb313b8cb6d0c431205", ""},
		{"root", "/", ""},
		{"uppercase hex is not an id", "/docker/" + strings.ToUpper(id64), ""},
		{"63 hex", "/docker/" + id64[:63], ""},
		{"65 hex", "/docker/" + id64 + "a", ""},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ContainerIDFromCgroup(tc.path); got != tc.want {
				t.Errorf("ContainerIDFromCgroup(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

func TestParseCgroupFile(t *testing.T) {
	tests := []struct {
		name, file, wantPath, wantID string
	}{
		{"v2 docker", "0::/system.slice/docker-ba033ac4401106a3b513bc9d639eee123ad78ca3616b921167cd74b20e25ed39.scope\n",
			"/system.slice/docker-ba033ac4401106a3b513bc9d639eee123ad78ca3616b921167cd74b20e25ed39.scope", "ba033ac4401106a3b513bc9d639eee123ad78ca3616b921167cd74b20e25ed39"},
		{"v2 host service", "0::/system.slice/ssh.service\n", "/system.slice/ssh.service", ""},
		{"v2 root", "0::/\n", "", ""},
		{"hybrid: systemd before others", "3:memory:/x\n1:name=systemd:/system.slice/cron.service\n0::/\n", "/system.slice/cron.service", ""},
		{"hybrid: unified wins", "1:name=systemd:/a\n0::/system.slice/b.service\n", "/system.slice/b.service", ""},
		{"garbage lines", "nonsense\n\n::\n", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, id := parseCgroup([]byte(tc.file))
			if p != tc.wantPath || id != tc.wantID {
				t.Errorf("parseCgroup = (%q, %q), want (%q, %q)", p, id, tc.wantPath, tc.wantID)
			}
		})
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    procStat
		wantErr bool
	}{
		{"real kthreadd", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 1 0 0 20 0 1 0 25 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
			procStat{PID: 2, Comm: "kthreadd", State: 'S', PPID: 0, Flags: 2129984, StartTicks: 25}, false},
		{"comm with parens and spaces", "21623 (a) b (c) S 1 21623 21623 0 -1 4194304 223 0 0 0 0 0 0 0 20 0 1 0 176655 2990080 413 18446744073709551615 1",
			procStat{PID: 21623, Comm: "a) b (c", State: 'S', PPID: 1, Flags: 4194304, StartTicks: 176655, RSSPages: 413}, false},
		{"systemd helper name", "915 ((sd-pam)) S 914 914 914 0 -1 1077936448 53 0 0 0 0 0 0 0 20 0 1 0 1266 172052480 1221 18446744073709551615",
			procStat{PID: 915, Comm: "(sd-pam)", State: 'S', PPID: 914, Flags: 1077936448, StartTicks: 1266, RSSPages: 1221}, false},
		{"empty comm", "7 () R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 5",
			procStat{PID: 7, Comm: "", State: 'R', PPID: 1, StartTicks: 99, RSSPages: 5}, false},
		{"negative rss ignored", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 -5",
			procStat{PID: 7, Comm: "x", State: 'R', PPID: 1, StartTicks: 99}, false},
		{"truncated", "7 (x) R 1 7 7 0", procStat{}, true},
		{"no comm", "7 x R 1", procStat{}, true},
		{"bad pid", "x (y) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 5", procStat{}, true},
		{"bad ppid", "7 (x) R -1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 5", procStat{}, true},
		{"bad starttime", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 zz 0 5", procStat{}, true},
		{"empty", "", procStat{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.line))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseStatusUID(t *testing.T) {
	real, err := os.ReadFile(filepath.Join("testdata", "proc", "21606", "status"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		want int
		err  bool
	}{
		{"real www-data", string(real), 33, false},
		{"real differs from effective", "Name:\tx\nUid:\t1000\t0\t0\t0\n", 1000, false},
		{"no Uid", "Name:\tx\n", -1, true},
		{"empty Uid", "Uid:\n", -1, true},
		{"bad Uid", "Uid:\t-1\t0\t0\t0\n", -1, true},
		{"uid over 32 bits", "Uid:\t4294967296\t0\t0\t0\n", -1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatusUID([]byte(tc.data))
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("got (%d, %v), want (%d, err=%v)", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestParseCmdline(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"args", "socat\x00-u\x00OPEN:/dev/null\x00", []string{"socat", "-u", "OPEN:/dev/null"}},
		{"empty arg kept", "a\x00\x00b\x00", []string{"a", "", "b"}},
		{"retitled process", "nginx: master process /usr/sbin/nginx", []string{"nginx: master process /usr/sbin/nginx"}},
		{"kernel thread", "", nil},
		{"only NULs", "\x00\x00", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseCmdline([]byte(tc.data))
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseBootTime(t *testing.T) {
	tests := []struct {
		name string
		data string
		want int64
		err  bool
	}{
		{"fixture", "cpu  27201 0 12999 312903 1602 0 279 122 0 0\nbtime 1795435313\nprocesses 22971\n", 1795435313, false},
		{"long intr line first", "intr " + strings.Repeat("0 ", 200000) + "\nbtime 42\n", 42, false},
		{"missing", "cpu 1 2 3\n", 0, true},
		{"garbage", "btime soon\n", 0, true},
		{"zero", "btime 0\n", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseBootTime(strings.NewReader(tc.data))
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("got (%d, %v), want (%d, err=%v)", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestStartTime(t *testing.T) {
	if got := startTime(0, 100); !got.IsZero() {
		t.Errorf("no btime: got %v, want zero", got)
	}
	if got, want := startTime(1000, 250), time.Unix(1002, 500e6).UTC(); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := startTime(1000, ^uint64(0)); !got.IsZero() {
		t.Errorf("overflowing ticks: got %v, want zero", got)
	}
}

func TestParseUserNames(t *testing.T) {
	data := "root:x:0:0:root:/root:/bin/bash\n" +
		"# comment\n" +
		"+nisuser::::::\n" +
		"toor:x:0:0::/root:/bin/sh\n" + // duplicate uid: first wins
		"broken line\n" +
		"neg:x:-1:0::/:/bin/sh\n" +
		"www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
	got, err := parseUserNames(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "root" || got[33] != "www-data" {
		t.Errorf("got %v", got)
	}
}

func TestMountinfoFSType(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "mountinfo"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mounts, err := parseMountinfo(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(mounts) != 11 {
		t.Fatalf("parsed %d mounts, want 11", len(mounts))
	}
	tests := []struct {
		path, fstype string
		unhashable   bool
	}{
		{"/usr/bin/sleep", "ext4", false},
		{"/mnt/remote/bin/tool", "fuse.sshfs", true},
		{"/mnt/remote", "fuse.sshfs", true},
		{"/mnt/remotely/bin/x", "ext4", false}, // prefix of a name is not a parent
		{"/opt/shared/app/bin/java", "nfs4", true},
		{"/mnt/with space/x", "ext4", false},
		{"/dev/shm/payload", "tmpfs", false},
	}
	for _, tc := range tests {
		got := fsTypeOf(mounts, tc.path)
		if got != tc.fstype || unhashableFS(got) != tc.unhashable {
			t.Errorf("%s: type %q (unhashable %v), want %q (%v)", tc.path, got, unhashableFS(got), tc.fstype, tc.unhashable)
		}
	}
	if fsTypeOf(nil, "/x") != "" {
		t.Error("no mounts must give an unknown type")
	}
}
