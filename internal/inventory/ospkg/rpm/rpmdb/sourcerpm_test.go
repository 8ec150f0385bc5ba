package rpmdb

import (
	"strings"
	"testing"
)

func TestParseSourceRPM(t *testing.T) {
	tests := []struct {
		in                     string
		name, version, release string
		ok                     bool
	}{
		{in: "bash-5.1.8-2.cm2.src.rpm", name: "bash", version: "5.1.8", release: "2.cm2", ok: true},
		{in: "util-linux-2.32.1-42.el8_8.src.rpm", name: "util-linux", version: "2.32.1", release: "42.el8_8", ok: true},
		{in: "python-setuptools-wheel-53.0.0-12.el9.src.rpm", name: "python-setuptools-wheel", version: "53.0.0", release: "12.el9", ok: true},
		{in: "kernel-5.14.0-362.8.1.el9_3.src.rpm", name: "kernel", version: "5.14.0", release: "362.8.1.el9_3", ok: true},
		{in: "glibc-2.34-60.el9.nosrc.rpm", name: "glibc", version: "2.34", release: "60.el9", ok: true},
		{in: "a-1-2.src.rpm", name: "a", version: "1", release: "2", ok: true},
		{in: "perl-Digest-MD5-2.58-4.el9.src.rpm", name: "perl-Digest-MD5", version: "2.58", release: "4.el9", ok: true},
		{in: "", ok: false},
		{in: "(none)", ok: false},
		{in: "bash.src.rpm", ok: false},
		{in: "bash-5.1.src.rpm", ok: false},
		{in: "-5.1-2.src.rpm", ok: false},
		{in: "bash--2.src.rpm", ok: false},
		{in: "bash-5.1-.src.rpm", ok: false},
		{in: "bash-5.1-2.x86_64.rpm", ok: false},
		{in: "bash-5.1-2.src", ok: false},
		{in: "bash 5.1-2.src.rpm", ok: false},
		{in: "bash-5.1-2\n.src.rpm", ok: false},
		{in: ".src.rpm", ok: false},
		{in: "--.src.rpm", ok: false},
	}
	for _, tt := range tests {
		name, version, release, ok := ParseSourceRPM(tt.in)
		if ok != tt.ok || name != tt.name || version != tt.version || release != tt.release {
			t.Errorf("ParseSourceRPM(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tt.in, name, version, release, ok, tt.name, tt.version, tt.release, tt.ok)
		}
	}
}

// FuzzParseSourceRPM: when a name parses, its parts are non-empty, free
// of dashes where rpm forbids them, and rebuild the input.
func FuzzParseSourceRPM(f *testing.F) {
	for _, s := range []string{"bash-5.1.8-2.cm2.src.rpm", "util-linux-2.32.1-42.el8_8.src.rpm", "glibc-2.34-60.el9.nosrc.rpm", "a--.src.rpm", "", "-.src.rpm"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, version, release, ok := ParseSourceRPM(s)
		if !ok {
			if name != "" || version != "" || release != "" {
				t.Fatalf("not ok but returned %q %q %q", name, version, release)
			}
			return
		}
		if name == "" || version == "" || release == "" || strings.Contains(version, "-") || strings.Contains(release, "-") {
			t.Fatalf("ParseSourceRPM(%q) = %q %q %q", s, name, version, release)
		}
		rebuilt := name + "-" + version + "-" + release
		if s != rebuilt+".src.rpm" && s != rebuilt+".nosrc.rpm" {
			t.Fatalf("ParseSourceRPM(%q) parts rebuild %q", s, rebuilt)
		}
	})
}
