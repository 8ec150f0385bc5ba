package host

import (
	"os"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestIdentityFiles(t *testing.T) {
	tests := []struct {
		name             string
		files            map[string]string
		hostname, id, tz string
		warnings         int
	}{
		{"typical", map[string]string{
			"etc/hostname": "# set by installer\n\nweb-01\n", "etc/machine-id": "3d1219c7c4c5404aaa1f6d2a48adfda4\n",
			"etc/localtime": "->../usr/share/zoneinfo/posix/Asia/Shanghai",
		}, "web-01", "3d1219c7c4c5404aaa1f6d2a48adfda4", "Asia/Shanghai", 0},
		{"image before first boot", map[string]string{
			"etc/machine-id": "uninitialized\n", "var/lib/dbus/machine-id": "0123456789abcdef0123456789abcdef\n",
		}, "", "0123456789abcdef0123456789abcdef", "", 0},
		{"bad values warn", map[string]string{
			"etc/hostname": "evil host;rm -rf\n", "etc/machine-id": "../../etc/shadow\n", "etc/timezone": "../../../etc/passwd\n",
			"etc/localtime": "->/opt/custom/zone",
		}, "", "", "", 3},
		{"/etc/timezone wins over the link", map[string]string{
			"etc/timezone": "Europe/Berlin\n", "etc/localtime": "->/usr/share/zoneinfo/Etc/UTC",
		}, "", "", "Europe/Berlin", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, warnings := inventory.TestEnv(testutil.TempRoot(t, tc.files), "host/info")
			if got := readHostnameFile(env); got != tc.hostname {
				t.Errorf("hostname %q, want %q", got, tc.hostname)
			}
			if got := readMachineID(env); got != tc.id {
				t.Errorf("machine-id %q, want %q", got, tc.id)
			}
			if got := readTimezone(env); got != tc.tz {
				t.Errorf("timezone %q, want %q", got, tc.tz)
			}
			if len(*warnings) != tc.warnings {
				t.Errorf("warnings = %+v, want %d", *warnings, tc.warnings)
			}
		})
	}
}

// A copied zone file (no link) still names its rule in the TZif footer.
func TestTimezoneFromCopiedZoneFile(t *testing.T) {
	data, err := os.ReadFile("/usr/share/zoneinfo/Europe/Berlin")
	if err != nil {
		t.Skip("tzdata not installed:", err)
	}
	env, _ := inventory.TestEnv(testutil.TempRoot(t, map[string]string{"etc/localtime": string(data)}), "host/info")
	if got := readTimezone(env); got != "CET-1CEST,M3.5.0,M10.5.0/3" {
		t.Errorf("timezone = %q", got)
	}
	for _, bad := range []string{"", "TZif", "TZif1xxxx\nUTC0\n", "TZif2\n\x01\x02\n", "not a zone file"} {
		if got := TZifRule([]byte(bad)); got != "" {
			t.Errorf("TZifRule(%q) = %q, want empty", bad, got)
		}
	}
}
