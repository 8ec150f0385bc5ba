package kmod

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseProcModules(t *testing.T) {
	in := strings.Join([]string{
		"vboxdrv 503808 2 vboxnetflt,vboxnetadp, Live 0x0000000000000000 (OE)",
		"ext4 778240 1 - Live 0xffffffffc0a0c000",
		// kernel without CONFIG_MODULE_UNLOAD: no count, no users
		"virtio_net 65536 - - Live 0x0000000000000000",
		// a module that cannot be unloaded
		"nf_defrag_ipv6 24576 1 nf_conntrack,[permanent], Loading 0x0000000000000000",
		// malformed lines
		"short 1 2",
		"../../etc 16384 0 - Live 0x0",
		"neg -5 0 - Live 0x0",
		"odd 5 0 - Sleeping 0x0",
		"",
	}, "\n")
	got, err := ParseProcModules(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 5") {
		t.Errorf("error = %v, want one naming line 5", err)
	}
	want := []ProcModule{
		{Name: "vboxdrv", Size: 503808, RefCount: 2, UsedBy: []string{"vboxnetflt", "vboxnetadp"}, State: "Live", Taints: "OE"},
		{Name: "ext4", Size: 778240, RefCount: 1, State: "Live"},
		{Name: "virtio_net", Size: 65536, RefCount: -1, State: "Live"},
		{Name: "nf_defrag_ipv6", Size: 24576, RefCount: 1, UsedBy: []string{"nf_conntrack"}, State: "Loading"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseProcModules (-want +got):\n%s", d)
	}
}

func TestParseModprobeConf(t *testing.T) {
	in := strings.Join([]string{
		"# comment",
		"blacklist pcspkr",
		"install cramfs /bin/false",
		"install  usb-storage   /bin/true  ",
		"install hfs /usr/bin/false",
		"install udf true",
		"install nf_conntrack /usr/sbin/modprobe --ignore-install nf_conntrack $CMDLINE_OPTS && /usr/sbin/sysctl --system",
		"install freevxfs \\",
		"  /bin/false",
		"options bonding max_bonds=0",
		"alias net-pf-10 off",
		"blacklist",
		"softdep uhci-hcd pre: ehci-hcd",
	}, "\n")
	got, err := ParseModprobeConf(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []ConfigEntry{
		{Name: "pcspkr", Line: 2, Disabled: "blacklist"},
		{Name: "cramfs", Line: 3, Disabled: "install /bin/false"},
		{Name: "usb-storage", Line: 4, Disabled: "install /bin/true"},
		{Name: "hfs", Line: 5, Disabled: "install /usr/bin/false"},
		{Name: "udf", Line: 6, Disabled: "install true"},
		{Name: "freevxfs", Line: 8, Disabled: "install /bin/false"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseModprobeConf (-want +got):\n%s", d)
	}
}

func TestParseModulesLoad(t *testing.T) {
	in := "# comment\n; also a comment\n\n  loop  \nbonding mode=active-backup miimon=100\nchar-major-10-135\nbad\x01name\n"
	got, err := ParseModulesLoad(strings.NewReader(in))
	if err == nil {
		t.Error("no error for a control character in a name")
	}
	want := []ConfigEntry{{Name: "loop", Line: 4}, {Name: "bonding", Line: 5}, {Name: "char-major-10-135", Line: 6}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseModulesLoad (-want +got):\n%s", d)
	}
}

func TestNormalizeName(t *testing.T) {
	if got := NormalizeName("usb-storage"); got != "usb_storage" {
		t.Errorf("NormalizeName = %q", got)
	}
}
