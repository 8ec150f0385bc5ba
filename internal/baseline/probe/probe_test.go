package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func inv(pkgs ...string) *model.Inventory {
	i := &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: "debian", Version: "12"}}}
	for _, p := range pkgs {
		i.Packages = append(i.Packages, model.Package{Type: model.PkgDeb, Name: p, Version: "1"})
	}
	i.Packages = append(i.Packages, model.Package{Type: model.PkgDeb, Name: "base-files", Version: "12.4"})
	return i
}

var permitRoot = policy.Probe{SSHD: &policy.SSHDProbe{Key: "permitrootlogin", Cmp: policy.Cmp{Value: "no"}}}

// The OpenSCAP pitfall: a check must never pass because a probe could not
// see its target. PermitRootLogin yes fails; an unreadable sshd_config is
// an error; sshd absent is handled by the gate (see baseline tests).
func TestSSHDNeverPassesOnWhatItCannotRead(t *testing.T) {
	root := testutil.TempRoot(t, map[string]string{"etc/ssh/sshd_config": "PermitRootLogin yes\n"})
	tg := NewTarget(context.Background(), root, false, "", inv("openssh-server"))
	if r := tg.Eval(permitRoot); r.Status != Fail || !strings.Contains(r.Reason, `"yes"`) {
		t.Errorf("PermitRootLogin yes: %v %s", r.Status, r.Reason)
	}
	// A directory where the file should be: cannot be read.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "etc/ssh/sshd_config"), 0o755)
	tg = NewTarget(context.Background(), testutil.OpenRoot(t, dir), false, "", inv("openssh-server"))
	if r := tg.Eval(permitRoot); r.Status != Error || !strings.Contains(r.Reason, "cannot read /etc/ssh/sshd_config") {
		t.Errorf("unreadable sshd_config: %v %s", r.Status, r.Reason)
	}
	// Missing entirely while installed: error, not the compiled-in default.
	tg = NewTarget(context.Background(), testutil.TempRoot(t, map[string]string{"etc/hostname": "x\n"}), false, "", inv("openssh-server"))
	if r := tg.Eval(permitRoot); r.Status != Error {
		t.Errorf("missing sshd_config: %v %s", r.Status, r.Reason)
	}
	// Missing and not installed per the package database: not applicable.
	tg = NewTarget(context.Background(), testutil.TempRoot(t, map[string]string{"etc/hostname": "x\n"}), false, "", inv())
	if r := tg.Eval(permitRoot); r.Status != NA {
		t.Errorf("no sshd at all: %v %s", r.Status, r.Reason)
	}
	// Missing and no package database: unknown, so an error.
	tg = NewTarget(context.Background(), testutil.TempRoot(t, map[string]string{"etc/hostname": "x\n"}), false, "", nil)
	if r := tg.Eval(permitRoot); r.Status != Error {
		t.Errorf("no sshd_config, no package data: %v %s", r.Status, r.Reason)
	}
	// An Include that cannot be read is an error too.
	dir = t.TempDir()
	testutil.WriteFiles(t, dir, map[string]string{"etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n"})
	os.MkdirAll(filepath.Join(dir, "etc/ssh/sshd_config.d/bad.conf"), 0o755)
	tg = NewTarget(context.Background(), testutil.OpenRoot(t, dir), false, "", inv("openssh-server"))
	if r := tg.Eval(permitRoot); r.Status != Error {
		t.Errorf("unreadable include: %v %s", r.Status, r.Reason)
	}
}

func TestInventoryProbesErrorWithoutInventory(t *testing.T) {
	tg := NewTarget(context.Background(), testutil.TempRoot(t, map[string]string{"etc/hostname": "x"}), false, "", nil)
	no := false
	for _, p := range []policy.Probe{
		{Package: &policy.PackageProbe{Name: []string{"telnetd"}, Installed: &no}},
		{Service: &policy.ServiceProbe{Name: []string{"avahi-daemon"}, Enabled: &no}},
	} {
		if r := tg.Eval(p); r.Status != Error {
			t.Errorf("%+v: %v %s (want error: absence unknown)", p, r.Status, r.Reason)
		}
	}
}

