package accounts

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// fixedNow is the clock for fixture tests: expiry results depend on it.
var fixedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

type result struct {
	Inv      *model.Inventory
	Warnings []model.Warning
}

func collect(t *testing.T, root *rootfs.FS) result {
	t.Helper()
	env, warns := inventory.TestEnv(root, "accounts/local")
	c := &Collector{Now: func() time.Time { return fixedNow }}
	inv, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return result{inv, *warns}
}

func TestCollectorInterface(t *testing.T) {
	c := New()
	if c.Name() != "accounts/local" || c.Phase() != 0 || c.NeedsLive() {
		t.Errorf("got %s/%d/%v", c.Name(), c.Phase(), c.NeedsLive())
	}
}

func TestGoldenFixtureRoots(t *testing.T) {
	for _, name := range []string{"debian", "rhel", "alpine"} {
		t.Run(name, func(t *testing.T) {
			r := collect(t, testutil.FixtureRoot(t, name))
			testutil.GoldenJSON(t, name, struct {
				Users          []model.User          `json:"users"`
				Groups         []model.Group         `json:"groups"`
				Sudoers        []model.SudoRule      `json:"sudoers"`
				AuthorizedKeys []model.AuthorizedKey `json:"authorized_keys"`
				Logins         []model.Login         `json:"logins"`
				Warnings       []model.Warning       `json:"warnings"`
			}{r.Inv.Users, r.Inv.Groups, r.Inv.Sudoers, r.Inv.AuthorizedKeys, r.Inv.Logins, r.Warnings})
		})
	}
}

// TestNoHashInOutput checks that no piece of any fixture hash (salt or
// digest) appears anywhere in the marshalled output, warnings included.
func TestNoHashInOutput(t *testing.T) {
	for _, name := range []string{"debian", "rhel", "alpine"} {
		t.Run(name, func(t *testing.T) {
			shadow, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata", "roots", name, "etc", "shadow"))
			if err != nil {
				t.Fatal(err)
			}
			secrets := hashPieces(string(shadow))
			if len(secrets) < 4 {
				t.Fatalf("only %d hash pieces found in %s shadow", len(secrets), name)
			}
			r := collect(t, testutil.FixtureRoot(t, name))
			out, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if strings.Contains(string(out), s) {
					t.Errorf("output contains hash piece %.6s...", s)
				}
			}
		})
	}
}

// hashPieces returns the salts and digests of the hashes in a shadow file:
// every '$'-separated part of 8+ characters, and whole DES hashes.
func hashPieces(shadow string) []string {
	var out []string
	for _, line := range strings.Split(shadow, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 2 {
			continue
		}
		h := strings.TrimLeft(f[1], "!*")
		if len(h) == 13 && !strings.Contains(h, "$") {
			out = append(out, h)
		}
		for _, p := range strings.Split(h, "$") {
			if len(p) >= 8 && !strings.HasPrefix(p, "rounds=") {
				out = append(out, p)
			}
		}
	}
	return out
}

func findUser(t *testing.T, inv *model.Inventory, name string) model.User {
	t.Helper()
	for _, u := range inv.Users {
		if u.Name == name {
			return u
		}
	}
	t.Fatalf("user %s not collected", name)
	return model.User{}
}

