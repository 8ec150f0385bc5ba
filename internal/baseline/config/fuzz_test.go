package config

import "testing"

func FuzzParseSSHD(f *testing.F) {
	f.Add([]byte("Include a/*.conf\nPermitRootLogin no\nMatch User x\nX11Forwarding yes\n"))
	f.Add([]byte("Port=22\nAllowUsers \"a b\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		load := func(string) ([]SSHDFile, error) { return []SSHDFile{{"inc", data}}, nil }
		ParseSSHD("f", data, load)
		ParseSSHDT(data)
	})
}

func FuzzParseKeyValue(f *testing.F) {
	f.Add([]byte("PASS_MAX_DAYS 90\nUMASK 027\n"), "space")
	f.Add([]byte("[Journal]\nStorage=persistent\n"), "ini")
	f.Add([]byte("minlen = 14 # c\nGRUB_CMDLINE_LINUX=\"a\"\n"), "equals")
	f.Fuzz(func(t *testing.T, data []byte, syntax string) {
		ParseKeyValue(data, syntax, "Journal")
	})
}

func FuzzParsePAM(f *testing.F) {
	f.Add([]byte("@include common-auth\nauth [success=1 default=ignore] pam_unix.so nullok\n-password optional pam_x.so \\\n a=1\n"))
	f.Add([]byte("auth [broken pam_x.so\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, l := range ParsePAM(data) {
			PAMArg(l.Args, "minlen")
		}
	})
}

func FuzzParseSysctl(f *testing.F) {
	f.Add([]byte("net.ipv4.ip_forward = 0\n-kernel/x=1\n"))
	f.Fuzz(func(t *testing.T, data []byte) { ParseSysctl(data) })
}

func FuzzParseMounts(f *testing.F) {
	f.Add([]byte("UUID=x / ext4 defaults 0 1\ntmpfs /tmp tmpfs nodev,nosuid\n/d /a\\040b\\04 x\n"))
	f.Fuzz(func(t *testing.T, data []byte) { ParseMounts(data) })
}

func FuzzParseModprobe(f *testing.F) {
	f.Add([]byte("install cramfs /bin/false\nblacklist usb-storage\noptions x y=1 \\\n z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseModprobe(data)
		ParseCmdline(string(data))
	})
}
