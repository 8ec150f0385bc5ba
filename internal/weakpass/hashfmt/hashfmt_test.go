package hashfmt

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	yescryptref "github.com/openwall/yescrypt-go"
	"golang.org/x/crypto/scrypt"
)

// vector is one row of testdata/vectors.tsv.
type vector struct {
	line                                   int
	format, hash, password, user, expected string
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	f, err := os.Open("testdata/vectors.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 5 {
			t.Fatalf("vectors.tsv:%d: %d columns", n, len(c))
		}
		out = append(out, vector{line: n, format: c[0], hash: c[1], password: c[2], user: c[3], expected: c[4]})
	}
	if len(out) < 30 {
		t.Fatalf("only %d vectors", len(out))
	}
	return out
}

// storeFormat maps the vector file's format names to Parse's.
func storeFormat(f string) string {
	switch f {
	case "mysql_native_password":
		return FormatMySQLNative
	case "postgresql-md5":
		return FormatPostgresMD5
	}
	return ""
}

func wantFormat(f string) string {
	switch f {
	case "bcrypt-a":
		return FormatBcrypt
	case "mysql_native_password":
		return FormatMySQLNative
	}
	return f
}

func TestVectors(t *testing.T) {
	var s Scratch
	for _, v := range loadVectors(t) {
		t.Run(fmt.Sprintf("%d-%s", v.line, v.format), func(t *testing.T) {
			h, err := Parse(v.hash, storeFormat(v.format), v.user)
			if err != nil {
				t.Fatalf("Parse(%q): %v", v.hash, err)
			}
			if h.Format() != wantFormat(v.format) {
				t.Errorf("format %q, want %q", h.Format(), wantFormat(v.format))
			}
			if !h.Verify([]byte(v.password), &s) {
				t.Errorf("own password %q does not verify", v.password)
			}
			if h.Verify([]byte("X"+v.password), &s) {
				t.Errorf("wrong password verifies")
			}
		})
	}
}

// TestLibcrypt generates hashes with the system's crypt(3) (mkpasswd,
// libxcrypt) and verifies them, including passwords longer than one
// digest (sha-crypt's P/S sequences), rounds= and non-default costs.
func TestLibcrypt(t *testing.T) {
	mk, err := exec.LookPath("mkpasswd")
	if err != nil {
		t.Skip("mkpasswd (Debian whois) not installed")
	}
	passwords := []string{"a", "password", "Tr0ub4dor&3", strings.Repeat("long-password-", 6), "\u00e9t\u00e9-2024"}
	methods := [][]string{
		{"sha512crypt"}, {"sha512crypt", "-R", "1000"}, {"sha512crypt", "-R", "7777"},
		{"sha256crypt"}, {"sha256crypt", "-R", "2000"},
		{"md5crypt"}, {"descrypt"},
		{"yescrypt"}, {"yescrypt", "-R", "3"}, {"gost-yescrypt"},
		{"scrypt"}, {"bcrypt", "-R", "4"}, {"bcrypt-a", "-R", "4"},
	}
	if testing.Short() || raceEnabled {
		passwords = passwords[:2]
	}
	var s Scratch
	for _, m := range methods {
		for _, pw := range passwords {
			if m[0] == "descrypt" && strings.ContainsFunc(pw, func(r rune) bool { return r > 127 }) {
				continue
			}
			args := append([]string{"-s", "-m"}, m...)
			cmd := exec.Command(mk, args...)
			cmd.Stdin = strings.NewReader(pw + "\n")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("mkpasswd %v: %v", m, err)
			}
			hash := strings.TrimSpace(string(out))
			h, err := Parse(hash, "", "")
			if err != nil {
				t.Errorf("%v: Parse(%q): %v", m, hash, err)
				continue
			}
			if !h.Verify([]byte(pw), &s) {
				t.Errorf("%v: %q does not verify against %q", m, pw, hash)
			}
			if h.Verify([]byte("1"+pw), &s) {
				t.Errorf("%v: wrong password verifies against %q", m, hash)
			}
		}
	}
}

func TestApr1OpenSSL(t *testing.T) {
	ossl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	var s Scratch
	for _, pw := range []string{"x", "welcome", strings.Repeat("0123456789", 5)} {
		cmd := exec.Command(ossl, "passwd", "-apr1", "-stdin")
		cmd.Stdin = strings.NewReader(pw + "\n")
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		hash := strings.TrimSpace(string(out))
		h, err := Parse(hash, "", "")
		if err != nil || !h.Verify([]byte(pw), &s) {
			t.Errorf("apr1 %q: %v", hash, err)
		}
	}
}

