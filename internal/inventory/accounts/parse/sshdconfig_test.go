package parse

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSSHDConfig(t *testing.T) {
	in := "Include /etc/ssh/sshd_config.d/*.conf\n" +
		"#AuthorizedKeysFile .ssh/x\n" +
		"  authorizedkeysfile=.ssh/authorized_keys \"%h/.ssh/my keys\" # two files\n" +
		"Match User sftp\n" +
		"\tAuthorizedKeysFile /etc/ssh/keys/%u\n" +
		"Banner \"unterminated\n"
	dirs, errs, err := ParseSSHDConfig(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []SSHDDirective{
		{Keyword: "include", Args: []string{"/etc/ssh/sshd_config.d/*.conf"}, Line: 1},
		{Keyword: "authorizedkeysfile", Args: []string{".ssh/authorized_keys", "%h/.ssh/my keys"}, Line: 3},
		{Keyword: "match", Args: []string{"User", "sftp"}, Line: 4, InMatch: true},
		{Keyword: "authorizedkeysfile", Args: []string{"/etc/ssh/keys/%u"}, Line: 5, InMatch: true},
	}
	if diff := cmp.Diff(want, dirs); diff != "" {
		t.Errorf("directives (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || errs[0].Line != 6 {
		t.Errorf("errors = %v", errs)
	}
}

func TestExpandAuthorizedKeysPath(t *testing.T) {
	tests := []struct {
		pattern, want, err string
	}{
		{".ssh/authorized_keys", "/home/alice/.ssh/authorized_keys", ""},
		{"%h/.ssh/keys_%u", "/home/alice/.ssh/keys_alice", ""},
		{"/etc/ssh/keys/%u.%U", "/etc/ssh/keys/alice.1000", ""},
		{"/etc/ssh/100%%/%u", "/etc/ssh/100%/alice", ""},
		{"/etc/ssh/%x", "", "unknown token"},
		{"/etc/ssh/%", "", "trailing %"},
	}
	for _, tt := range tests {
		got, err := ExpandAuthorizedKeysPath(tt.pattern, "/home/alice/", "alice", 1000)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v", tt.pattern, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s = %q, %v; want %q", tt.pattern, got, err, tt.want)
		}
	}
}
