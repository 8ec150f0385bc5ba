package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline/policies"
)

// TestShippedPolicies loads, validates and resolves every embedded policy,
// so content written by anyone is checked: unique ids, both languages,
// remediation, valid probes and fixes, defined parameters.
func TestShippedPolicies(t *testing.T) {
	lib := NewLibrary()
	lib.AddFS(policies.FS, ".", "policies/")
	for _, err := range lib.Errors {
		t.Error(err)
	}
	if len(lib.IDs()) == 0 {
		t.Fatal("no policies embedded")
	}
	for _, id := range lib.IDs() {
		p, err := lib.Lookup(id)
		if err != nil {
			t.Error(err)
			continue
		}
		if m := lib.Meta(id); m == nil || m.ID != id || m.Level != p.Level || m.Framework != p.Framework || (m.Select == nil) != (p.Select == nil) {
			t.Errorf("%s: header read for auto-selection differs from the policy", id)
		}
		r, err := lib.Resolve(p)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		seen := map[string]bool{}
		for _, c := range r.Checks {
			if seen[c.ID] {
				t.Errorf("%s: check %s twice after resolving", id, c.ID)
			}
			seen[c.ID] = true
			if !c.Manual && len(c.Probes) == 0 {
				t.Errorf("%s: check %s has no probes", id, c.ID)
			}
			// Shipped content carries a rationale and references too.
			if c.Rationale.EN == "" || c.Rationale.ZH == "" {
				t.Errorf("%s: check %s needs rationale.en and rationale.zh", id, c.ID)
			}
			if len(c.References) == 0 {
				t.Errorf("%s: check %s has no references", id, c.ID)
			}
		}
	}
}

const good = `id: t1
title: {en: T, zh: 测}
parameters:
  max_days: {default: "90"}
checks:
  - id: a
    title: {en: A, zh: 甲}
    description: {en: A, zh: 甲}
    severity: low
    probes:
      - keyvalue: {paths: [/etc/login.defs], syntax: space, key: PASS_MAX_DAYS, op: le, value: "${max_days}"}
    remediation: "PASS_MAX_DAYS 90"
`

func TestParseErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, data string
		line       int
		reason     string
	}{
		{"unknown field", good + "    bogus: 1\n", 13, "field bogus not found"},
		{"duplicate id", good + strings.Replace(good[strings.Index(good, "  - id: a"):], "", "", 1), 13, `check id "a" repeats`},
		{"no zh", strings.Replace(good, "title: {en: A, zh: 甲}", "title: {en: A}", 1), 6, "title.en and title.zh"},
		{"no remediation", strings.Replace(good, `remediation: "PASS_MAX_DAYS 90"`, "", 1), 6, "needs a remediation"},
		{"two probe kinds", strings.Replace(good, "      - keyvalue:", "      - sysctl: {key: a}\n        keyvalue:", 1), 6, "exactly one type"},
		{"bad regex", strings.Replace(good, `op: le, value: "${max_days}"`, `op: match, value: "(["`, 1), 6, "regex"},
		{"bad op", strings.Replace(good, `op: le`, `op: about`, 1), 6, `op "about"`},
		{"bad severity", strings.Replace(good, `severity: low`, `severity: dire`, 1), 9, "unknown severity"},
		{"bad file gate glob", strings.Replace(good, "    severity: low\n", "    severity: low\n    applies: [{file: [\"/opt/apache-tomcat-[9/conf/server.xml\"]}]\n", 1), 6, "file gate"},
		{"relative file gate", strings.Replace(good, "    severity: low\n", "    severity: low\n    applies: [{file: [opt/x]}]\n", 1), 6, "absolute path"},
		{"syntax", "id: [", 1, ""},
		{"command not allowed", strings.Replace(good, `- keyvalue: {paths: [/etc/login.defs], syntax: space, key: PASS_MAX_DAYS, op: le, value: "${max_days}"}`, `- command: {argv: [/bin/sh, -c, id], match: x}`, 1), 6, "allow-list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(c.data))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("want *Error, got %v", err)
			}
			if pe.File != "p.yaml" || pe.Line != c.line || !strings.Contains(pe.Reason, c.reason) {
				t.Errorf("got %q (line %d), want line %d containing %q", err, pe.Line, c.line, c.reason)
			}
		})
	}
}

func TestLibraryKeepsGoingAfterABadPolicy(t *testing.T) {
	lib := NewLibrary()
	lib.Add("bad.yaml", []byte("id: bad\ntitle: {en: x}\n"))
	if _, err := lib.Add("good.yaml", []byte(good)); err != nil {
		t.Fatal(err)
	}
	if len(lib.Errors) != 1 || !strings.HasPrefix(lib.Errors[0].Error(), "bad.yaml:") {
		t.Fatalf("errors: %v", lib.Errors)
	}
	if _, ok := lib.Get("t1"); !ok {
		t.Fatal("good policy not loaded")
	}
}

func TestResolveIncludeDisableOverride(t *testing.T) {
	lib := NewLibrary()
	if _, err := lib.Add("base.yaml", []byte(good+`  - id: b
    title: {en: B, zh: 乙}
    description: {en: B, zh: 乙}
    manual: true
    remediation: "ask"
`)); err != nil {
		t.Fatal(err)
	}
	custom := `id: mine
title: {en: Mine, zh: 我的}
include: [t1]
disable: [b]
parameters:
  max_days: "180"
`
	p, err := lib.Add("mine.yaml", []byte(custom))
	if err != nil {
		t.Fatal(err)
	}
	r, err := lib.Resolve(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Checks) != 1 || r.Checks[0].ID != "a" || r.Params["max_days"] != "180" {
		t.Fatalf("resolved: %d checks, params %v", len(r.Checks), r.Params)
	}
	bad, _ := lib.Add("bad.yaml", []byte(strings.Replace(custom, `"180"`, `"soon"`, 1)+"id2: x\n"))
	if bad != nil {
		t.Fatal("unknown top-level field accepted")
	}
	p2, err := lib.Add("bad2.yaml", []byte(strings.Replace(strings.Replace(custom, `"180"`, `"soon"`, 1), "id: mine", "id: mine2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Resolve(p2); err == nil || !strings.Contains(err.Error(), "needs a number") {
		t.Fatalf("override to a non-number: %v", err)
	}
	cyc, _ := lib.Add("cyc.yaml", []byte("id: cyc\ntitle: {en: c, zh: c}\ninclude: [cyc]\n"))
	if _, err := lib.Resolve(cyc); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("cycle: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	data, _ := policies.FS.ReadFile("debian12-l1.yaml")
	f.Add(data)
	f.Add([]byte("id: x\ntitle: {en: a, zh: b}\ninclude: [y]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.yaml", data)
		if err == nil {
			lib := NewLibrary()
			lib.Put(p)
			lib.Resolve(p)
		} else if !strings.HasPrefix(err.Error(), "f.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
