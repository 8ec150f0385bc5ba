package accounts

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/rootfs"
)

func collectLive(t *testing.T) result {
	t.Helper()
	if _, err := os.Stat("/etc/passwd"); err != nil {
		t.Skip("no /etc/passwd on this machine")
	}
	root, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	env, warns := inventory.TestEnv(root, "accounts/local")
	if !env.Live {
		t.Fatal("root / is not live")
	}
	inv, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return result{inv, *warns}
}

// TestLiveUsersMatchGetent compares the users read from this machine's
// /etc/passwd with what glibc's files backend returns (getent -s files).
func TestLiveUsersMatchGetent(t *testing.T) {
	getent, err := exec.LookPath("getent")
	if err != nil {
		t.Skip("getent not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, getent, "-s", "files", "passwd").Output()
	if err != nil {
		t.Skipf("getent -s files passwd: %v", err)
	}
	seen := map[string]bool{}
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 || seen[f[0]] {
			continue
		}
		seen[f[0]] = true
		want = append(want, f[0]+":"+f[2])
	}
	r := collectLive(t)
	var got []string
	for _, u := range r.Inv.Users {
		got = append(got, u.Name+":"+itoa(u.UID))
	}
	sort.Strings(want)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users (-getent +ward):\n%s", diff)
	}
}

// TestLiveNoHashInOutput checks this machine's own shadow hashes never
// reach the output (needs root to read /etc/shadow).
func TestLiveNoHashInOutput(t *testing.T) {
	shadow, err := os.ReadFile("/etc/shadow")
	if err != nil {
		t.Skipf("cannot read /etc/shadow: %v", err)
	}
	secrets := hashPieces(string(shadow))
	r := collectLive(t)
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(string(out), s) {
			t.Errorf("output contains a piece of a live hash (%d chars)", len(s))
		}
	}
	t.Logf("%d users, %d groups, %d sudo rules, %d keys, %d logins, %d warnings; %d hash pieces checked",
		len(r.Inv.Users), len(r.Inv.Groups), len(r.Inv.Sudoers), len(r.Inv.AuthorizedKeys), len(r.Inv.Logins), len(r.Warnings), len(secrets))
}
