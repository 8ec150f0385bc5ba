package accounts

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory/accounts/parse"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

func warningTexts(ws []model.Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Path+": "+w.Message)
	}
	return out
}

func principalsOf(rules []model.SudoRule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Principal+"@"+r.File)
	}
	return out
}

func TestSudoersIncludes(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		want     []string
		warnings []string // "path|substring"
	}{{
		name: "include loop through two files and a self include",
		files: map[string]string{
			"etc/sudoers":   "root ALL=ALL\n#include /etc/sudoers.a\n",
			"etc/sudoers.a": "a ALL=ALL\n@include /etc/sudoers.b\n@include /etc/sudoers.a\n",
			"etc/sudoers.b": "b ALL=ALL\n#include /etc/sudoers\n",
		},
		want:     []string{"root@/etc/sudoers", "a@/etc/sudoers.a", "b@/etc/sudoers.b"},
		warnings: []string{"/etc/sudoers|include loop", "/etc/sudoers.a|include loop"},
	}, {
		name: "loop through a symlink with another name",
		files: map[string]string{
			"etc/sudoers":        "root ALL=ALL\n#includedir /etc/sudoers.d\n",
			"etc/sudoers.d/back": "->../sudoers",
		},
		want:     []string{"root@/etc/sudoers"},
		warnings: []string{"/etc/sudoers.d/back|include loop"},
	}, {
		name: "includedir skips names with dots and tildes, reads in order; relative include",
		files: map[string]string{
			"etc/sudoers":              "@includedir /etc/sudoers.d\n",
			"etc/sudoers.d/20-b":       "b ALL=ALL\n@include ../sudoers.extra\n",
			"etc/sudoers.d/10-a":       "a ALL=ALL\n",
			"etc/sudoers.d/x.conf":     "dot ALL=ALL\n",
			"etc/sudoers.d/30-c~":      "tilde ALL=ALL\n",
			"etc/sudoers.d/subdir/40":  "nested ALL=ALL\n",
			"etc/sudoers.extra":        "extra ALL=ALL\n",
			"etc/sudoers.d/README":     "# only comments\n",
			"etc/sudoers.d/dangling":   "->/nowhere",
			"etc/sudoers.d/50-escape":  "->../../../../../etc/sudoers.extra",
			"etc/hostname":             "web1.example.com\n",
			"etc/sudoers.d/60-host":    "#include /etc/sudoers.%h\n",
			"etc/sudoers.web1":         "perhost ALL=ALL\n",
			"etc/sudoers.d/70-missing": "#include /etc/sudoers.nothere\n",
		},
		want:     []string{"a@/etc/sudoers.d/10-a", "b@/etc/sudoers.d/20-b", "extra@/etc/sudoers.extra", "perhost@/etc/sudoers.web1"},
		warnings: []string{"/etc/sudoers.nothere|does not exist"},
	}, {
		name:     "deep include chain is cut",
		files:    deepChain(20),
		want:     chainWant(17),
		warnings: []string{"/etc/s17|nested deeper"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := collect(t, testutil.TempRoot(t, tt.files))
			if diff := cmp.Diff(tt.want, principalsOf(r.Inv.Sudoers)); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			for _, w := range tt.warnings {
				path, sub, _ := strings.Cut(w, "|")
				if !testutil.HasWarning(r.Warnings, path, sub) {
					t.Errorf("no warning %q in %v", w, warningTexts(r.Warnings))
				}
			}
		})
	}
}

// deepChain makes /etc/sudoers include /etc/s1, which includes /etc/s2...
func deepChain(n int) map[string]string {
	files := map[string]string{"etc/sudoers": "#include /etc/s1\n"}
	for i := 1; i <= n; i++ {
		files[fmt.Sprintf("etc/s%d", i)] = fmt.Sprintf("u%d ALL=ALL\n#include /etc/s%d\n", i, i+1)
	}
	return files
}

func chainWant(n int) []string {
	var out []string
	for i := 1; i < n; i++ {
		out = append(out, fmt.Sprintf("u%d@/etc/s%d", i, i))
	}
	return out
}