func TestProbes(t *testing.T) {
	root := testutil.TempRoot(t, map[string]string{
		"etc/passwd":                  "root:x:0:0::/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/bash\n",
		"etc/group":                   "root:x:0:\nshadow:x:42:bob\n",
		"etc/shadow":                  "root:$y$j9T$salt$hash:19000:1:90:7:30::\nbob::19000:0:99999:7:::\ntoor:$1$x$md5:19000:0:99999:7:::\n",
		"etc/login.defs":              "PASS_MAX_DAYS 99999\nPASS_MAX_DAYS 60\nUMASK\t027\n",
		"etc/sysctl.conf":             "net.ipv4.ip_forward = 1\n",
		"etc/sysctl.d/99-x.conf":      "net.ipv4.ip_forward = 0\n",
		"usr/lib/sysctl.d/99-x.conf":  "net.ipv4.ip_forward = 1\n",
		"usr/lib/sysctl.d/50-y.conf":  "kernel.sysrq = 16\n",
		"etc/modprobe.d/a.conf":       "install cramfs /bin/false\nblacklist udf\n",
		"etc/fstab":                   "tmpfs /tmp tmpfs nodev,nosuid 0 0\n",
		"etc/default/grub":            "GRUB_CMDLINE_LINUX=\"audit=1 apparmor=1\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet $GRUB_CMDLINE_LINUX\"\n",
		"etc/pam.d/common-password":   "password requisite pam_pwquality.so retry=3\n@include common-extra\n",
		"etc/pam.d/common-extra":      "password [success=1 default=ignore] pam_unix.so nullok sha512\n",
		"etc/security/pwquality.conf": "minlen = 8\n",
	})
	tg := NewTarget(context.Background(), root, false, "", inv())
	yes, no := true, false
	cases := []struct {
		name string
		p    policy.Probe
		want Status
		in   string
	}{
		{"login.defs last wins", policy.Probe{KeyValue: &policy.KeyValueProbe{Paths: []string{"/etc/login.defs"}, Syntax: "space", Key: "PASS_MAX_DAYS", Cmp: policy.Cmp{Op: "le", Value: "90"}}}, Pass, "60"},
		{"umask octal", policy.Probe{KeyValue: &policy.KeyValueProbe{Paths: []string{"/etc/login.defs"}, Syntax: "space", Key: "UMASK", Cmp: policy.Cmp{Op: "ge", Value: "027"}}}, Pass, ""},
		{"unset key fails", policy.Probe{KeyValue: &policy.KeyValueProbe{Paths: []string{"/etc/login.defs"}, Syntax: "space", Key: "PASS_MIN_DAYS", Cmp: policy.Cmp{Op: "ge", Value: "1"}}}, Fail, "not set"},
		{"default applies", policy.Probe{KeyValue: &policy.KeyValueProbe{Paths: []string{"/etc/security/pwquality.conf"}, Syntax: "equals", Key: "minclass", Cmp: policy.Cmp{Op: "ge", Value: "3"}, Default: ptr("0")}}, Fail, `"0"`},
		{"sysctl precedence", policy.Probe{Sysctl: &policy.SysctlProbe{Key: "net.ipv4.ip_forward", Cmp: policy.Cmp{Value: "0"}}}, Fail, "persisted"}, // /etc/sysctl.conf is read last
		{"sysctl usr lib", policy.Probe{Sysctl: &policy.SysctlProbe{Key: "kernel.sysrq", Cmp: policy.Cmp{Value: "16"}}}, Pass, "50-y.conf"},
		{"sysctl runtime on image", policy.Probe{Sysctl: &policy.SysctlProbe{Key: "kernel.sysrq", Scope: "runtime", Cmp: policy.Cmp{Value: "0"}}}, NA, "live"},
		{"modprobe install", policy.Probe{Modprobe: &policy.ModprobeProbe{Module: "cramfs"}}, Pass, ""},
		{"modprobe blacklist only", policy.Probe{Modprobe: &policy.ModprobeProbe{Module: "udf"}}, Fail, "only blacklisted"},
		{"modprobe none", policy.Probe{Modprobe: &policy.ModprobeProbe{Module: "hfs"}}, Fail, "can be loaded"},
		{"mount options", policy.Probe{Mount: &policy.MountProbe{Point: "/tmp", Options: []string{"nodev", "noexec"}}}, Fail, "noexec"},
		{"mount not separate", policy.Probe{Mount: &policy.MountProbe{Point: "/home", Options: []string{"nodev"}}}, NA, "not a separate"},
		{"grub cmdline", policy.Probe{Cmdline: &policy.CmdlineProbe{Param: "audit", Cmp: policy.Cmp{Value: "1"}}}, Pass, ""},
		{"pam module via include", policy.Probe{PAM: &policy.PAMProbe{File: "common-password", Type: "password", Module: "pam_unix.so", Arg: "nullok", Present: &no}}, Fail, "nullok"},
		{"pam arg value", policy.Probe{PAM: &policy.PAMProbe{File: "common-password", Type: "password", Module: "pam_pwquality.so", Arg: "retry", Cmp: policy.Cmp{Op: "le", Value: "3"}}}, Pass, ""},
		{"pam missing module", policy.Probe{PAM: &policy.PAMProbe{File: "common-password", Type: "password", Module: "pam_pwhistory.so"}}, Fail, "not in"},
		{"uid0", policy.Probe{Account: &policy.AccountProbe{Property: "uid0-only-root"}}, Fail, ""},
		{"empty password", policy.Probe{Account: &policy.AccountProbe{Property: "no-empty-password"}}, Fail, ""},
		{"hash scheme", policy.Probe{Account: &policy.AccountProbe{Property: "hash-scheme", Cmp: policy.Cmp{Op: "in", Value: "yescrypt,sha512crypt"}}}, Fail, ""},
		{"shadow group", policy.Probe{Account: &policy.AccountProbe{Property: "group-empty", Group: "shadow"}}, Fail, ""},
		{"file mode", policy.Probe{File: &policy.FileProbe{Path: "/etc/shadow", Mode: "0640"}}, Fail, "0644"},
		{"file absent ok", policy.Probe{File: &policy.FileProbe{Path: "/etc/cron.deny", Exists: &no}}, Pass, ""},
		{"file glob missing na", policy.Probe{File: &policy.FileProbe{Path: "/etc/ssh/ssh_host_*_key", Mode: "0600", Missing: "na"}}, NA, ""},
		{"content", policy.Probe{Content: &policy.ContentProbe{Paths: []string{"/etc/fstab"}, Match: `\s/tmp\s`}}, Pass, ""},
		{"command on image", policy.Probe{Command: &policy.CommandProbe{Argv: []string{"/usr/sbin/auditctl", "-l"}, Match: "x"}}, NA, "live"},
		{"service needs live for active", policy.Probe{Service: &policy.ServiceProbe{Name: []string{"x"}, Active: &yes}}, Error, "no services"},
	}
	for _, c := range cases {
		r := tg.Eval(c.p)
		if r.Status != c.want || !strings.Contains(r.Reason+strings.Join(r.Evidence, " "), c.in) {
			t.Errorf("%s: %v %q %q, want %v containing %q", c.name, r.Status, r.Reason, r.Evidence, c.want, c.in)
		}
		for _, e := range r.Evidence {
			if strings.Contains(e, "$y$") || strings.Contains(e, "$1$") {
				t.Errorf("%s: evidence shows a hash: %q", c.name, e)
			}
		}
	}
}

