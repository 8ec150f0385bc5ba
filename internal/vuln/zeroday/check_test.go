package zeroday

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestParseErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top-level field", "id: x\ntitle: t\nseverty: high\nprobes:\n  - file: {path: /x}\n", "c.yaml: line 3: field severty not found"},
		{"unknown probe", "id: x\ntitle: t\nprobes:\n  - registry: {key: y}\n", "c.yaml: line 4: unknown probe \"registry\""},
		{"unknown probe field", "id: x\ntitle: t\nprobes:\n  - file:\n      path: /x\n      mode: 0644\n", "c.yaml: line 6: file probe: unknown field \"mode\""},
		{"relative path", "id: x\ntitle: t\nprobes:\n  - file: {path: etc/passwd}\n", "c.yaml: line 4: file probe: path \"etc/passwd\" must be absolute"},
		{"dot-dot", "id: x\ntitle: t\nprobes:\n  - content: {path: /etc/../x, regex: a}\n", "must not hold .."},
		{"kernel file", "id: x\ntitle: t\nprobes:\n  - content: {path: /proc/kmsg, regex: a}\n", "line 4: content probe: /proc/kmsg: files under /proc/ are not read"},
		{"bad regex", "id: x\ntitle: t\nprobes:\n  - content: {path: /etc/x, regex: '('}\n", "c.yaml: line 4: content probe: regex:"},
		{"shell refused", "id: x\ntitle: t\nprobes:\n  - command: {path: /bin/sh, args: [-c, id], regex: x}\n", "shells, interpreters"},
		{"python refused", "id: x\ntitle: t\nprobes:\n  - command: {path: /usr/bin/python3.11, regex: x}\n", "shells, interpreters"},
		{"command outside system dirs", "id: x\ntitle: t\nprobes:\n  - command: {path: /tmp/evil, regex: x}\n", "commands must live under"},
		{"timeout too long", "id: x\ntitle: t\nprobes:\n  - command: {path: /usr/bin/xz, regex: x, timeout: 2m}\n", "timeout 2m0s"},
		{"bad version", "id: x\ntitle: t\nprobes:\n  - package: {type: maven, name: a, fixed: \"\"}\n  - package: {type: deb, name: a, fixed: \"a:1.0\"}\n", "line 5: package probe: version \"a:1.0\""},
		{"name and source", "id: x\ntitle: t\nprobes:\n  - package: {type: deb, name: a, source: b}\n", "give name or source"},
		{"unknown type", "id: x\ntitle: t\nprobes:\n  - package: {type: gem, name: a}\n", "type \"gem\""},
		{"no probes", "id: x\ntitle: t\n", "at least one probe"},
		{"bad id", "id: 'a b'\ntitle: t\nprobes:\n  - file: {path: /x}\n", "id \"a b\""},
		{"bad severity", "id: x\ntitle: t\nseverity: urgent\nprobes:\n  - file: {path: /x}\n", "unknown severity"},
		{"bad match", "id: x\ntitle: t\nmatch: most\nprobes:\n  - file: {path: /x}\n", "match \"most\""},
		{"two documents", "id: x\ntitle: t\nprobes:\n  - file: {path: /x}\n---\nid: y\n", "line 5: one check per file"},
		{"empty", "", "empty check"},
		{"not a mapping", "- a\n", "c.yaml: line 1:"},
		{"probe with two kinds", "id: x\ntitle: t\nprobes:\n  - file: {path: /x}\n    content: {path: /y, regex: a}\n", "line 4: a probe is one of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "c.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestExamplesLoad(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "docs", "examples", "*.yaml"))
	if len(files) < 2 {
		t.Fatalf("examples: %v", files)
	}
	for _, f := range files {
		if _, err := LoadFile(f); err != nil {
			t.Error(err)
		}
	}
}

const xzCheck = `
id: xz-test
title: xz backdoor
severity: critical
references: [CVE-2024-3094]
probes:
  - package: {type: deb, source: xz-utils, introduced: "5.6.0", fixed: "5.6.1+really5.4.5-1"}
  - file: {path: /usr/lib/x86_64-linux-gnu/liblzma.so.5.6.1}
  - content: {path: /etc/ssh/sshd_config, regex: '^\s*UsePAM\s+yes'}
`

