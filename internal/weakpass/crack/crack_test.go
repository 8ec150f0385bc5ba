package crack

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/weakpass/hashfmt"
)

type vector struct{ format, hash, password, user, expected string }

func loadVectors(t *testing.T) []vector {
	f, err := os.Open("../hashfmt/testdata/vectors.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		out = append(out, vector{c[0], c[1], c[2], c[3], c[4]})
	}
	return out
}

func vectorTarget(v vector, i int) Target {
	t := Target{ID: v.format + ":" + v.hash[:min(12, len(v.hash))], Hash: v.hash, User: v.user}
	switch v.format {
	case "mysql_native_password":
		t.Format = hashfmt.FormatMySQLNative
	case "postgresql-md5":
		t.Format = hashfmt.FormatPostgresMD5
	}
	return t
}

// TestVectors: every weak vector is cracked with the shipped lists and
// its own password; strong ones are not. Slow schemes get a small
// budget for the strong rows (the weak rows are found within the
// default budget's first candidates).
func TestVectors(t *testing.T) {
	if raceEnabled {
		t.Skip("hash-bound; the engine's concurrency is raced by the smaller tests")
	}
	var weak, strongCheap, strongSlow []Target
	var weakPw []string
	for i, v := range loadVectors(t) {
		tg := vectorTarget(v, i)
		h, err := hashfmt.Parse(tg.Hash, tg.Format, tg.User)
		switch {
		case err != nil:
			t.Fatalf("%s: %v", v.hash, err)
		case v.expected == "weak":
			weak = append(weak, tg)
			weakPw = append(weakPw, v.password)
		case h.Cost() > 200:
			strongSlow = append(strongSlow, tg)
		default:
			strongCheap = append(strongCheap, tg)
		}
	}
	res, err := Run(context.Background(), weak, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Status != Cracked || r.Password != weakPw[i] || r.Reason == "" {
			t.Errorf("weak %s: %+v", weak[i].Hash, r)
		}
	}
	res, err = Run(context.Background(), strongCheap, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Status != NotCracked || r.Tried < 10000 {
			t.Errorf("strong %s: %+v", strongCheap[i].Hash, r)
		}
	}
	res, err = Run(context.Background(), strongSlow, Options{Budget: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Status != NotCracked || r.Tried < 1 {
			t.Errorf("strong %s: %+v", strongSlow[i].Hash, r)
		}
	}
}

func mkpasswd(t *testing.T, method, pw string, extra ...string) string {
	t.Helper()
	mk, err := exec.LookPath("mkpasswd")
	if err != nil {
		t.Skip("mkpasswd (Debian whois) not installed")
	}
	cmd := exec.Command(mk, append([]string{"-s", "-m", method}, extra...)...)
	cmd.Stdin = strings.NewReader(pw + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func TestReasonsAndMutations(t *testing.T) {
	if raceEnabled {
		t.Skip("hash-bound; the engine's concurrency is raced by the smaller tests")
	}
	cases := []struct {
		user, pw, reason string
	}{
		{"alice", "alice", ReasonUserName},
		{"bob", "Bob@2024", ReasonUserVariant},
		{"carol", "carol_2011", ReasonUserVariant},
		{"dave", "web01", ReasonHostVariant},
		{"erin", "1qaz2wsx3edc", ReasonKeyboard},
		{"frank", "Password@2019", ReasonYear},
		{"gina", "", ReasonEmpty},
		{"henry", "password", ReasonTop100},
		{"ivan", "chelsea1", ReasonCommon},
		{"tomcat", "s3cret", ReasonDefault},
		{"judy", "Dragon123", ReasonWordVariant},
	}
	var targets []Target
	for _, c := range cases {
		targets = append(targets, Target{ID: c.user, User: c.user, Hash: mkpasswd(t, "md5crypt", c.pw)})
	}
	targets = append(targets, Target{ID: "strong", User: "kim", Hash: mkpasswd(t, "md5crypt", "vG7#kq!Lz0pX")})
	res, err := Run(context.Background(), targets, Options{Hostname: "web01.example.com", Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if r := res[i]; r.Status != Cracked || r.Password != c.pw || r.Reason != c.reason {
			t.Errorf("%s/%q: %+v", c.user, c.pw, r)
		}
	}
	if r := res[len(cases)]; r.Status != NotCracked {
		t.Errorf("strong: %+v", r)
	}
}

func TestStatuses(t *testing.T) {
	res, err := Run(context.Background(), []Target{
		{ID: "empty", Hash: ""},
		{ID: "locked", Hash: "!$6$x$y"},
		{ID: "star", Hash: "*"},
		{ID: "unknown", Hash: "$9$abc$def"},
		{ID: "bad", Hash: "$6$salt$short"},
		{ID: "redis", Hash: "changeme", Plain: true},
		{ID: "snmp", Hash: "", Plain: true},
		{ID: "mysql", Hash: "*81F5E21E35407D884A6CD4A731AEBFB6AF209E1B", User: "root"},
		{ID: "bcrypt31", Hash: "$2b$31$9PMf8uYlOR0IhoQsK8vXH.8bMW4.y0lQhJRidclFnXf2tNXbZCjD2"},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Status{Empty, Locked, Locked, Unchecked, Unchecked, Cracked, Empty, Cracked, Unchecked}
	for i, w := range want {
		if res[i].Status != w {
			t.Errorf("%s: %+v, want %s", res[i].ID, res[i], w)
		}
	}
	if !strings.HasPrefix(res[3].Reason, "not checked: $9$") || res[3].Format != "$9$" {
		t.Errorf("unknown: %+v", res[3])
	}
	if !strings.Contains(res[8].Reason, "cost too high") || res[8].Tried != 0 {
		t.Errorf("bcrypt cost 31: %+v", res[8])
	}
}

// TestSuppliedListIsExhaustive: an operator list is tested in full
// even when the budget allows almost nothing.
func TestSuppliedListIsExhaustive(t *testing.T) {
	h := mkpasswd(t, "sha512crypt", "zz-last-word", "-R", "1000")
	list := []string{"a", "b", "c", "d", "e", "f", "g", "zz-last-word"}
	res, err := Run(context.Background(), []Target{{ID: "x", User: "x", Hash: h}}, Options{Wordlists: [][]string{list}, Budget: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != Cracked || res[0].Reason != ReasonSupplied {
		t.Errorf("%+v", res[0])
	}
}

// TestSharedSalt: identical hashes are computed once; hashes that share
// a salt share the candidate computation.
func TestSharedSalt(t *testing.T) {
	a := mkpasswd(t, "sha512crypt", "monkey", "-S", "samesaltsamesalt", "-R", "1000")
	b := mkpasswd(t, "sha512crypt", "dragon", "-S", "samesaltsamesalt", "-R", "1000")
	targets := []Target{{ID: "a1", Hash: a}, {ID: "a2", Hash: a}, {ID: "b", Hash: b}}
	res, err := Run(context.Background(), targets, Options{NoMutations: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, pw := range []string{"monkey", "monkey", "dragon"} {
		if res[i].Status != Cracked || res[i].Password != pw {
			t.Errorf("%s: %+v", res[i].ID, res[i])
		}
	}
	if res[0].Tried != res[1].Tried {
		t.Errorf("duplicate hash tried %d vs %d", res[0].Tried, res[1].Tried)
	}
}

func TestCache(t *testing.T) {
	dir := t.TempDir()
	weak := mkpasswd(t, "md5crypt", "letmein")
	strong := mkpasswd(t, "md5crypt", "Xq9!vR2#mW")
	targets := []Target{{ID: "w", User: "w", Hash: weak}, {ID: "s", User: "s", Hash: strong}}
	opts := Options{CacheDir: dir, NoMutations: true}
	first, err := Run(context.Background(), targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, cacheFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %v", st.Mode())
	}
	b, _ := os.ReadFile(filepath.Join(dir, cacheFile))
	if strings.Contains(string(b), "letmein") || strings.Contains(string(b), weak[3:11]) {
		t.Error("cache holds a password or hash")
	}
	start := time.Now()
	second, err := Run(context.Background(), targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	_ = start
	if second[0].Status != Cracked || second[0].Reason != first[0].Reason || second[0].Password != "" {
		t.Errorf("cached weak: %+v", second[0])
	}
	if second[1].Status != NotCracked || second[1].Tried != first[1].Tried {
		t.Errorf("cached strong: %+v vs %+v", second[1], first[1])
	}
	// A different list is a different fingerprint: tested again.
	third, err := Run(context.Background(), targets[1:], Options{CacheDir: dir, NoMutations: true, Wordlists: [][]string{{"Xq9!vR2#mW"}}})
	if err != nil {
		t.Fatal(err)
	}
	if third[0].Status != Cracked || third[0].Password != "Xq9!vR2#mW" {
		t.Errorf("new list: %+v", third[0])
	}
}

func TestLeakedTest(t *testing.T) {
	h := mkpasswd(t, "yescrypt", "Leaked-Passw0rd!")
	res, err := Test(context.Background(), []Target{
		{ID: "u1", User: "u1", Hash: h},
		{ID: "u2", User: "u2", Hash: mkpasswd(t, "md5crypt", "other")},
		{ID: "redis", Hash: "Leaked-Passw0rd!", Plain: true},
	}, []string{"Leaked-Passw0rd!"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != Cracked || res[0].Reason != ReasonLeaked || res[0].Tried != 1 {
		t.Errorf("u1: %+v", res[0])
	}
	if res[1].Status != NotCracked || res[1].Tried != 1 {
		t.Errorf("u2: %+v", res[1])
	}
	if res[2].Status != Cracked {
		t.Errorf("redis: %+v", res[2])
	}
}

func TestCancel(t *testing.T) {
	h := mkpasswd(t, "yescrypt", "Xq9!vR2#mW")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	res, err := Run(ctx, []Target{{ID: "y", Hash: h}}, Options{})
	if err == nil || res[0].Status != Unchecked || res[0].Reason != "not checked: cancelled" {
		t.Errorf("cancel: %v %+v", err, res[0])
	}
}

// TestManyAccounts runs more groups than one batch holds; every account
// gets its own user-name candidates.
func TestManyAccounts(t *testing.T) {
	var targets []Target
	for i := range 3*groupBatch + 5 {
		u := "user" + strconv.Itoa(i)
		pw := "Xq9!vR2#mW" + u
		if i%10 == 0 {
			pw = u + "123"
		}
		targets = append(targets, Target{ID: u, User: u, Hash: pw, Plain: true})
	}
	res, err := Run(context.Background(), targets, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		want := NotCracked
		if i%10 == 0 {
			want = Cracked
		}
		if r.Status != want || (want == Cracked && r.Reason != ReasonUserVariant) || r.Tried == 0 {
			t.Fatalf("%s: %+v", r.ID, r)
		}
	}
}

// TestSuppliedWordEqualsUser: with a budget too small for the account's
// own variants, a supplied word equal to the user name is still tested.
func TestSuppliedWordEqualsUser(t *testing.T) {
	h := mkpasswd(t, "sha512crypt", "Bob@2024", "-R", "1000")
	res, err := Run(context.Background(), []Target{{ID: "bob", User: "bob", Hash: h}},
		Options{Budget: time.Microsecond, Wordlists: [][]string{{"Bob@2024"}}, Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != Cracked {
		t.Errorf("%+v", res[0])
	}
}
