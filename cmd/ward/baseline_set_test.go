package main

import (
	"strings"
	"testing"
)

// --set overrides a policy parameter: the fixture's PASS_MAX_DAYS 99999
// fails the limit of 90 with the overridden value in title and reason; a
// name no selected policy declares is a detector error naming it.
func TestScanBaselineSet(t *testing.T) {
	code, out, errOut := runWard(t, "scan", "--root", debianRoot(), "--baseline", "--policy", "debian12-l1", "--set", "password_max_days=90", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "New passwords expire within 90 days") || !strings.Contains(out, `PASS_MAX_DAYS is \"99999\", want le \"90\"`) {
		t.Errorf("override not applied:\n%.2000s", out)
	}
	_, out, _ = runWard(t, "scan", "--root", debianRoot(), "--baseline", "--policy", "debian12-l1", "--set", "password_max_dayz=90")
	if !strings.Contains(out, "unknown baseline parameter password_max_dayz") {
		t.Errorf("unknown parameter not reported:\n%s", out)
	}
	if code, _, errOut := runWard(t, "scan", "--baseline", "--set", "novalue"); code == 0 || !strings.Contains(errOut, "NAME=VALUE") {
		t.Errorf("--set novalue: exit %d %s", code, errOut)
	}
}