func TestEvaluate(t *testing.T) {
	c, err := Parse([]byte(xzCheck), "xz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := func(v string) []model.Package {
		return []model.Package{{Type: model.PkgDeb, Name: "liblzma5", Version: v, SourceName: "xz-utils", SourceVersion: v}}
	}
	tests := []struct {
		name    string
		files   map[string]string
		pkgs    []model.Package
		exposed bool
		probes  []bool
	}{
		{"vulnerable package only", nil, pkgs("5.6.1-1"), true, []bool{true, false, false}},
		{"fixed backport", nil, pkgs("5.6.1+really5.4.5-1"), false, []bool{false, false, false}},
		{"older release", nil, pkgs("5.4.1-0.2"), false, []bool{false, false, false}},
		{"library file and config", map[string]string{
			"usr/lib/x86_64-linux-gnu/liblzma.so.5.6.1": "elf",
			"etc/ssh/sshd_config":                       "Port 22\n  UsePAM yes\n",
		}, nil, true, []bool{false, true, true}},
		{"config without the pattern", map[string]string{"etc/ssh/sshd_config": "UsePAM no\n"}, nil, false, []bool{false, false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := testutil.TempRoot(t, tc.files)
			res := c.Evaluate(context.Background(), &Env{FS: root, Packages: tc.pkgs})
			if res.Exposed != tc.exposed {
				t.Errorf("exposed %v, want %v: %+v", res.Exposed, tc.exposed, res)
			}
			for i, want := range tc.probes {
				if res.Probes[i].Matched != want {
					t.Errorf("probe %d matched %v, want %v: %+v", i, res.Probes[i].Matched, want, res.Probes[i])
				}
			}
			fs := c.Findings(res)
			if (len(fs) == 1) != tc.exposed {
				t.Fatalf("findings %+v", fs)
			}
			if tc.exposed && (fs[0].Rule != "vuln-check/xz-test" || fs[0].Severity != model.SevCritical || len(fs[0].Evidence) == 0 || fs[0].ID == "") {
				t.Errorf("finding %+v", fs[0])
			}
		})
	}
}

func TestMatchAll(t *testing.T) {
	c, err := Parse([]byte("id: a\ntitle: t\nmatch: all\nprobes:\n  - file: {path: /a}\n  - file: {path: /b}\n"), "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	one := c.Evaluate(context.Background(), &Env{FS: testutil.TempRoot(t, map[string]string{"a": "x"})})
	both := c.Evaluate(context.Background(), &Env{FS: testutil.TempRoot(t, map[string]string{"a": "x", "b": "y"})})
	if one.Exposed || !both.Exposed {
		t.Errorf("match all: one file %v, both %v", one.Exposed, both.Exposed)
	}
}

// A symlink out of the root is not followed by file and content probes.
func TestContentConfinedToRoot(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("UsePAM yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "etc", "ssh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "etc", "ssh", "sshd_config")); err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]byte(xzCheck), "xz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := c.Evaluate(context.Background(), &Env{FS: testutil.OpenRoot(t, dir)})
	if res.Probes[2].Matched {
		t.Errorf("content probe followed a symlink out of the root: %+v", res.Probes[2])
	}
}

func TestCommandProbe(t *testing.T) {
	if _, err := os.Stat("/usr/bin/ls"); err != nil {
		t.Skip("no /usr/bin/ls")
	}
	c, err := Parse([]byte(`id: ls
title: coreutils banner
probes:
  - command: {path: /usr/bin/ls, args: ["--version"], regex: '^ls \(GNU coreutils\) [0-9]'}
`), "ls.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := testutil.OpenRoot(t, "/")
	res := c.Evaluate(context.Background(), &Env{FS: root, Live: true})
	if !res.Exposed || !strings.Contains(res.Probes[0].Evidence[0], "GNU coreutils") {
		t.Errorf("live: %+v", res)
	}
	res = c.Evaluate(context.Background(), &Env{FS: root, Live: false})
	if res.Exposed || res.Probes[0].Skipped == "" {
		t.Errorf("not live: %+v", res)
	}
}

func TestCommandTimeout(t *testing.T) {
	if _, err := os.Stat("/usr/bin/sleep"); err != nil {
		t.Skip("no sleep")
	}
	c, err := Parse([]byte("id: s\ntitle: t\nprobes:\n  - command: {path: /usr/bin/sleep, args: ['20'], regex: x, timeout: 200ms}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := c.Evaluate(context.Background(), &Env{FS: testutil.OpenRoot(t, "/"), Live: true})
	if res.Exposed || !strings.Contains(res.Probes[0].Skipped, "timed out") {
		t.Errorf("%+v", res)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(xzCheck))
	for _, p := range []string{"xz-backdoor.yaml", "regresshion.yaml"} {
		if data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "docs", "examples", p)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("id: x\ntitle: t\nprobes:\n  - command: {path: /usr/bin/xz, args: [a], regex: '(', timeout: 1s}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if c.ID == "" || len(c.Probes) == 0 || (c.Match != "any" && c.Match != "all") {
			t.Fatalf("accepted an invalid check: %+v", c)
		}
		for _, p := range c.Probes {
			if p.Command != nil && (p.Command.re == nil || p.Command.Timeout <= 0) {
				t.Fatalf("command probe not validated: %+v", p.Command)
			}
			if p.Content != nil && p.Content.re == nil {
				t.Fatalf("content probe not validated: %+v", p.Content)
			}
		}
	})
}