func TestSudoRulesAliasesAndNegation(t *testing.T) {
	r := collect(t, testutil.TempRoot(t, map[string]string{
		"etc/sudoers": `User_Alias ADMINS = alice, OPS
User_Alias OPS = bob, %ops
User_Alias MOST = ALL, !mallory
Cmnd_Alias SHELLS = /bin/sh, /bin/bash
Cmnd_Alias MIXED = /bin/ls, !/bin/rm
ADMINS ALL = (root) NOPASSWD: /usr/bin/apt, !SHELLS, PASSWD: MIXED
MOST ALL = ALL
ALL, !eve ALL = /usr/bin/id
UNDEFINED ALL = ALL
`,
	}))
	type rule struct {
		Principal, Alias, RunAs string
		Commands                []string
		NoPasswd                bool
	}
	var got []rule
	for _, s := range r.Inv.Sudoers {
		got = append(got, rule{s.Principal, s.Alias, s.RunAs, s.Commands, s.NoPasswd})
	}
	want := []rule{
		{"alice", "ADMINS", "root", []string{"/usr/bin/apt", "!/bin/sh", "!/bin/bash"}, true},
		{"alice", "ADMINS", "root", []string{"MIXED"}, false},
		{"bob", "ADMINS", "root", []string{"/usr/bin/apt", "!/bin/sh", "!/bin/bash"}, true},
		{"bob", "ADMINS", "root", []string{"MIXED"}, false},
		{"%ops", "ADMINS", "root", []string{"/usr/bin/apt", "!/bin/sh", "!/bin/bash"}, true},
		{"%ops", "ADMINS", "root", []string{"MIXED"}, false},
		{"MOST", "", "", []string{"ALL"}, false},
		{"ALL, !eve", "", "", []string{"/usr/bin/id"}, false},
		{"UNDEFINED", "", "", []string{"ALL"}, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestAuthorizedKeysFileSettings(t *testing.T) {
	key := strings.TrimSpace(string(mustRead(t, filepath.Join("..", "..", "..", "testdata", "roots", "debian", "root", ".ssh", "authorized_keys"))))
	base := map[string]string{
		"etc/passwd":                    "root:x:0:0::/root:/bin/bash\nann:x:1000:1000::/home/ann:/bin/bash\nlinked:x:1001:1001::/home/linked:/bin/bash\n",
		"root/.ssh/authorized_keys":     key,
		"home/ann/.ssh/authorized_keys": key,
		"home/ann/.ssh/keys_ann":        key,
		"etc/ssh/keys/ann":              key,
		// A link that tries to leave the root lands inside it.
		"home/linked/.ssh/authorized_keys": "->../../../../../../../root/.ssh/authorized_keys",
	}
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"default", "", []string{"ann:/home/ann/.ssh/authorized_keys", "linked:/home/linked/.ssh/authorized_keys", "root:/root/.ssh/authorized_keys"}},
		{"tokens", "AuthorizedKeysFile %h/.ssh/keys_%u /etc/ssh/keys/%u\n", []string{"ann:/etc/ssh/keys/ann", "ann:/home/ann/.ssh/keys_ann"}},
		{"none", "AuthorizedKeysFile none\n", nil},
		{"first value wins, Match ignored, Include followed", "Include conf.d/*.conf\nAuthorizedKeysFile .ssh/nothing\nMatch User ann\n  AuthorizedKeysFile /etc/ssh/keys/%u\n",
			[]string{"ann:/home/ann/.ssh/keys_ann"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			if tt.config != "" {
				files["etc/ssh/sshd_config"] = tt.config
				files["etc/ssh/conf.d/10-keys.conf"] = "AuthorizedKeysFile %h/.ssh/keys_%u\n"
			}
			r := collect(t, testutil.TempRoot(t, files))
			var got []string
			for _, k := range r.Inv.AuthorizedKeys {
				got = append(got, k.User+":"+k.File)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReadableBy(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p, 0, 42); err != nil {
		t.Skip("cannot chown (not root)")
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		uid  int
		gids []int
		want bool
	}{
		{0, nil, true},             // root
		{1000, []int{1000}, false}, // like /etc/shadow for a user
		{1000, []int{1000, 42}, true},
	}
	for _, tt := range tests {
		if got := readableBy(fi, tt.uid, tt.gids); got != tt.want {
			t.Errorf("uid %d gids %v: %v", tt.uid, tt.gids, got)
		}
	}
}

// utmpRecord builds one x86_64 glibc utmp record.
func utmpRecord(typ int, user, line, host string, t time.Time) []byte {
	rec := make([]byte, parse.UtmpRecordSize)
	binary.LittleEndian.PutUint16(rec, uint16(typ))
	copy(rec[8:40], line)
	copy(rec[44:76], user)
	copy(rec[76:332], host)
	binary.LittleEndian.PutUint32(rec[340:], uint32(t.Unix()))
	return rec
}

func TestWtmpTailIsBounded(t *testing.T) {
	// 5000 logins (1.9 MB): only the last 1 MiB is read and the newest
	// 200 logins kept; a torn record at the end is reported.
	var buf []byte
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 5000; i++ {
		buf = append(buf, utmpRecord(parse.UtUserProcess, fmt.Sprintf("u%d", i%7), "pts/0", "10.0.0.1", start.Add(time.Duration(i)*time.Minute))...)
	}
	buf = append(buf, make([]byte, 100)...)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "var/log"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "var/log/wtmp"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	r := collect(t, tempRootAt(t, dir, map[string]string{"etc/passwd": "u6:x:1006:1006::/home/u6:/bin/sh\n"}))
	if len(r.Inv.Logins) != maxLoginsKept {
		t.Fatalf("%d logins, want %d", len(r.Inv.Logins), maxLoginsKept)
	}
	last := r.Inv.Logins[len(r.Inv.Logins)-1]
	if !last.Time.Equal(start.Add(4999*time.Minute)) || last.User != "u1" {
		t.Errorf("newest login = %+v", last)
	}
	u6 := findUser(t, r.Inv, "u6")
	if u6.LastLogin == nil || !u6.LastLogin.Equal(start.Add(4997*time.Minute)) {
		t.Errorf("u6 last login = %v", u6.LastLogin)
	}
	if !testutil.HasWarning(r.Warnings, "/var/log/wtmp", "not a multiple of 384") {
		t.Errorf("no torn-record warning: %v", warningTexts(r.Warnings))
	}
}

// tempRootAt adds files to an existing directory and opens it as a root.
func tempRootAt(t *testing.T, dir string, files map[string]string) *rootfs.FS {
	t.Helper()
	testutil.WriteFiles(t, dir, files)
	return testutil.OpenRoot(t, dir)
}

func TestLastlogHugeUIDAndSparseFile(t *testing.T) {
	dir := t.TempDir()
	// A lastlog record for uid 2000000 lives 584 MB into the file; only
	// that record is read (the file is sparse).
	const uid = 2000000
	if err := os.MkdirAll(filepath.Join(dir, "var/log"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "var/log/lastlog"))
	if err != nil {
		t.Fatal(err)
	}
	rec := make([]byte, parse.LastlogRecordSize)
	binary.LittleEndian.PutUint32(rec, uint32(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC).Unix()))
	copy(rec[4:], "pts/9")
	copy(rec[36:], "bastion.example")
	if _, err := f.WriteAt(rec, uid*parse.LastlogRecordSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r := collect(t, tempRootAt(t, dir, map[string]string{
		"etc/passwd": fmt.Sprintf("far:x:%d:1::/:/bin/sh\nbeyond:x:4294967294:1::/:/bin/sh\nnear:x:5:5::/:/bin/sh\n", uid),
	}))
	far := findUser(t, r.Inv, "far")
	if far.LastLogin == nil || far.LastLoginFrom != "bastion.example" || len(r.Inv.Logins) != 1 {
		t.Errorf("far = %+v logins=%v", far, r.Inv.Logins)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("warnings: %v", warningTexts(r.Warnings))
	}
}

func TestBrokenAccountFiles(t *testing.T) {
	r := collect(t, testutil.TempRoot(t, map[string]string{
		"etc/passwd":  "root:x:0:0::/root:/bin/bash\nroot:x:1:1::/:/bin/sh\nbroken\nnoshadow:x:1000:1000::/home/n:/bin/sh\n",
		"etc/shadow":  "root:$6$saltsaltsalt$digestdigestdigestdigest:bad:0:99999:7:::\nroot:*:1::::::\n",
		"etc/group":   "root:x:0:\nroot:x:5:\nwheel:x:10:root\n",
		"etc/sudoers": "root ALL=(ALL ALL\n",
	}))
	wantWarn := []string{
		"/etc/group: line 2: duplicate group \"root\" ignored (the first one is used)",
		"/etc/passwd: line 2: duplicate user \"root\" ignored (the first one is used)",
		"/etc/passwd: line 3: 1 fields, want 7; skipped",
		"/etc/shadow: line 1: user \"root\": invalid last change field",
		"/etc/shadow: line 2: duplicate entry for \"root\" ignored (the first one is used)",
		"/etc/sudoers: line 1: ')' expected in Runas_Spec; entry skipped",
	}
	got := warningTexts(r.Warnings)
	for _, w := range wantWarn {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing warning %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, g := range got {
		if strings.Contains(g, "saltsalt") || strings.Contains(g, "digestdigest") {
			t.Errorf("warning leaks the hash: %s", g)
		}
	}
	root := findUser(t, r.Inv, "root")
	if root.UID != 0 || root.Password != model.PasswordSet || root.HashScheme != "sha512crypt" || strings.Join(root.Groups, ",") != "root,wheel" {
		t.Errorf("root = %+v", root)
	}
	if n := findUser(t, r.Inv, "noshadow"); n.Password != model.PasswordDisabled {
		t.Errorf("x without a shadow entry = %s", n.Password)
	}
}

func TestMissingFiles(t *testing.T) {
	// An empty tree: one warning for the missing passwd, nothing else.
	r := collect(t, testutil.TempRoot(t, map[string]string{"etc/hostname": "x\n"}))
	if len(r.Inv.Users) != 0 || len(r.Warnings) != 1 || r.Warnings[0].Path != "/etc/passwd" {
		t.Errorf("users=%v warnings=%v", r.Inv.Users, warningTexts(r.Warnings))
	}
	// passwd without shadow: state unknown.
	r = collect(t, testutil.TempRoot(t, map[string]string{"etc/passwd": "a:x:1000:1000::/home/a:/bin/sh\n"}))
	if u := findUser(t, r.Inv, "a"); u.Password != model.PasswordUnknown {
		t.Errorf("no shadow file: %s", u.Password)
	}
}

func TestSSHDIncludeLoop(t *testing.T) {
	r := collect(t, testutil.TempRoot(t, map[string]string{
		"etc/passwd":                   "a:x:1000:1000::/home/a:/bin/sh\n",
		"etc/ssh/sshd_config":          "Include /etc/ssh/sshd_config.d/*.conf\n",
		"etc/ssh/sshd_config.d/a.conf": "Include /etc/ssh/sshd_config.d/*.conf\nInclude /etc/ssh/sshd_config\n",
		"etc/ssh/sshd_config.d/b.conf": "Include /etc/ssh/sshd_config.d/*.conf\nAuthorizedKeysFile .ssh/found\n",
		"home/a/.ssh/found":            strings.TrimSpace(string(mustRead(t, filepath.Join("..", "..", "..", "testdata", "roots", "debian", "root", ".ssh", "authorized_keys")))),
	}))
	if len(r.Inv.AuthorizedKeys) != 1 || r.Inv.AuthorizedKeys[0].File != "/home/a/.ssh/found" {
		t.Errorf("keys = %+v warnings=%v", r.Inv.AuthorizedKeys, warningTexts(r.Warnings))
	}
}

func TestPasswdCapIsReported(t *testing.T) {
	// Long GECOS fields reach the cap with few users, so the test is quick.
	gecos := strings.Repeat("g", 6000)
	var b strings.Builder
	for i := 0; b.Len() <= maxAccountDB; i++ {
		fmt.Fprintf(&b, "user%05d:x:%d:100:%s:/home/user%05d:/bin/bash\n", i, 10000+i, gecos, i)
	}
	r := collect(t, testutil.TempRoot(t, map[string]string{"etc/passwd": b.String()}))
	if !testutil.HasWarning(r.Warnings, "/etc/passwd", "larger than 8388608 bytes; only the lines before") {
		t.Errorf("no cap warning: %v", warningTexts(r.Warnings))
	}
	// Every complete line before the cap is read; the cut one is dropped.
	if n, want := len(r.Inv.Users), maxAccountDB/len(strings.SplitAfter(b.String(), "\n")[0]); n != want {
		t.Errorf("%d users read before the cap, want %d", n, want)
	}
	if len(r.Warnings) != 1 {
		t.Errorf("warnings: %v", warningTexts(r.Warnings))
	}
}
