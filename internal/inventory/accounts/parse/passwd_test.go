package parse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func fixture(t testing.TB, root, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata", "roots", root, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParsePasswdFixtures(t *testing.T) {
	tests := []struct {
		root      string
		count     int
		uid0      []string
		lastName  string
		lastShell string
	}{
		{"debian", 31, []string{"root", "toor"}, "newhire", "/bin/bash"},
		{"rhel", 27, []string{"root"}, "legacy", "/bin/ksh"},
		{"alpine", 20, []string{"root"}, "ops", "/bin/ash"},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			entries, errs, err := ParsePasswd(strings.NewReader(string(fixture(t, tt.root, "etc/passwd"))))
			if err != nil || len(errs) != 0 {
				t.Fatalf("err=%v line errors=%v", err, errs)
			}
			if len(entries) != tt.count {
				t.Fatalf("got %d entries, want %d", len(entries), tt.count)
			}
			var uid0 []string
			for _, e := range entries {
				if e.UID == 0 {
					uid0 = append(uid0, e.Name)
				}
			}
			if diff := cmp.Diff(tt.uid0, uid0); diff != "" {
				t.Errorf("uid 0 accounts (-want +got):\n%s", diff)
			}
			last := entries[len(entries)-1]
			if last.Name != tt.lastName || last.Shell != tt.lastShell || last.Line != tt.count {
				t.Errorf("last entry = %+v", last)
			}
		})
	}
}

func TestParsePasswdEdgeCases(t *testing.T) {
	long := "big:x:1:1:" + strings.Repeat("g", MaxPasswdLine) + ":/:/bin/sh"
	in := strings.Join([]string{
		"# comment",
		"",
		"   ",
		"root:x:0:0:root:/root:/bin/bash\r", // CRLF
		"+",                                 // NIS compat
		"+@admins::::::",
		"-baduser::::::",
		"  alice:x:1000:1000:Alice:/home/alice:/bin/bash", // leading blanks, as glibc skips
		"evil:x:0:0", // truncated: glibc still makes it root
		"legacy:$1$QchHQHRO$GSVSLNNdtuyvwCvlawRbL1:1001:1001::/home/legacy:/bin/sh",
		"nopw::1002:1002::/home/nopw:",
		"old:##old:1003:1003::/:/bin/sh",
		"short:x:1004",
		":x:1005:1005::/:/bin/sh",
		"badid:x:-1:1::/:/bin/sh",
		"huge:x:4294967295:1::/:/bin/sh",
		"max:x:4294967294:1::/:/bin/sh",
		"colon:x:1006:1006::/home/c:/bin/sh:extra",
		long,
		"last:x:1007:1007::/home/last:/bin/sh", // no trailing newline
	}, "\n")
	entries, errs, err := ParsePasswd(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name     string
		Shadowed bool
		Password model.PasswordState
		Scheme   string
		UID      int
		Shell    string
		Line     int
	}
	var got []row
	for _, e := range entries {
		got = append(got, row{e.Name, e.Shadowed, e.Password, e.Scheme, e.UID, e.Shell, e.Line})
	}
	want := []row{
		{"root", true, "", "", 0, "/bin/bash", 4},
		{"alice", true, "", "", 1000, "/bin/bash", 8},
		{"evil", true, "", "", 0, "", 9},
		{"legacy", false, model.PasswordSet, "md5crypt", 1001, "/bin/sh", 10},
		{"nopw", false, model.PasswordEmpty, "", 1002, "", 11},
		{"old", true, "", "", 1003, "/bin/sh", 12},
		{"max", false, model.PasswordDisabled, "", 4294967294, "/bin/sh", 17},
		{"colon", true, "", "", 1006, "/bin/sh:extra", 18},
		{"last", true, "", "", 1007, "/bin/sh", 20},
	}
	// "max" has "x" as password: shadowed.
	want[6].Shadowed, want[6].Password = true, ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	wantErrs := []int{9, 13, 14, 15, 16, 18, 19}
	var gotErrs []int
	for _, e := range errs {
		gotErrs = append(gotErrs, e.Line)
	}
	if diff := cmp.Diff(wantErrs, gotErrs); diff != "" {
		t.Errorf("error lines (-want +got):\n%s\n%v", diff, errs)
	}
	for _, e := range errs {
		if strings.Contains(e.Error(), "QchHQHRO") {
			t.Errorf("error quotes a hash: %v", e)
		}
	}
}

func fixturePath(root, name string) string {
	return filepath.Join(testutil.RepoRoot(), "testdata", "roots", root, name)
}
