package weakpass

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/rootfs"
)

// TestLiveYescryptUser creates a throw-away account with a yescrypt hash
// of a weak password (chpasswd -c YESCRYPT, as Debian 11+ hashes by
// default), runs the detector on this host's / and expects the finding;
// the account is removed whatever happens.
func TestLiveYescryptUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create an account")
	}
	if testing.Short() {
		t.Skip("cracks a yescrypt hash")
	}
	for _, bin := range []string{"/usr/sbin/useradd", "/usr/sbin/chpasswd", "/usr/sbin/userdel"} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s: %v", bin, err)
		}
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	user := "wardwp" + hex.EncodeToString(suffix)
	if out, err := exec.Command("/usr/sbin/useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("/usr/sbin/userdel", user).CombinedOutput(); err != nil {
			t.Errorf("userdel %s: %v: %s", user, err, out)
		}
	})
	cmd := exec.Command("/usr/sbin/chpasswd", "-c", "YESCRYPT")
	cmd.Stdin = strings.NewReader(user + ":123456\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chpasswd: %v: %s", err, out)
	}
	shadow, err := os.ReadFile("/etc/shadow")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(shadow), "\n"+user+":$y$") {
		t.Fatalf("%s has no yescrypt hash in /etc/shadow", user)
	}

	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Check(ctx, fsys, true, Options{Budget: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Rule == RuleWeak && f.Asset.ID == "shadow/"+user {
			if !contains(f.Evidence, "format: yescrypt") || !contains(f.Evidence, "password: 1*****6") {
				t.Errorf("evidence %v", f.Evidence)
			}
			return
		}
	}
	t.Errorf("no weak-password finding for %s; summary:\n%s", user, strings.Join(rep.Summary, "\n"))
}
