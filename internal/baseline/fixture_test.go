package baseline_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/baseline/probe"
	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/testutil"
)

// copyFixture copies testdata/roots/NAME into a temp dir (symlinks kept),
// applies NAME.modes and, as root, makes everything root-owned as on a
// real host.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "roots", name)
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, out)
		case d.IsDir():
			return os.MkdirAll(out, 0o755)
		case d.Name() == ".keep":
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	modes, err := os.ReadFile(src + ".modes")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(modes), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 || strings.HasPrefix(l, "#") {
			continue
		}
		m, _ := strconv.ParseUint(f[1], 8, 32)
		if err := os.Chmod(filepath.Join(dst, f[0]), fs.FileMode(m&0o777)|modeBits(m)); err != nil {
			t.Fatal(err)
		}
	}
	if os.Geteuid() == 0 {
		filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				os.Lchown(p, 0, 0)
			}
			return nil
		})
	}
	return dst
}

func modeBits(m uint64) fs.FileMode {
	var out fs.FileMode
	if m&0o1000 != 0 {
		out |= fs.ModeSticky
	}
	return out
}

// runBaseline scans dir (not live) with the inventory collectors the
// baseline needs and the baseline detector.
func runBaseline(t testing.TB, dir string, opts baseline.Options) (*baseline.Report, []model.Finding) {
	t.Helper()
	res, err := scan.Run(context.Background(), scan.Options{Root: dir, Collectors: all.Collectors(), Only: []string{"host", "accounts", "os", "system"},
		Detectors: []scan.Detector{&baseline.Detector{Opts: opts}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Detections {
		if d.Status != "ok" {
			t.Fatalf("detector %s: %s", d.Detector, d.Error)
		}
		return d.Details.(*baseline.Report), res.Findings
	}
	t.Fatal("no detection")
	return nil, nil
}

// compact is the golden form: per policy its counts, then one line per
// check with its status and reason.
func compact(rep *baseline.Report) map[string][]string {
	out := map[string][]string{}
	for _, p := range rep.Policies {
		lines := []string{fmt.Sprintf("score %.1f pass %d fail %d error %d n/a %d manual %d", p.Score, p.Counts[baseline.Pass], p.Counts[baseline.Fail], p.Counts[baseline.Error], p.Counts[baseline.NotApplicable], p.Counts[baseline.Manual])}
		for _, c := range p.Checks {
			l := c.Check + " " + string(c.Status)
			if c.Reason != "" {
				l += ": " + c.Reason
			}
			lines = append(lines, l)
		}
		out[p.Policy] = lines
	}
	return out
}

func status(rep *baseline.Report, policy, check string) baseline.CheckResult {
	for _, p := range rep.Policies {
		if p.Policy != policy {
			continue
		}
		for _, c := range p.Checks {
			if c.Check == check {
				return c
			}
		}
	}
	return baseline.CheckResult{Status: "missing"}
}

func needRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("fixture owners and modes need root (the checks compare owners with the fixture's /etc/passwd)")
	}
}

func TestFixturesGolden(t *testing.T) {
	needRoot(t)
	opts := baseline.Options{Policies: []string{"debian12-l2", "mlps-l3"}}
	for _, name := range []string{"debian-good", "debian-bad", "ubuntu", "rhel"} {
		t.Run(name, func(t *testing.T) {
			rep, _ := runBaseline(t, copyFixture(t, name), opts)
			testutil.GoldenJSON(t, "results-"+name, compact(rep))
			deb := rep.Policies[0]
			switch name {
			case "debian-good":
				if deb.Score < 95 {
					t.Errorf("compliant fixture scores %.1f%%", deb.Score)
				}
			case "debian-bad":
				if deb.Score > 40 {
					t.Errorf("non-compliant fixture scores %.1f%%", deb.Score)
				}
			default:
				if deb.Counts[baseline.NotApplicable] != len(deb.Checks) {
					t.Errorf("Debian 12 policy on %s: %v, want all not-applicable", name, deb.Counts)
				}
				if c := status(rep, "debian12-l2", "sshd-permit-root-login"); !strings.Contains(c.Reason, "not debian 12") {
					t.Errorf("gate reason %q", c.Reason)
				}
			}
		})
	}
}

func TestGoodAndBadDiffer(t *testing.T) {
	needRoot(t)
	opts := baseline.Options{Policies: []string{"debian12-l2", "mlps-l3"}}
	good, _ := runBaseline(t, copyFixture(t, "debian-good"), opts)
	bad, findings := runBaseline(t, copyFixture(t, "debian-bad"), opts)
	for _, c := range []struct{ policy, check string }{
		{"debian12-l2", "sshd-permit-root-login"}, {"debian12-l2", "sshd-ciphers"}, {"debian12-l2", "perms-shadow"},
		{"debian12-l2", "login-defs-pass-max-days"}, {"debian12-l2", "sysctl-net-ipv4-ip-forward"}, {"debian12-l2", "kmod-cramfs-disabled"},
		{"debian12-l2", "pam-unix-no-nullok-auth"}, {"debian12-l2", "accounts-uid0-only-root"}, {"debian12-l2", "accounts-no-empty-password"},
		{"debian12-l2", "service-avahi-unused"}, {"debian12-l2", "mount-tmp-separate"}, {"debian12-l2", "apparmor-bootloader"},
		{"mlps-l3", "ces1-01-uid0-only-root"}, {"mlps-l3", "ces1-08-sudo-no-nopasswd-all"}, {"mlps-l3", "ces1-28-password-hashing"},
	} {
		if g := status(good, c.policy, c.check); g.Status != baseline.Pass {
			t.Errorf("good %s/%s: %s %s", c.policy, c.check, g.Status, g.Reason)
		}
		if b := status(bad, c.policy, c.check); b.Status != baseline.Fail {
			t.Errorf("bad %s/%s: %s %s", c.policy, c.check, b.Status, b.Reason)
		}
	}
	// Findings: one per failed or errored check, with remediation and references.
	var f *model.Finding
	for i := range findings {
		if findings[i].Rule == "debian12-l2/sshd-permit-root-login" {
			f = &findings[i]
		}
		if hashLike.MatchString(strings.Join(findings[i].Evidence, " ")) {
			t.Errorf("finding %s evidence may hold a hash: %q", findings[i].Rule, findings[i].Evidence)
		}
	}
	if f == nil || f.Kind != model.KindBaseline || f.Severity != model.SevHigh || !strings.Contains(f.Remediation, "PermitRootLogin no") || len(f.References) < 2 {
		t.Fatalf("finding for PermitRootLogin: %+v", f)
	}
	// Match blocks are not the default context: the good fixture's
	// "Match User backup / PermitRootLogin yes" does not count.
	if ev := status(good, "debian12-l2", "sshd-permit-root-login").Evidence; len(ev) == 0 || !strings.Contains(ev[0], "sshd_config:2") {
		t.Errorf("evidence %q", ev)
	}
}

// The public Wazuh policy runs unchanged: requirements gate the policy,
// sshd -T / dpkg-query / systemctl is-enabled are answered by typed
// probes, shell pipelines and unlisted commands are errors, never passes.
func TestWazuhPolicyRunsDirectly(t *testing.T) {
	needRoot(t)
	sca := filepath.Join("wazuh", "testdata", "cis_debian12_excerpt.yml")
	want := map[string]map[string]baseline.Status{
		"debian-good": {"33000": baseline.Error, "33086": baseline.Pass, "33087": baseline.Pass, "33091": baseline.Error, "33092": baseline.NotApplicable,
			"33093": baseline.Pass, "33143": baseline.Pass, "33144": baseline.Pass, "33146": baseline.Pass, "33149": baseline.Pass},
		"debian-bad": {"33086": baseline.Fail, "33143": baseline.Fail, "33146": baseline.Fail, "33149": baseline.Fail, "33093": baseline.Fail},
	}
	for name, checks := range want {
		dir := copyFixture(t, name)
		testutil.WriteFiles(t, dir, map[string]string{"proc/sys/kernel/ostype": "Linux\n"})
		rep, _ := runBaseline(t, dir, baseline.Options{Policies: []string{sca}})
		for id, st := range checks {
			if c := status(rep, "wazuh-cis_debian12", id); c.Status != st {
				t.Errorf("%s %s: %s %s, want %s", name, id, c.Status, c.Reason, st)
			}
		}
	}
	// Requirements not met (Ubuntu): every check is not applicable.
	rep, _ := runBaseline(t, copyFixture(t, "ubuntu"), baseline.Options{Policies: []string{sca}})
	if p := rep.Policies[0]; p.Counts[baseline.NotApplicable] != len(p.Checks) || !strings.Contains(p.Checks[0].Reason, "requirements not met") {
		t.Errorf("ubuntu: %v %q", p.Counts, p.Checks[0].Reason)
	}
}

func copyRoot(t *testing.T, name string) *rootfs.FS {
	return testutil.OpenRoot(t, copyFixture(t, name))
}

// BenchmarkEvaluate measures policy evaluation alone (Debian 12 L2 and
// 等保 L3 on the compliant fixture, inventory collected once).
func BenchmarkEvaluate(b *testing.B) {
	dir := copyFixture(b, "debian-good")
	res, err := scan.Run(context.Background(), scan.Options{Root: dir, Collectors: all.Collectors(), Only: []string{"host", "accounts", "os", "system"}})
	if err != nil {
		b.Fatal(err)
	}
	sel, _, err := baseline.Select(baseline.Options{Policies: []string{"debian12-l2", "mlps-l3"}}, res.Inventory)
	if err != nil {
		b.Fatal(err)
	}
	fsys := testutil.OpenRoot(b, dir)
	b.ResetTimer()
	for b.Loop() {
		baseline.Evaluate(probe.NewTarget(context.Background(), fsys, false, "", res.Inventory), sel)
	}
}

var hashLike = regexp.MustCompile(`\$(1|5|6|y|2[aby])\$`)