func ptr(s string) *string { return &s }

func TestCommandAllowList(t *testing.T) {
	tg := NewTarget(context.Background(), testutil.TempRoot(t, map[string]string{"etc/hostname": "x"}), true, "", nil)
	var ran [][]string
	tg.Run = func(_ context.Context, argv []string) ([]byte, int, error) {
		ran = append(ran, argv)
		return []byte("No rules\n"), 0, nil
	}
	r := tg.Eval(policy.Probe{Command: &policy.CommandProbe{Argv: []string{"/bin/sh", "-c", "id"}, Match: "x"}})
	if r.Status != Error || len(ran) != 0 {
		t.Fatalf("non-allow-listed command: %v %s ran=%v", r.Status, r.Reason, ran)
	}
	r = tg.Eval(policy.Probe{Command: &policy.CommandProbe{Argv: []string{"/usr/bin/systemctl", "disable", "x"}, Match: "x"}})
	if r.Status != Error || len(ran) != 0 {
		t.Fatalf("state-changing verb: %v %s", r.Status, r.Reason)
	}
}

func TestTree(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, map[string]string{"etc/passwd": "root:x:0:0::/root:/bin/sh\n", "etc/group": "root:x:0:\n", "etc/a": "x", "etc/sub/b": "y"})
	tg := NewTarget(context.Background(), testutil.OpenRoot(t, dir), false, "", nil)
	ww := policy.Probe{Tree: &policy.TreeProbe{Paths: []string{"/etc"}, Find: "world-writable"}}
	if r := tg.Eval(ww); r.Status != Pass {
		t.Fatalf("clean tree: %v %s", r.Status, r.Reason)
	}
	os.Chmod(filepath.Join(dir, "etc/sub/b"), 0o666)
	os.Chmod(filepath.Join(dir, "etc/sub"), 0o777)
	if r := tg.Eval(ww); r.Status != Fail || len(r.Evidence) != 2 {
		t.Errorf("world-writable: %v %q", r.Status, r.Evidence)
	}
	os.Chmod(filepath.Join(dir, "etc/sub"), os.ModeSticky|0o777)
	if r := tg.Eval(ww); r.Status != Fail || len(r.Evidence) != 1 || !strings.Contains(r.Evidence[0], "/etc/sub/b 0666") {
		t.Errorf("sticky dir allowed, file not: %v %q", r.Status, r.Evidence)
	}
	if os.Geteuid() == 0 {
		os.Lchown(filepath.Join(dir, "etc/a"), 4242, 0)
		if r := tg.Eval(policy.Probe{Tree: &policy.TreeProbe{Paths: []string{"/etc"}, Find: "unowned"}}); r.Status != Fail || !strings.Contains(r.Evidence[0], "4242") {
			t.Errorf("unowned: %v %q", r.Status, r.Evidence)
		}
	}
}

