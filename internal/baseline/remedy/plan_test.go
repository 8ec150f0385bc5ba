package remedy

import (
	"strings"
	"testing"
)

func TestSetKey(t *testing.T) {
	cases := []struct {
		in, key, value, syntax, want string
	}{
		{"PermitRootLogin yes\nX11Forwarding yes\n", "PermitRootLogin", "no", "space", "PermitRootLogin no\nX11Forwarding yes\n"},
		{"#PermitRootLogin yes\nMatch User a\n  PermitRootLogin yes\n", "PermitRootLogin", "no", "space", "#PermitRootLogin yes\nPermitRootLogin no\nMatch User a\n  PermitRootLogin yes\n"},
		{"PASS_MAX_DAYS 99999\nPASS_MAX_DAYS 10\n", "PASS_MAX_DAYS", "90", "space", "PASS_MAX_DAYS 90\nPASS_MAX_DAYS 90\n"},
		{"# minlen = 8\nminlen=6\n", "minlen", "14", "equals", "# minlen = 8\nminlen = 14\n"},
		{"", "deny", "5", "equals", "deny = 5\n"},
		{"a = 1\n", "a", "1", "equals", "a = 1\n"},
	}
	for _, c := range cases {
		e := &fileEdit{data: []byte(c.in)}
		setKey(e, c.key, c.value, c.syntax, true)
		if string(e.data) != c.want {
			t.Errorf("%q: got %q, want %q", c.in, e.data, c.want)
		}
	}
	e := &fileEdit{data: []byte("x\n")}
	if d := appendLine(e, "-e 2"); len(d) != 1 || string(e.data) != "x\n-e 2\n" {
		t.Errorf("append: %q", e.data)
	}
	if d := appendLine(e, " -e 2 "); d != nil {
		t.Error("appended a line already there")
	}
}

func TestSystemctlRunnerRefuses(t *testing.T) {
	for _, argv := range [][]string{{"/bin/sh", "-c", "x"}, {"/usr/bin/systemctl", "mask", "x"}, {"/usr/bin/systemctl", "disable", "--root=/", "x"}, {"/usr/bin/systemctl"}} {
		if _, _, err := SystemctlRunner(t.Context(), argv); err == nil || !strings.Contains(err.Error(), "not allowed") {
			t.Errorf("%q: %v", argv, err)
		}
	}
}
