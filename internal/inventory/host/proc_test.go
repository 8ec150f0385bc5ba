package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openTestdata(t *testing.T, parts ...string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParseCPUInfo(t *testing.T) {
	tests := []struct {
		name string
		file []string
		text string
		want CPUInfo
	}{
		{
			name: "x86 VM (AMD EPYC, 2 vCPUs)", file: []string{"proc", "cpuinfo"},
			want: CPUInfo{Model: "AMD EPYC", Vendor: "AuthenticAMD", Sockets: 1, Cores: 2, Threads: 2, MHz: 2596.142, Hypervisor: true},
		},
		{
			name: "ARM big.LITTLE phone SoC", file: []string{"parsers", "cpuinfo-arm-mt8183"},
			want: CPUInfo{Model: "ARMv7 Processor rev 4 (v7l)", Vendor: "ARM", Sockets: 0, Cores: 8, Threads: 8},
		},
		{
			name: "two sockets, hyper-threading",
			text: cpuBlock(0, 0, 0) + cpuBlock(1, 0, 1) + cpuBlock(2, 1, 0) + cpuBlock(3, 1, 1) +
				cpuBlock(4, 0, 0) + cpuBlock(5, 0, 1) + cpuBlock(6, 1, 0) + cpuBlock(7, 1, 1),
			want: CPUInfo{Model: "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz", Vendor: "GenuineIntel", Sockets: 2, Cores: 4, Threads: 8, MHz: 2100},
		},
		{
			name: "POWER",
			text: "processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\nclock\t\t: 2200.000000MHz\n\nprocessor\t: 1\ncpu\t\t: POWER9 (architected), altivec supported\n",
			want: CPUInfo{Model: "POWER9 (architected), altivec supported", Cores: 2, Threads: 2},
		},
		{
			name: "garbage", text: "no colon here\n:::\nprocessor: x\ncpu MHz: NaN\ncpu cores: -4\n",
			want: CPUInfo{Cores: 1, Threads: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got CPUInfo
			var err error
			if tc.file != nil {
				got, err = ParseCPUInfo(openTestdata(t, tc.file...))
			} else {
				got, err = ParseCPUInfo(strings.NewReader(tc.text))
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// cpuBlock is one logical CPU of a 2-socket, 2-core-per-socket, 2-thread
// Xeon in the kernel's format.
func cpuBlock(n, phys, core int) string {
	return "processor\t: " + itoa(n) + "\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz\n" +
		"cpu MHz\t\t: 2100.000\nphysical id\t: " + itoa(phys) + "\nsiblings\t: 4\ncore id\t\t: " + itoa(core) + "\ncpu cores\t: 2\n" +
		"flags\t\t: fpu vme de pse\n\n"
}

func itoa(n int) string { return string(rune('0' + n)) }

func TestParseMeminfo(t *testing.T) {
	tests := []struct {
		file      []string
		mem, swap uint64
	}{
		{[]string{"proc", "meminfo"}, 24684084 * 1024, 0},
		{[]string{"parsers", "meminfo-intel-i5"}, 16115528 * 1024, 8065020 * 1024},
	}
	for _, tc := range tests {
		got, err := ParseMeminfo(openTestdata(t, tc.file...))
		if err != nil {
			t.Fatal(err)
		}
		if got.MemTotal != tc.mem || got.SwapTotal != tc.swap {
			t.Errorf("%v: got %+v, want mem %d swap %d", tc.file, got, tc.mem, tc.swap)
		}
	}
	if _, err := ParseMeminfo(strings.NewReader("MemTotal: 99999999999999999999 kB\n")); err == nil {
		t.Error("overflowing MemTotal accepted")
	}
}

func TestParseUptimeAndBootTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1978.22 3410.83\n", 1978, true},
		{"0.50 0.10", 0, true},
		{"", 0, false},
		{"-5 1", 0, false},
		{"NaN 1", 0, false},
		{"1e300 1", 0, false},
	} {
		got, err := ParseUptime([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseUptime(%q) = %d, %v", tc.in, got, err)
		}
	}
	bt, err := ParseBootTime(openTestdata(t, "proc", "stat"))
	if err != nil || bt != 1795435313 {
		t.Errorf("ParseBootTime = %d, %v", bt, err)
	}
	if _, err := ParseBootTime(strings.NewReader("cpu 1 2 3\n")); err == nil {
		t.Error("no error without a btime line")
	}
}
