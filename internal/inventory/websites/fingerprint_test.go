package websites

import (
	"strings"
	"testing"
)

func TestBuiltinAppFingerprints(t *testing.T) {
	fps, err := DefaultAppFingerprints()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, fp := range fps {
		have[fp.Name] = true
	}
	for _, name := range []string{"wordpress", "drupal", "joomla", "laravel", "thinkphp", "phpmyadmin", "django", "flask", "express"} {
		if !have[name] {
			t.Errorf("no fingerprint for %s", name)
		}
	}
}

func TestParseAppFingerprintsErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"bad yaml", "- name: [", "mine.yaml: "},
		{"unknown key", "- name: x\n  language: php\n  al: []\n", "field al not found"},
		{"no markers", "- name: x\n  language: php\n", "needs all or any markers"},
		{"bad language", "- name: x\n  language: cobol\n  all: [{file: a}]\n", `unknown language "cobol"`},
		{"absolute marker", "- name: x\n  language: php\n  all: [{file: /etc/passwd}]\n", "must be relative"},
		{"climbing marker", "- name: x\n  language: php\n  all: [{file: ../../etc/shadow}]\n", "must not contain .."},
		{"regex without group", "- name: x\n  language: php\n  all: [{file: a}]\n  versions: [{file: a, regex: 'v1'}]\n", "has no group"},
		{"two sources", "- name: x\n  language: php\n  all: [{file: a}]\n  versions: [{file: a, package: b, regex: '(1)'}]\n", "exactly one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAppFingerprints("mine.yaml", []byte(tt.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), "mine.yaml: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want mine.yaml prefix and %q", err, tt.want)
			}
		})
	}
}
