package host

import (
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestCompareDebianVersion(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"6.1.0-9-amd64", "6.1.0-28-amd64", -1},
		{"6.1.0-28-amd64", "6.1.0-28-amd64", 0},
		{"5.14.0-362.8.1.el9_3.x86_64", "5.14.0-362.24.1.el9_3.x86_64", -1},
		{"5.15.0-100-generic", "5.15.0-99-generic", 1},
		{"6.6.14-0-lts", "6.6.9-0-lts", 1},
		{"1.0~rc1", "1.0", -1},
		{"1:1.0", "2.0", 1},
		{"1.0-1", "1.0-1~bpo1", 1},
		{"1.0a", "1.0", 1},
		{"1.0+b1", "1.0", 1},
		{"000010", "9", 1},
		{"99999999999999999999999", "99999999999999999999998", 1},
		{"", "0", 0},
	}
	for _, tc := range tests {
		if got := CompareDebianVersion(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareDebianVersion(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareDebianVersion(tc.b, tc.a); got != -tc.want {
			t.Errorf("CompareDebianVersion(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestInferKernel(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"prefers trees with modules.dep", map[string]string{
			"lib/modules/6.1.0-9-amd64/modules.dep":  "",
			"lib/modules/6.1.0-30-amd64/updates/x":   "", // leftover of a removed kernel
			"lib/modules/6.1.0-28-amd64/modules.dep": "",
		}, "6.1.0-28-amd64"},
		{"Fedora keeps vmlinuz there", map[string]string{
			"usr/lib/modules/6.5.6-300.fc39.x86_64/vmlinuz": "",
			"usr/lib/modules/6.5.5-300.fc39.x86_64/vmlinuz": "",
		}, "6.5.6-300.fc39.x86_64"},
		{"merged /usr lists each kernel once", map[string]string{
			"usr/lib/modules/6.1.0-28-amd64/modules.dep": "",
			"lib": "->usr/lib",
		}, "6.1.0-28-amd64"},
		{"only leftovers", map[string]string{"lib/modules/5.10.0-8-amd64/x": "", "lib/modules/extramodules/x": ""}, "5.10.0-8-amd64"},
		{"none", map[string]string{"etc/hostname": "x"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, warnings := inventory.TestEnv(testutil.TempRoot(t, tc.files), "host/info")
			if got := inferKernel(env); got != tc.want {
				t.Errorf("inferKernel = %q, want %q", got, tc.want)
			}
			if len(*warnings) != 0 {
				t.Errorf("warnings: %+v", *warnings)
			}
		})
	}
}
