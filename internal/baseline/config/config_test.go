package config

import (
	"path"
	"reflect"
	"testing"
)

func TestParseSSHDIncludeMatchFirstWins(t *testing.T) {
	files := map[string]string{
		"/etc/ssh/sshd_config.d/10-a.conf": "PermitRootLogin no\nMatch User bob\n  PasswordAuthentication yes\n",
		"/etc/ssh/sshd_config.d/20-b.conf": "PermitRootLogin yes\nMaxAuthTries 3\n",
	}
	load := func(pat string) ([]SSHDFile, error) {
		var out []SSHDFile
		for _, n := range []string{"/etc/ssh/sshd_config.d/10-a.conf", "/etc/ssh/sshd_config.d/20-b.conf"} {
			if ok, _ := path.Match(pat, n); ok {
				out = append(out, SSHDFile{n, []byte(files[n])})
			}
		}
		return out, nil
	}
	main := "# comment\nInclude sshd_config.d/*.conf\nPermitRootLogin prohibit-password\nPasswordAuthentication=no\nAllowUsers a\nAllowUsers b\nMatch Address 10.0.0.0/8\n  PermitRootLogin yes\n"
	c, err := ParseSSHD("/etc/ssh/sshd_config", []byte(main), load)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"permitrootlogin":        {"no"},
		"passwordauthentication": {"no"},
		"maxauthtries":           {"3"},
		"allowusers":             {"a", "b"},
	}
	if !reflect.DeepEqual(c.Values, want) {
		t.Errorf("values %v, want %v", c.Values, want)
	}
	if c.Where["permitrootlogin"] != "/etc/ssh/sshd_config.d/10-a.conf:1" || c.Matches != 2 {
		t.Errorf("where %v matches %d", c.Where, c.Matches)
	}
}

func TestParsePAM(t *testing.T) {
	data := "# x\n@include common-auth\npassword\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt minlen=8\n-auth optional /lib/security/pam_faillock.so deny=5 \\\n unlock_time=900\nsession include system-login\n"
	got := ParsePAM([]byte(data))
	want := []PAMLine{
		{Include: "common-auth", Line: 2},
		{Type: "password", Control: "[success=1 default=ignore]", Module: "pam_unix.so", Args: []string{"obscure", "yescrypt", "minlen=8"}, Line: 3},
		{Type: "auth", Control: "optional", Module: "pam_faillock.so", Args: []string{"deny=5", "unlock_time=900"}, Line: 4},
		{Type: "session", Control: "include", Include: "system-login", Line: 6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if v, ok := PAMArg(got[1].Args, "minlen"); !ok || v != "8" {
		t.Error("minlen")
	}
}

func TestParseKeyValueSysctlMountsModprobe(t *testing.T) {
	kv := ParseKeyValue([]byte("PASS_MAX_DAYS\t99999\n# PASS_MIN_DAYS 1\nUMASK  022\n"), "space", "")
	if len(kv) != 2 || kv[0].Key != "PASS_MAX_DAYS" || kv[0].Value != "99999" || kv[1].Value != "022" {
		t.Errorf("space: %+v", kv)
	}
	ini := ParseKeyValue([]byte("[Journal]\nStorage=persistent\n[Other]\nStorage=none\n"), "ini", "Journal")
	if len(ini) != 1 || ini[0].Value != "persistent" {
		t.Errorf("ini: %+v", ini)
	}
	eq := ParseKeyValue([]byte(`GRUB_CMDLINE_LINUX="audit=1 apparmor=1" # x`+"\nminlen = 14\n"), "equals", "")
	if eq[0].Value != "audit=1 apparmor=1" || eq[1].Value != "14" {
		t.Errorf("equals: %+v", eq)
	}
	s := ParseSysctl([]byte("net/ipv4/ip_forward = 0\n-kernel.x=1  2\n; c\n"))
	if len(s) != 2 || s[0].Key != "net.ipv4.ip_forward" || s[1].Key != "kernel.x" || s[1].Value != "1 2" {
		t.Errorf("sysctl: %+v", s)
	}
	m := ParseMounts([]byte("tmpfs /tmp tmpfs rw,nosuid,nodev 0 0\n/dev/sdb1 /mnt/my\\040disk ext4 defaults\n"))
	if m[0].Point != "/tmp" || m[0].Options[2] != "nodev" || m[1].Point != "/mnt/my disk" {
		t.Errorf("mounts: %+v", m)
	}
	d := ParseModprobe([]byte("install cramfs /bin/false\nblacklist usb-storage\n"))
	if d[0].Command != "install" || d[0].Args[0] != "/bin/false" || d[1].Module != "usb_storage" {
		t.Errorf("modprobe: %+v", d)
	}
	if got := ParseCmdline(`BOOT_IMAGE=/vmlinuz root=UUID=x ro quiet "a b=c"` + "\n"); len(got) != 5 || got[4] != "a b=c" {
		t.Errorf("cmdline: %q", got)
	}
}
