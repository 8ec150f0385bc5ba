package parse

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/testutil"
)

const ed25519Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIYxzQIHUwFE+xckP1nQnsBdye2WkjfVi2cjp1JUktlD"

func TestParseAuthorizedKeyLineOptions(t *testing.T) {
	tests := []struct {
		line    string
		options []string
		comment string
		err     string
	}{
		{ed25519Key + " ops@bastion", nil, "ops@bastion", ""},
		{"  " + ed25519Key, nil, "", ""},
		{ed25519Key + "   two words  comment ", nil, "two words  comment", ""},
		{`from="10.0.0.0/8",no-pty ` + ed25519Key + " c", []string{`from="10.0.0.0/8"`, "no-pty"}, "c", ""},
		{`command="echo \"a, b\" c",no-agent-forwarding ` + ed25519Key, []string{`command="echo \"a, b\" c"`, "no-agent-forwarding"}, "", ""},
		{`from="192.168.10.0/24,!192.168.10.66",environment="LANG=C"	` + ed25519Key, []string{`from="192.168.10.0/24,!192.168.10.66"`, `environment="LANG=C"`}, "", ""},
		{`restrict,command="a b"    ` + ed25519Key + " x", []string{"restrict", `command="a b"`}, "x", ""},
		// Errors.
		{`command="unterminated ` + ed25519Key, nil, "", "unterminated quote"},
		{`no-pty,,no-X11-forwarding ` + ed25519Key, nil, "", "empty option"},
		{`no-pty, ` + ed25519Key, nil, "", "empty option"},
		{`no-pty`, nil, "", "no key after the options"},
		{"ssh-foo AAAAB3NzaC1yc2E comment", nil, "", "unknown key type"},
		{"1024 35 1234567890 old-rsa1", nil, "", "SSH protocol 1"},
		{"ssh-ed25519", nil, "", "key type without key data"},
		{"no-pty ssh-ed25519", nil, "", "key type without key data"},
		{"ssh-ed25519 !!notbase64!!", nil, "", "not valid base64"},
		{"ssh-rsa " + strings.Fields(ed25519Key)[1], nil, "", "does not match its key type"},
		{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBROKEN+pasted+key", nil, "", "truncated or malformed"},
		{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIYxzQIHUwFE+xckP1nQnsBdye2WkjfVi2cjp1JUktlDAAAA", nil, "", "trailing data"},
	}
	for _, tt := range tests {
		k, err := ParseAuthorizedKeyLine(tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%.50q: err = %v, want %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%.50q: %v", tt.line, err)
			continue
		}
		if !cmp.Equal(k.Options, tt.options) || k.Comment != tt.comment || k.Type != "ssh-ed25519" || k.Bits != 256 ||
			k.Fingerprint != "SHA256:sBI1bC8985Mi0CrS5fvTVn+TdniPF/aM3nhTFbLIDu8" {
			t.Errorf("%.50q: got %+v", tt.line, k)
		}
	}
}

// keyFiles are authorized_keys-format files covering every key type:
// the fixture roots' files and testdata/keys (a certificate, FIDO keys,
// DSA, RSA 1024).
func keyFiles(t *testing.T) []string {
	roots := filepath.Join(testutil.RepoRoot(), "testdata", "roots")
	var files []string
	for _, pat := range []string{"*/root/.ssh/authorized_keys*", "*/home/*/.ssh/authorized_keys*"} {
		m, _ := filepath.Glob(filepath.Join(roots, pat))
		files = append(files, m...)
	}
	m, _ := filepath.Glob("testdata/keys/*.pub")
	files = append(files, m...)
	if len(files) < 15 {
		t.Fatalf("only %d key files found", len(files))
	}
	return files
}

// TestAuthorizedKeysMatchSSHKeygen compares bits, fingerprint and comment
// with what `ssh-keygen -l -f` prints for the same files.
func TestAuthorizedKeysMatchSSHKeygen(t *testing.T) {
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not installed")
	}
	total := 0
	for _, f := range keyFiles(t) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, keygen, "-l", "-E", "sha256", "-f", f).Output()
		cancel()
		if err != nil {
			t.Errorf("ssh-keygen -lf %s: %v", f, err)
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		keys, _, err := ParseAuthorizedKeys(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			// "3072 SHA256:... comment (RSA)"
			f := strings.Fields(line)
			want = append(want, strings.Join(f[:len(f)-1], " "))
		}
		for _, k := range keys {
			got = append(got, strings.TrimSpace(strconv.Itoa(k.Bits)+" "+k.Fingerprint+" "+k.Comment))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-ssh-keygen +ward):\n%s", f, diff)
		}
		total += len(keys)
	}
	t.Logf("%d keys compared", total)
}

func TestDecodeSSHKeyTypes(t *testing.T) {
	tests := []struct {
		file string
		typ  string
		bits int
		cert bool
	}{
		{"certkey-cert.pub", "ssh-ed25519-cert-v01@openssh.com", 256, true},
		{"sk-ed25519.pub", "sk-ssh-ed25519@openssh.com", 256, false},
		{"sk-ecdsa.pub", "sk-ecdsa-sha2-nistp256@openssh.com", 256, false},
		{"dsa.pub", "ssh-dss", 1024, false},
		{"rsa1024.pub", "ssh-rsa", 1024, false},
		{"ecdsa521.pub", "ecdsa-sha2-nistp521", 521, false},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("testdata/keys", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		k, err := ParseAuthorizedKeyLine(strings.TrimSpace(string(data)))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if k.Type != tt.typ || k.Bits != tt.bits || k.Certificate != tt.cert {
			t.Errorf("%s: got %s/%d/%v", tt.file, k.Type, k.Bits, k.Certificate)
		}
	}
}

func TestParseAuthorizedKeysFileErrors(t *testing.T) {
	in := "# keys\n\n" + ed25519Key + " ok\r\ngarbage here\n" + strings.Repeat("x", MaxAuthorizedKeyLine+1) + "\n" + ed25519Key + " last"
	keys, errs, err := ParseAuthorizedKeys(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].Line != 3 || keys[0].Comment != "ok" || keys[1].Line != 6 {
		t.Errorf("keys = %+v", keys)
	}
	if len(errs) != 2 || errs[0].Line != 4 || errs[1].Line != 5 {
		t.Errorf("errors = %v", errs)
	}
}
