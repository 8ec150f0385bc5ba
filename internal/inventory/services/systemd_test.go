package services

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

const (
	etc = "etc/systemd/system/"
	usr = "usr/lib/systemd/system/"
	lib = "lib/systemd/system/"
)

func svcUnit(exec string, install ...string) string {
	s := "[Unit]\nDescription=test\n[Service]\nExecStart=" + exec + "\n"
	if len(install) > 0 {
		s += "[Install]\n" + lines(install...)
	}
	return s
}

func collectRoot(t *testing.T, fsys *rootfs.FS) (map[string]model.Service, []model.Warning) {
	t.Helper()
	env, warns := inventory.TestEnv(fsys, "system/services")
	inv, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.Service{}
	for _, s := range inv.Services {
		out[s.Name+"/"+s.Manager] = s
	}
	return out, *warns
}

func TestEnabledStates(t *testing.T) {
	fsys := makeRoot(t,
		file(usr+"wanted.service", svcUnit("/bin/wanted", "WantedBy=multi-user.target")),
		link(etc+"multi-user.target.wants/wanted.service", "/usr/lib/systemd/system/wanted.service"),
		file(usr+"plain.service", svcUnit("/bin/plain", "WantedBy=multi-user.target")),
		file(usr+"static.service", svcUnit("/bin/static")),
		file(usr+"indirect.service", svcUnit("/bin/indirect", "Also=plain.service")),
		file(usr+"vendor-masked.service", ""), // empty file: masked
		file(usr+"etc-masked.service", svcUnit("/bin/m", "WantedBy=multi-user.target")),
		link(etc+"etc-masked.service", "/dev/null"),
		link(usr+"alias-vendor.service", "plain.service"),
		file(usr+"aliased.service", svcUnit("/bin/aliased", "Alias=nick.service")),
		link(etc+"nick.service", "/usr/lib/systemd/system/aliased.service"),
		file(usr+"getty@.service", svcUnit("-/sbin/agetty %I", "WantedBy=getty.target")),
		link(etc+"getty.target.wants/getty@tty1.service", "/usr/lib/systemd/system/getty@.service"),
		link(etc+"getty.target.wants/getty@tty2.service", "../../../../usr/lib/systemd/system/getty@.service"),
		file("opt/app/linked.service", svcUnit("/opt/app/run", "WantedBy=multi-user.target")),
		link(etc+"linked.service", "/opt/app/linked.service"),
		file("run/systemd/generator/gen.service", svcUnit("/bin/gen")),
		file("run/systemd/transient/run-u1.service", svcUnit("/bin/transient")),
		file("run/systemd/system/runtime.service", svcUnit("/bin/rt", "WantedBy=multi-user.target")),
		link("run/systemd/system/multi-user.target.wants/runtime.service", "../runtime.service"),
		link(etc+"dangling.service", "/usr/lib/systemd/system/nope.service"),
		link(etc+"multi-user.target.wants/gone.service", "/usr/lib/systemd/system/gone.service"),
		file(usr+"notes.txt", "not a unit"),
		dir(usr+"weird.service"),
	)
	got, warns := collectRoot(t, fsys)
	want := map[string]string{
		"wanted.service":        StateEnabled,
		"plain.service":         StateDisabled,
		"static.service":        StateStatic,
		"indirect.service":      StateIndirect,
		"vendor-masked.service": StateMasked,
		"etc-masked.service":    StateMasked,
		"alias-vendor.service":  StateAlias,
		"aliased.service":       StateEnabled, // enabled through its Alias= link
		"nick.service":          StateAlias,
		"getty@.service":        StateEnabled,
		"getty@tty1.service":    StateEnabled,
		"getty@tty2.service":    StateEnabled,
		"linked.service":        StateLinked,
		"gen.service":           StateGenerated,
		"run-u1.service":        StateTransient,
		"runtime.service":       StateEnabled,
	}
	for name, state := range want {
		s, ok := got[name+"/systemd"]
		if !ok {
			t.Errorf("%s: missing", name)
			continue
		}
		if s.Enabled != state {
			t.Errorf("%s: enabled = %q, want %q", name, s.Enabled, state)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d services, want %d: %v", len(got), len(want), keys(got))
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	// Details of a few records.
	checks := []model.Service{
		{Name: "getty@tty1.service", Manager: "systemd", Enabled: StateEnabled, Description: "test", ExecStart: "/sbin/agetty %I", UnitFile: "/usr/lib/systemd/system/getty@.service"},
		{Name: "etc-masked.service", Manager: "systemd", Enabled: StateMasked, UnitFile: "/etc/systemd/system/etc-masked.service"},
		{Name: "nick.service", Manager: "systemd", Enabled: StateAlias, Description: "test", ExecStart: "/bin/aliased", UnitFile: "/usr/lib/systemd/system/aliased.service"},
		{Name: "linked.service", Manager: "systemd", Enabled: StateLinked, Description: "test", ExecStart: "/opt/app/run", UnitFile: "/opt/app/linked.service"},
	}
	for _, want := range checks {
		if diff := cmp.Diff(want, got[want.Name+"/systemd"]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.Name, diff)
		}
	}
}

func keys(m map[string]model.Service) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestPrecedenceAndDropIns(t *testing.T) {
	fsys := makeRoot(t,
		// /etc overrides the vendor file of the same name.
		file(usr+"app.service", svcUnit("/usr/bin/app", "WantedBy=multi-user.target")+"[Service]\nUser=app\n"),
		file(etc+"app.service", svcUnit("/usr/local/bin/app-patched", "WantedBy=multi-user.target")),
		// Drop-ins: reset and replace ExecStart, set User; same-name
		// drop-in in /etc hides the vendor one; /dev/null drop-in masks.
		file(usr+"web.service", svcUnit("/usr/sbin/web -a")+"[Service]\nUser=www\n"),
		file(usr+"web.service.d/10-vendor.conf", "[Service]\nUser=vendor\n"),
		file(etc+"web.service.d/10-vendor.conf", "[Service]\nEnvironment=X=1\n"),
		file(etc+"web.service.d/50-override.conf", "[Service]\nExecStart=\nExecStart=/tmp/evil --flag\n"),
		file(usr+"web.service.d/60-user.conf", "[Service]\nUser=root\n"),
		link(etc+"web.service.d/60-user.conf", "/dev/null"),
		file(usr+"web.service.d/notes.txt", "[Service]\nUser=ignored\n"),
		// Type-wide and dash-prefix drop-ins.
		file(usr+"foo-bar-baz.service", svcUnit("/bin/fbb")),
		file(usr+"service.d/00-all.conf", "[Unit]\nDescription=from type drop-in\n"),
		file(usr+"foo-.service.d/10-prefix.conf", "[Service]\nUser=foo\n"),
		file(usr+"foo-bar-.service.d/20-prefix.conf", "[Service]\nUser=foobar\n"),
		// Template drop-in applies to instances.
		file(usr+"worker@.service", svcUnit("/bin/worker %i", "WantedBy=multi-user.target")),
		file(usr+"worker@.service.d/user.conf", "[Service]\nUser=worker\n"),
		link(etc+"multi-user.target.wants/worker@1.service", "/usr/lib/systemd/system/worker@.service"),
	)
	got, warns := collectRoot(t, fsys)
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	tests := []struct {
		name, exec, user, unitFile string
		dropIns                    []string
	}{
		{"app.service", "/usr/local/bin/app-patched", "", "/etc/systemd/system/app.service", []string{
			"/usr/lib/systemd/system/service.d/00-all.conf",
		}},
		{"web.service", "/tmp/evil --flag", "www", "/usr/lib/systemd/system/web.service", []string{
			"/usr/lib/systemd/system/service.d/00-all.conf",
			"/etc/systemd/system/web.service.d/10-vendor.conf",
			"/etc/systemd/system/web.service.d/50-override.conf",
		}},
		{"foo-bar-baz.service", "/bin/fbb", "foobar", "/usr/lib/systemd/system/foo-bar-baz.service", []string{
			"/usr/lib/systemd/system/service.d/00-all.conf",
			"/usr/lib/systemd/system/foo-.service.d/10-prefix.conf",
			"/usr/lib/systemd/system/foo-bar-.service.d/20-prefix.conf",
		}},
		{"worker@1.service", "/bin/worker %i", "worker", "/usr/lib/systemd/system/worker@.service", []string{
			"/usr/lib/systemd/system/service.d/00-all.conf",
			"/usr/lib/systemd/system/worker@.service.d/user.conf",
		}},
	}
	for _, tt := range tests {
		s := got[tt.name+"/systemd"]
		if s.ExecStart != tt.exec || s.User != tt.user || s.UnitFile != tt.unitFile {
			t.Errorf("%s: exec %q user %q file %q; want %q %q %q", tt.name, s.ExecStart, s.User, s.UnitFile, tt.exec, tt.user, tt.unitFile)
		}
		if diff := cmp.Diff(tt.dropIns, s.DropIns); diff != "" {
			t.Errorf("%s drop-ins (-want +got):\n%s", tt.name, diff)
		}
	}
	if d := got["foo-bar-baz.service/systemd"].Description; d != "from type drop-in" {
		t.Errorf("type drop-in description = %q", d)
	}
}

// TestMergedUsr checks /lib -> usr/lib is read once, reported under the
// higher-precedence /lib name.
func TestMergedUsr(t *testing.T) {
	fsys := makeRoot(t,
		link("lib", "usr/lib"),
		file(usr+"ssh.service", svcUnit("/usr/sbin/sshd -D", "WantedBy=multi-user.target")),
		link(etc+"multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service"),
	)
	units := LoadUnits(fsys, nil)
	var dirs []string
	for _, d := range units.Dirs() {
		dirs = append(dirs, d.Path)
	}
	if diff := cmp.Diff([]string{"/etc/systemd/system", "/lib/systemd/system"}, dirs); diff != "" {
		t.Errorf("dirs (-want +got):\n%s", diff)
	}
	got, _ := collectRoot(t, fsys)
	if len(got) != 1 {
		t.Fatalf("got %d services, want 1: %v", len(got), keys(got))
	}
	s := got["ssh.service/systemd"]
	if s.UnitFile != "/lib/systemd/system/ssh.service" || s.Enabled != StateEnabled {
		t.Errorf("got %+v", s)
	}
}

// TestLinksStayInRoot: a unit linked to an absolute host path resolves inside
// the scanned root, never on the host.
func TestLinksStayInRoot(t *testing.T) {
	fsys := makeRoot(t,
		link(etc+"escape.service", "/../../../../../../etc/hostname"),
		link(etc+"loop.service", "loop2.service"),
		link(etc+"loop2.service", "loop.service"),
	)
	got, warns := collectRoot(t, fsys)
	if len(got) != 0 {
		t.Errorf("got services %v", keys(got))
	}
	if len(warns) != 2 {
		t.Errorf("want a warning per looping link, got %v", warns)
	}
}

func TestMalformedUnitWarns(t *testing.T) {
	fsys := makeRoot(t,
		file(etc+"bad.service", "[Service]\nExecStart=/bin/ok\ngarbage line\n"),
		file(etc+"big.service", "[Service]\nExecStart=/bin/x\n#"+string(make([]byte, MaxUnitFile))),
	)
	got, warns := collectRoot(t, fsys)
	if s := got["bad.service/systemd"]; s.ExecStart != "/bin/ok" {
		t.Errorf("bad.service = %+v", s)
	}
	if _, ok := got["big.service/systemd"]; ok {
		t.Error("oversized unit was read")
	}
	want := []model.Warning{
		{Collector: "system/services", Path: "/etc/systemd/system/bad.service", Message: "line 3: missing '='"},
		{Collector: "system/services", Path: "/etc/systemd/system/big.service", Message: "read: file exceeds size limit (1048576 bytes)"},
	}
	if diff := cmp.Diff(want, warns); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
