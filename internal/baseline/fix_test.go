package baseline_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/baseline/probe"
	"github.com/ward-sec/ward/internal/baseline/remedy"
	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/scan"
)

type fileSnap struct {
	data string
	mode fs.FileMode
	link string
}

// snapshot records every file under dir except Ward's backups.
func snapshot(t *testing.T, dir string) map[string]fileSnap {
	out := map[string]fileSnap{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(rel, "var/lib/ward") {
			return nil
		}
		fi, _ := os.Lstat(p)
		s := fileSnap{mode: fi.Mode()}
		if fi.Mode()&fs.ModeSymlink != 0 {
			s.link, _ = os.Readlink(p)
		} else if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			s.data = string(b)
		}
		out[rel] = s
		return nil
	})
	return out
}

func planFor(t *testing.T, dir string, policies []string) (*remedy.Plan, []remedy.Item) {
	t.Helper()
	res, err := scan.Run(context.Background(), scan.Options{Root: dir, Collectors: all.Collectors(), Only: []string{"host", "accounts", "os", "system"}})
	if err != nil {
		t.Fatal(err)
	}
	sel, _, err := baseline.Select(baseline.Options{Policies: policies}, res.Inventory)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := rootfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	items, _ := baseline.FixItems(probe.NewTarget(context.Background(), fsys, false, "", res.Inventory), sel, nil)
	plan, err := remedy.NewPlan(dir, false, items)
	if err != nil {
		t.Fatal(err)
	}
	return plan, items
}

func TestFixAndRollbackRoundTrip(t *testing.T) {
	needRoot(t)
	dir := copyFixture(t, "debian-bad")
	before := snapshot(t, dir)
	plan, items := planFor(t, dir, []string{"debian12-l2"})
	if len(items) < 40 || len(plan.Steps) < 40 || len(plan.Errors) > 0 {
		t.Fatalf("%d items, %d steps, errors %v", len(items), len(plan.Steps), plan.Errors)
	}
	var sb strings.Builder
	plan.Print(&sb)
	for _, want := range []string{"- PermitRootLogin yes", "+ PermitRootLogin no", "+ install cramfs /bin/false", "- net.ipv4.ip_forward=1", "+ net.ipv4.ip_forward = 0", "- 0644 0:0", "+ 0640 0:42"} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("dry run lacks %q", want)
		}
	}
	if !equalSnap(before, snapshot(t, dir)) {
		t.Fatal("planning changed files")
	}

	m, err := plan.Apply(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, remedy.BackupBase, m.ID, "manifest.json")); err != nil {
		t.Fatal(err)
	}
	rep, _ := runBaseline(t, dir, baseline.Options{Policies: []string{"debian12-l2"}})
	for _, id := range []string{"sshd-permit-root-login", "sshd-ciphers", "perms-shadow", "login-defs-pass-max-days", "sysctl-net-ipv4-ip-forward", "kmod-cramfs-disabled", "audit-rule-identity", "sudo-use-pty", "pwquality-minlen"} {
		if c := status(rep, "debian12-l2", id); c.Status != baseline.Pass && c.Status != baseline.NotApplicable {
			t.Errorf("after fix %s: %s %s", id, c.Status, c.Reason)
		}
	}
	// sshd: the key went in before the Match block, not inside it.
	cfg, _ := os.ReadFile(filepath.Join(dir, "etc/ssh/sshd_config"))
	if !strings.Contains(string(cfg), "PermitRootLogin no") || strings.Contains(string(cfg), "PermitRootLogin yes") {
		t.Errorf("sshd_config after fix:\n%s", cfg)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "etc/shadow")); fi.Mode().Perm() != 0o640 {
		t.Errorf("shadow mode %v", fi.Mode())
	}

	if _, err := remedy.Rollback(context.Background(), dir, "", "", nil); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, dir)
	if !equalSnap(before, after) {
		for k, v := range after {
			if b, ok := before[k]; !ok || b != v {
				t.Errorf("%s differs after rollback: %+v vs %+v", k, before[k], v)
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				t.Errorf("%s missing after rollback", k)
			}
		}
	}
	if _, err := remedy.Rollback(context.Background(), dir, m.ID, "", nil); err == nil {
		t.Error("second rollback of the same backup succeeded")
	}
}

func equalSnap(a, b map[string]fileSnap) bool {
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

// A fix never writes through a symlink, even one pointing inside the root,
// and never outside the root.
func TestFixRefusesSymlinks(t *testing.T) {
	needRoot(t)
	dir := copyFixture(t, "debian-bad")
	outside := filepath.Join(t.TempDir(), "outside.conf")
	os.WriteFile(outside, []byte("PASS_MAX_DAYS 99999\n"), 0o644)
	os.Remove(filepath.Join(dir, "etc/login.defs"))
	os.Symlink(outside, filepath.Join(dir, "etc/login.defs"))
	os.Remove(filepath.Join(dir, "etc/crontab"))
	os.Symlink("/etc/passwd", filepath.Join(dir, "etc/crontab"))
	plan, _ := planFor(t, dir, []string{"debian12-l2"})
	joined := strings.Join(plan.Errors, "\n")
	if !strings.Contains(joined, "/etc/login.defs is a symbolic link") {
		t.Errorf("errors: %s", joined)
	}
	if _, err := plan.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "PASS_MAX_DAYS 99999\n" {
		t.Errorf("file outside the root changed: %q", b)
	}
	if fi, _ := os.Lstat(filepath.Join(dir, "etc/crontab")); fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("symlinked crontab was replaced")
	}
	if fi, _ := os.Stat(filepath.Join(dir, "etc/passwd")); fi.Mode().Perm() != 0o644 {
		t.Errorf("link target's mode changed: %v", fi.Mode())
	}
}