func TestDebianRiskyAccounts(t *testing.T) {
	r := collect(t, testutil.FixtureRoot(t, "debian"))
	tests := []struct {
		name      string
		uid       int
		password  model.PasswordState
		scheme    string
		canLogin  bool
		expired   bool
		acctExp   bool
		pwExp     bool
		mustChg   bool
		lastLogin string
	}{
		{"root", 0, model.PasswordDisabled, "", true, false, false, false, false, "2025-05-31T23:58:12Z"},
		{"toor", 0, model.PasswordSet, "yescrypt", true, false, false, false, false, "2025-05-31T23:58:12Z"},
		{"alice", 1000, model.PasswordSet, "yescrypt", true, false, false, false, false, "2025-05-31T08:44:03Z"},
		{"deploy", 1002, model.PasswordSet, "sha512crypt", true, true, false, true, false, "2025-06-01T06:00:02Z"},
		{"guest", 1003, model.PasswordEmpty, "", true, false, false, false, false, ""},
		{"olduser", 1004, model.PasswordLocked, "yescrypt", true, false, false, false, false, "2024-02-01T17:45:00Z"},
		{"contractor", 1005, model.PasswordSet, "yescrypt", true, true, true, false, false, ""},
		{"svc-backup", 1006, model.PasswordDisabled, "", false, false, false, false, false, ""},
		{"newhire", 1007, model.PasswordSet, "yescrypt", true, true, false, true, true, ""},
		{"sync", 4, model.PasswordDisabled, "", false, false, false, false, false, ""},
		{"systemd-network", 998, model.PasswordDisabled, "", false, false, false, false, false, ""},
	}
	for _, tt := range tests {
		u := findUser(t, r.Inv, tt.name)
		var last string
		if u.LastLogin != nil {
			last = u.LastLogin.Format(time.RFC3339)
		}
		if u.UID != tt.uid || u.Password != tt.password || u.HashScheme != tt.scheme || u.CanLogin != tt.canLogin ||
			u.Expired != tt.expired || u.AccountExpired != tt.acctExp || u.PasswordExpired != tt.pwExp ||
			u.MustChangePassword != tt.mustChg || last != tt.lastLogin {
			t.Errorf("%s: got %+v", tt.name, u)
		}
	}
	alice := findUser(t, r.Inv, "alice")
	if strings.Join(alice.Groups, ",") != "alice,adm,cdrom,sudo,users" || alice.System {
		t.Errorf("alice groups=%v system=%v", alice.Groups, alice.System)
	}
	if c := findUser(t, r.Inv, "contractor"); c.AccountExpires == nil || !c.AccountExpires.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("contractor expires %v", c.AccountExpires)
	}

	// NOPASSWD through a group and through a User_Alias; nothing from the
	// files sudo skips (guest.dpkg-old, 90-ops~).
	nopasswd := map[string]string{}
	for _, s := range r.Inv.Sudoers {
		if s.NoPasswd {
			nopasswd[s.Principal] = s.File + " " + s.Alias
		}
		if s.Principal == "guest" || strings.ContainsAny(filepath.Base(s.File), ".~") {
			t.Errorf("rule from a skipped file: %+v", s)
		}
	}
	want := map[string]string{
		"%ops":   "/etc/sudoers.d/90-ops ",
		"deploy": "/etc/sudoers.d/50-deploy DEPLOYERS",
		"bob":    "/etc/sudoers.d/50-deploy DEPLOYERS",
	}
	if !equalMaps(nopasswd, want) {
		t.Errorf("NOPASSWD principals = %v, want %v", nopasswd, want)
	}

	// root's key works for toor too: same home.
	var rootKeyUsers []string
	for _, k := range r.Inv.AuthorizedKeys {
		if k.File == "/root/.ssh/authorized_keys" {
			rootKeyUsers = append(rootKeyUsers, k.User)
		}
	}
	if strings.Join(rootKeyUsers, ",") != "root,toor" {
		t.Errorf("users of /root/.ssh/authorized_keys = %v", rootKeyUsers)
	}
	if len(r.Warnings) != 1 || r.Warnings[0].Path != "/home/alice/.ssh/authorized_keys" || !strings.HasPrefix(r.Warnings[0].Message, "line 5: ") {
		t.Errorf("warnings = %+v", r.Warnings)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestRHELAuthorizedKeysFileFromSSHDConfig(t *testing.T) {
	r := collect(t, testutil.FixtureRoot(t, "rhel"))
	for _, k := range r.Inv.AuthorizedKeys {
		if strings.HasSuffix(k.File, "authorized_keys2") || strings.HasPrefix(k.File, "/etc/ssh/") {
			t.Errorf("key from a file sshd_config does not name: %+v", k)
		}
	}
	if len(r.Inv.AuthorizedKeys) != 5 {
		t.Errorf("%d keys, want 5", len(r.Inv.AuthorizedKeys))
	}
	dbadmin := findUser(t, r.Inv, "dbadmin")
	if dbadmin.PasswordExpired {
		// last change + max days == today: pam_unix expires the day after.
		t.Errorf("dbadmin expired on the boundary day")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
