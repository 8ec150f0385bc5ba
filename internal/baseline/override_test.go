package baseline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/model"
)

// Parameter overrides (--set, task "overrides") change what a check
// accepts: PASS_MAX_DAYS 120 passes with a limit of 180 and fails with 90.
func TestParameterOverrides(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"etc/os-release": "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
		"etc/login.defs": "PASS_MAX_DAYS 120\nPASS_MIN_DAYS 1\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const pol, check = "debian12-l1", "login-defs-pass-max-days"
	for _, tt := range []struct {
		set   map[string]string
		want  baseline.Status
		title string
	}{
		{nil, baseline.Pass, "365 days"}, // the shipped default
		{map[string]string{"password_max_days": "180"}, baseline.Pass, "180 days"},
		{map[string]string{"password_max_days": "90"}, baseline.Fail, "90 days"},
	} {
		rep, _ := runBaseline(t, dir, baseline.Options{Policies: []string{pol}, Overrides: tt.set})
		c := status(rep, pol, check)
		if c.Status != tt.want || !strings.Contains(c.Title, tt.title) {
			t.Errorf("%v: %s %q (%s), want %s with %q in the title", tt.set, c.Status, c.Title, c.Reason, tt.want, tt.title)
		}
		if tt.want == baseline.Fail && !strings.Contains(c.Reason, `"120"`) {
			t.Errorf("%v: reason %q should name the value found", tt.set, c.Reason)
		}
	}

	inv := &model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: "debian", Version: "12"}}}
	for _, tt := range []struct {
		opts baseline.Options
		err  string
	}{
		{baseline.Options{Policies: []string{pol}, Overrides: map[string]string{"password_max_dayz": "180"}}, `unknown baseline parameter password_max_dayz`},
		{baseline.Options{Policies: []string{"redis"}, Overrides: map[string]string{"password_max_days": "180"}}, "not declared by the selected policies (redis)"},
		{baseline.Options{Overrides: map[string]string{"nope": "1"}}, "unknown baseline parameter nope"},
		{baseline.Options{Policies: []string{pol}, Overrides: map[string]string{"password_max_days": "1\n2"}}, "one line"},
		{baseline.Options{Policies: []string{pol}, Overrides: map[string]string{"bad name": "1"}}, `parameter "bad name"`},
	} {
		_, _, err := baseline.Select(tt.opts, inv)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%v: error %v, want %q", tt.opts, err, tt.err)
		}
	}
	// With auto selection, a real parameter of a policy this host did not
	// get is a warning, not an error (one fleet task, many kinds of host).
	_, warns, err := baseline.Select(baseline.Options{Policies: []string{"auto"}, Overrides: map[string]string{"password_max_days": "180"}},
		&model.Inventory{Host: &model.Host{OS: model.OSRelease{ID: "plan9", Version: "4"}}})
	if err != nil || !strings.Contains(strings.Join(warns, "\n"), "password_max_days: not used") {
		t.Errorf("auto on a host without the parameter: %v %v", err, warns)
	}
}