// TestYescryptReference compares the optimised yescrypt with
// yescrypt-go on random passwords, salts and parameters, reusing one
// Scratch across sizes.
func TestYescryptReference(t *testing.T) {
	var s Scratch
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 12 {
		pw := make([]byte, rng.IntN(40))
		for j := range pw {
			pw[j] = byte(rng.IntN(256))
		}
		raw := make([]byte, 1+rng.IntN(20))
		for j := range raw {
			raw[j] = byte(rng.IntN(256))
		}
		salt := encode64(nil, raw)
		nLog2 := 10 + rng.IntN(3)
		r := []int{1, 2, 8, 32}[i%4]
		setting := fmt.Sprintf("$y$j%c%c$%s", itoa64[nLog2-1], itoa64[r-1], salt)
		want, err := yescryptref.Hash(pw, []byte(setting))
		if err != nil {
			t.Fatalf("reference %s: %v", setting, err)
		}
		h, err := Parse(string(want), "", "")
		if err != nil {
			t.Fatalf("Parse(%s): %v", want, err)
		}
		if !h.Verify(pw, &s) {
			t.Errorf("%s: optimised yescrypt disagrees with yescrypt-go", want)
		}
	}
}

func TestMySQLCachingSHA2(t *testing.T) {
	// hashcat example hash for mode 7401 (password "hashcat").
	const ex = "$mysql$A$005*F9CC98CE08892924F50A213B6BC571A2C11778C5*625479393559393965414D45316477456B484F41316E64484742577A2E3162785353526B7554584647562F"
	h, err := Parse(ex, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var s Scratch
	if !h.Verify([]byte("hashcat"), &s) || h.Verify([]byte("hashcaT"), &s) {
		t.Error("caching_sha2 example does not verify")
	}
}

func TestLDAPAndSCRAM(t *testing.T) {
	var s Scratch
	cases := []struct{ hash, pw string }{
		{"{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "password"},
		{"{CRYPT}$1$rHDk8c90$ZyazKQ2SQIb/01vZ62MSr0", "admin"},
		{"{CLEARTEXT}secret", "secret"},
		{"{MD5}X03MO1qnZdYdgyfeuILPmQ==", "password"},
	}
	for _, c := range cases {
		h, err := Parse(c.hash, "", "")
		if err != nil {
			t.Fatalf("%s: %v", c.hash, err)
		}
		if !h.Verify([]byte(c.pw), &s) || h.Verify([]byte(c.pw+"!"), &s) {
			t.Errorf("%s: verify wrong", c.hash)
		}
	}
}

func TestUnsupportedAndMalformed(t *testing.T) {
	cases := []struct {
		hash, unsupported string // empty unsupported: malformed
	}{
		{"$md5,rounds=5000$GUBv0xjJ$$mSwgIswdjlTY0YxV7HBVm0", "sunmd5"},
		{"$sha1$40000$jtNX3nZ2$hBNaIXkt4wBI2o5rsi8KejSjNqIq", "sha1crypt"},
		{"$3$$8846f7eaee8fb117ad06bdd830b7586c", "nthash"},
		{"$9$abc$def", "$9$"},
		{"_J9..CCCCXBrJUJV154M", "bsdicrypt"},
		{"$2x$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "bcrypt-x"},
		{"$y$j9T$WafLnH.6Z1qDqlPxRIc2/.$kui95ljC", ""},
		{"$y$j9!$abc$def", ""},
		{"$6$rounds=abc$salt$hash", ""},
		{"$6$salt$tooshort", ""},
		{"$6$rounds=5000", ""},
		{"$1$abc", ""},
		{"$2b$10$short", ""},
		{"*ZZZZ", "unknown"},
		{"{SSHA}!!!", ""},
		{"{PBKDF2-SHA512}10000$abc$def", "ldap-{PBKDF2-SHA512}"},
		{"s4b3QHDoRlOu!", ""},
		// 1 GiB per candidate (mkpasswd -m yescrypt -R 11), over MaxMemory.
		{"$y$jFT$zaELOWCv0TPTkAVGAM9Ej0$ptdrdBORareEloaPum0PdOZ5aDwvEkbQt9B1vcmP5n6", "yescrypt"},
		{"$7$HU..../....Kr2Hpm6AMLX86KRRvKtSP/$McDvInob2zIKnLSUvOwGyE.JG.c3NFcXD9wcloOjKd2", "scrypt"},
	}
	for _, c := range cases {
		_, err := Parse(c.hash, "", "")
		var ue *UnsupportedError
		switch {
		case err == nil:
			t.Errorf("Parse(%q) accepted", c.hash)
		case c.unsupported != "" && (!errors.As(err, &ue) || ue.Format != c.unsupported):
			t.Errorf("Parse(%q) = %v, want unsupported %s", c.hash, err, c.unsupported)
		case c.unsupported == "" && !errors.Is(err, ErrMalformed):
			t.Errorf("Parse(%q) = %v, want malformed", c.hash, err)
		}
	}
}

func TestSHACryptRounds(t *testing.T) {
	// "$6$rounds=N$" must be read as the round count, not as the salt;
	// out-of-range counts are clamped as glibc does.
	for _, c := range []struct {
		hash   string
		rounds int
		salt   string
	}{
		{"$6$rounds=10000$fjH.c75tj83n8lUD$4rO2bs5HOdUOyAupAkEzQ4U/ACNc7GSvZz4CCsPZB/YPavLw/8hCmWl7WYRf35pvqFHngqrCti7NTl56TlBSG/", 10000, "fjH.c75tj83n8lUD"},
		{"$6$rounds=10$ab$" + strings.Repeat("a", 86), 1000, "ab"},
		{"$5$rounds=5000$toolongsaltstring$" + strings.Repeat("a", 43), 5000, "toolongsaltstrin"},
	} {
		h, err := Parse(c.hash, "", "")
		if err != nil {
			t.Fatal(err)
		}
		sc := h.(*shaCrypt)
		if sc.rounds != c.rounds || sc.salt != c.salt {
			t.Errorf("%s: rounds %d salt %q", c.hash, sc.rounds, sc.salt)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.hash, v.user)
	}
	f.Add("$6$rounds=99999999999999999999$x$y", "")
	f.Add("$7$CU..../....AI2YGCjVmzHCiIKPbvfoI/$yaQLppUqty7k9EYCm69b9Fyz7YCzADJ.jxo8DXxnIHA", "")
	f.Add("{SSHA512}", "")
	f.Add("$A$005$", "")
	f.Add("SCRAM-SHA-256$4096:$:", "")
	f.Fuzz(func(t *testing.T, hash, user string) {
		h, err := Parse(hash, "", user)
		if err != nil {
			var ue *UnsupportedError
			if !errors.As(err, &ue) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q): untyped error %v", hash, err)
			}
			return
		}
		if h.Format() == "" || h.Cost() <= 0 {
			t.Fatalf("Parse(%q): format %q cost %v", hash, h.Format(), h.Cost())
		}
		if h.Cost() < 2000 { // verify cheap formats end to end
			var s Scratch
			h.Verify([]byte("password"), &s)
		}
	})
}

// TestScryptReference compares $7$ verification (on the reused yescrypt
// memory) with golang.org/x/crypto/scrypt on random parameters.
func TestScryptReference(t *testing.T) {
	var s Scratch
	rng := rand.New(rand.NewPCG(5, 6))
	for range 6 {
		nLog2, r, p := 1+rng.IntN(10), 1+rng.IntN(8), 1+rng.IntN(3)
		salt := string(encode64(nil, []byte{byte(rng.IntN(256)), byte(rng.IntN(256)), 7, 9}))
		pw := []byte(fmt.Sprintf("pw%d", rng.IntN(1000)))
		k, err := scrypt.Key(pw, []byte(salt), 1<<nLog2, r, p, 32)
		if err != nil {
			t.Fatal(err)
		}
		enc := func(v int) string {
			var b []byte
			for i := 0; i < 5; i++ {
				b = append(b, itoa64[(v>>(6*i))&63])
			}
			return string(b)
		}
		hash := "$7$" + string(itoa64[nLog2]) + enc(r) + enc(p) + salt + "$" + string(encode64(nil, k))
		h, err := Parse(hash, "", "")
		if err != nil {
			t.Fatalf("%s: %v", hash, err)
		}
		if !h.Verify(pw, &s) || h.Verify([]byte("x"), &s) {
			t.Errorf("%s: disagrees with x/crypto/scrypt", hash)
		}
	}
}