// Package versions order by the package manager's own rules: an rpm's
// release and epoch count (Debian's order on the bare version said
// 3.0.7 < 3.0.7-6.el9 for an installed 3.0.7-27.el9).
func TestPackageVersionOrder(t *testing.T) {
	root := testutil.TempRoot(t, map[string]string{"etc/hostname": "x"})
	inv := &model.Inventory{Packages: []model.Package{
		{Type: model.PkgRPM, Name: "openssl", Version: "3.0.7", Release: "27.el9", Epoch: 1},
		{Type: model.PkgRPM, Name: "sudo", Version: "1.9.5p2", Release: "9.el9"},
		{Type: model.PkgAPK, Name: "busybox", Version: "1.36.1-r5"},
		{Type: model.PkgDeb, Name: "openssh-server", Version: "1:9.2p1-2+deb12u3"},
	}}
	tg := NewTarget(context.Background(), root, false, "", inv)
	for _, c := range []struct {
		pkg, op, want string
		status        Status
	}{
		{"openssl", "ge", "1:3.0.7-6.el9", Pass},
		{"openssl", "gt", "3.0.9-1.el9", Pass}, // epoch 1 beats no epoch
		{"sudo", "ge", "1.9.5p2-10.el9", Fail},
		{"sudo", "ge", "1.9.5p2-9.el9", Pass},
		{"busybox", "lt", "1.36.1-r10", Pass}, // apk: r5 < r10
		{"openssh-server", "ge", "1:9.2p1-2+deb12u2", Pass},
	} {
		r := tg.Eval(policy.Probe{Package: &policy.PackageProbe{Name: []string{c.pkg}, Version: &policy.Cmp{Op: c.op, Value: c.want}}})
		if r.Status != c.status {
			t.Errorf("%s %s %s: %v %s", c.pkg, c.op, c.want, r.Status, r.Reason)
		}
	}
}
