package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestIdentityKey(t *testing.T) {
	const mid = "0123456789abcdef0123456789abcdef"
	const uuid = "4c4c4544-0042-3510-8051-b4c04f4e4d32"
	tests := []struct {
		name string
		host *model.Host
		want string // "" means an error
	}{
		{"cloud id first", &model.Host{MachineID: mid, DMI: &model.DMI{ProductUUID: uuid}, Cloud: &model.Cloud{Provider: "aws", InstanceID: "i-0abc12345678"}}, sha("i-0abc12345678")},
		{"then DMI UUID, lower case", &model.Host{MachineID: mid, DMI: &model.DMI{ProductUUID: "4C4C4544-0042-3510-8051-B4C04F4E4D32"}}, sha(uuid)},
		{"placeholder UUID skipped", &model.Host{MachineID: mid, DMI: &model.DMI{ProductUUID: "03000200-0400-0500-0006-000700080009"}}, sha(mid)},
		{"all-zero UUID skipped", &model.Host{MachineID: mid, DMI: &model.DMI{ProductUUID: "00000000-0000-0000-0000-000000000000"}}, sha(mid)},
		{"malformed UUID skipped", &model.Host{MachineID: mid, DMI: &model.DMI{ProductUUID: "Not Settable"}}, sha(mid)},
		{"cloud provider without id", &model.Host{MachineID: mid, Cloud: &model.Cloud{Provider: "hetzner"}}, sha(mid)},
		{"nothing", &model.Host{Hostname: "x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := IdentityFromHost(tt.host)
			if err != nil {
				t.Fatal(err)
			}
			got, err := id.Key()
			if got != tt.want || (err == nil) != (tt.want != "") {
				t.Fatalf("key %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	if _, err := IdentityFromHost(nil); err == nil {
		t.Error("nil host accepted")
	}
}

// TestScanIdentity runs the host collector over a tiny root.
func TestScanIdentity(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{
		"etc/machine-id": "0123456789abcdef0123456789abcdef\n",
		"etc/hostname":   "web1\n",
		"etc/os-release": "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	id, err := ScanIdentity(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if id.MachineID != "0123456789abcdef0123456789abcdef" || id.Hostname != "web1" || id.OS.ID != "debian" {
		t.Fatalf("%+v", id)
	}
	if k, err := id.Key(); err != nil || k != sha(id.MachineID) {
		t.Fatalf("key %s %v", k, err)
	}
}
