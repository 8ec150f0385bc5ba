package parse

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/model"
)

func ip(i int) *int { return &i }

func TestParseShadow(t *testing.T) {
	in := strings.Join([]string{
		"root:*:19497:0:99999:7:::",
		"systemd-network:!*:19497::::::",
		"alice:$y$j9T$sJf1fQjlJdSFd73aTURK/.$2yEoL//yO10kDUeO1Cp7AIdv0OncfZuAnm9Z5.j6xo5:19737:0:99999:7:::\r",
		"deploy:$6$gCrpBik82.uGATOA$DLXlWCVNI1.9H1cMD3xfgD/PTbUA17TTrhZstNX79GvISJKgWAA2GyXPKgz6SL/.Ro8IyJd2c8Yeg8SyX9VuW1:19783:1:90:7:14::",
		"olduser:!$y$j9T$8f5YcLHbU9oBT0ENxVA8k1$a0RiA2RSF3HRmDTQ85kdnKHVzXYKHDNdRHjG12rj1Q0:19737:0:99999:7:::",
		"contractor:$y$j9T$b6BgQSiKcc0tRrumBuzoe/$V815Ob632rXRyMuGh4zdmPhDtoFJ1moy8rpcZNiKlL8:20029:0:99999:7::20089:",
		"newhire:$1$QchHQHRO$GSVSLNNdtuyvwCvlawRbL1:0:0:99999:7:::",
		"ops::20100:0:99999:7:::",
		"oldformat:!!:19000:0:99999",              // five fields: accepted (glibc)
		"minimal:*",                               // name and password only
		"neg:*:-1:-1:-1:-1:-1:-1:",                // -1 means empty
		"bad:*:soon:0:99999:7:::",                 // bad number: reported, treated as empty
		"$6$notaname$c2FsdHNhbHRzYWx0c2FsdHNhbHQ", // no colon: a bare hash, never quoted
		"+::::::::",
		"toomany:*:1:2:3:4:5:6:7:8",
	}, "\n")
	entries, errs, err := ParseShadow(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name                 string
		Password             model.PasswordState
		Scheme               string
		Last, Max, Inact, Ex *int
	}
	var got []row
	for _, e := range entries {
		got = append(got, row{e.Name, e.Password, e.Scheme, e.LastChange, e.MaxDays, e.InactiveDays, e.Expire})
	}
	want := []row{
		{"root", model.PasswordDisabled, "", ip(19497), ip(99999), nil, nil},
		{"systemd-network", model.PasswordDisabled, "", ip(19497), nil, nil, nil},
		{"alice", model.PasswordSet, "yescrypt", ip(19737), ip(99999), nil, nil},
		{"deploy", model.PasswordSet, "sha512crypt", ip(19783), ip(90), ip(14), nil},
		{"olduser", model.PasswordLocked, "yescrypt", ip(19737), ip(99999), nil, nil},
		{"contractor", model.PasswordSet, "yescrypt", ip(20029), ip(99999), nil, ip(20089)},
		{"newhire", model.PasswordSet, "md5crypt", ip(0), ip(99999), nil, nil},
		{"ops", model.PasswordEmpty, "", ip(20100), ip(99999), nil, nil},
		{"oldformat", model.PasswordDisabled, "", ip(19000), ip(99999), nil, nil},
		{"minimal", model.PasswordDisabled, "", nil, nil, nil, nil},
		{"neg", model.PasswordDisabled, "", nil, nil, nil, nil},
		{"bad", model.PasswordDisabled, "", nil, ip(99999), nil, nil},
		{"toomany", model.PasswordDisabled, "", ip(1), ip(3), ip(5), ip(6)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	var lines []int
	for _, e := range errs {
		lines = append(lines, e.Line)
		for _, secret := range []string{"notaname", "c2FsdHNh", "QchHQHRO", "sJf1fQjl"} {
			if strings.Contains(e.Error(), secret) {
				t.Errorf("error %q quotes part of a hash", e.Error())
			}
		}
	}
	if diff := cmp.Diff([]int{12, 13, 15}, lines); diff != "" {
		t.Errorf("error lines (-want +got):\n%s\n%v", diff, errs)
	}
}

func TestParseGroup(t *testing.T) {
	in := strings.Join([]string{
		"root:x:0:",
		"sudo:x:27:alice",
		"users:x:100:alice, bob ,,deploy",
		"nomembers:x:5",
		"# comment",
		"bad:x:abc:",
		"short:x",
		"+:::",
		":x:9:",
	}, "\n")
	entries, errs, err := ParseGroup(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []GroupEntry{
		{Name: "root", GID: 0, Line: 1},
		{Name: "sudo", GID: 27, Members: []string{"alice"}, Line: 2},
		{Name: "users", GID: 100, Members: []string{"alice", "bob", "deploy"}, Line: 3},
		{Name: "nomembers", GID: 5, Line: 4},
	}
	if diff := cmp.Diff(want, entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if len(errs) != 3 || errs[0].Line != 6 || errs[1].Line != 7 || errs[2].Line != 9 {
		t.Errorf("errors = %v", errs)
	}
}

func TestParseGroupFixtures(t *testing.T) {
	for root, want := range map[string]int{"debian": 52, "rhel": 46, "alpine": 38} {
		entries, errs, err := ParseGroup(strings.NewReader(string(fixture(t, root, "etc/group"))))
		if err != nil || len(errs) != 0 || len(entries) != want {
			t.Errorf("%s: %d groups (want %d), errs=%v err=%v", root, len(entries), want, errs, err)
		}
	}
}

func TestParseLoginDefs(t *testing.T) {
	d, err := ParseLoginDefs(strings.NewReader(string(fixture(t, "debian", "etc/login.defs"))))
	if err != nil || d != (LoginDefs{UIDMin: 1000, UIDMax: 60000}) {
		t.Errorf("debian login.defs = %+v, %v", d, err)
	}
	d, _ = ParseLoginDefs(strings.NewReader("UID_MIN 500\nUID_MAX\t\"29999\"\nUID_MIN bad\n"))
	if d != (LoginDefs{UIDMin: 500, UIDMax: 29999}) {
		t.Errorf("custom login.defs = %+v", d)
	}
}

func TestScanLinesLongLineDoesNotBuffer(t *testing.T) {
	// A 10 MiB line with no newline must be skipped, not buffered, and the
	// next line still read.
	in := strings.Repeat("a", 10<<20) + "\nok:x:1:1::/:/bin/sh\n"
	entries, errs, err := ParsePasswd(strings.NewReader(in))
	if err != nil || len(entries) != 1 || entries[0].Name != "ok" || len(errs) != 1 {
		t.Fatalf("entries=%v errs=%v err=%v", entries, errs, err)
	}
}
