package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Seeds come from the fixture roots, so `go test` runs them as tests.

func FuzzPasswd(f *testing.F) {
	for _, root := range []string{"debian", "rhel", "alpine"} {
		f.Add(fixture(f, root, "etc/passwd"))
	}
	f.Add([]byte("evil:x:0:0\n+::0:0:::\r\nx:y:4294967295:1:::\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _, err := ParsePasswd(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name == "" || strings.Contains(e.Name, ":") || e.UID < 0 || e.GID < 0 || e.UID > 1<<32-2 {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func FuzzShadow(f *testing.F) {
	for _, root := range []string{"debian", "rhel", "alpine"} {
		f.Add(fixture(f, root, "etc/shadow"))
	}
	f.Add([]byte("a:$6$saltsalt$hashhashhash:x:y\n$y$j9T$noname\nb:!$1$abcdefgh$ijkl:0::::::\n"))
	known := map[string]bool{"": true, "unknown": true, "bsdicrypt": true, "descrypt": true}
	for _, p := range hashPrefixes {
		known[p.scheme] = true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, errs, err := ParseShadow(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !known[e.Scheme] {
				t.Fatalf("scheme %q is not from the fixed list", e.Scheme)
			}
		}
		// No error message may repeat a password field (unless the same
		// text is also in a user name, which messages do quote).
		lines := strings.Split(string(data), "\n")
		names := namesOf(lines)
		for _, l := range lines {
			_, rest, ok := strings.Cut(l, ":")
			if !ok {
				continue
			}
			pw, _, _ := strings.Cut(rest, ":")
			if len(pw) < 8 || strings.Contains(names, pw) {
				continue
			}
			for _, e := range errs {
				if strings.Contains(e.Error(), pw) {
					t.Fatalf("error %q repeats a password field", e.Error())
				}
			}
		}
	})
}

func namesOf(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		n, _, _ := strings.Cut(l, ":")
		// As quoted in messages: escapes can make new digit runs.
		fmt.Fprintf(&b, "%s\n%q\n", n, n)
	}
	return b.String()
}

func FuzzGroup(f *testing.F) {
	for _, root := range []string{"debian", "rhel", "alpine"} {
		f.Add(fixture(f, root, "etc/group"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _, err := ParseGroup(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range entries {
			for _, m := range g.Members {
				if m == "" || strings.Contains(m, ",") {
					t.Fatalf("bad member %q", m)
				}
			}
		}
	})
}

func FuzzSudoers(f *testing.F) {
	for _, p := range []string{"etc/sudoers", "etc/sudoers.d/50-deploy", "etc/sudoers.d/90-ops"} {
		f.Add(fixture(f, "debian", p))
	}
	f.Add(fixture(f, "rhel", "etc/sudoers"))
	f.Add(fixture(f, "rhel", "etc/sudoers.d/20-dba"))
	f.Add(fixture(f, "alpine", "etc/sudoers.d/build"))
	if data, err := os.ReadFile("testdata/sudoers.example"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("User_Alias A = B : B = A\nA ALL = (x:y) NOPASSWD:SETENV: CWD=* sha256:abc= /bin/x \\\n y, !ALL : h = ALL\n#include x\n@includedir \"y\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _ := ParseSudoers(data)
		al := SudoAliases{}
		al.Add(s.Aliases)
		for _, a := range s.Aliases {
			al.Expand(a.Kind, a.Name)
		}
		for _, sp := range s.Specs {
			if len(sp.Users) == 0 || len(sp.Privileges) == 0 || sp.Line < 1 {
				t.Fatalf("incomplete spec %+v", sp)
			}
			for _, p := range sp.Privileges {
				if len(p.Hosts) == 0 || len(p.Cmnds) == 0 {
					t.Fatalf("incomplete privilege %+v", p)
				}
				for _, c := range p.Cmnds {
					if c.Command == "" {
						t.Fatalf("empty command in %+v", sp)
					}
				}
			}
		}
	})
}

func FuzzAuthorizedKeyLine(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixturePath("*", "home/*/.ssh"), "authorized_keys*"))
	more, _ := filepath.Glob(filepath.Join(fixturePath("*", "root/.ssh"), "authorized_keys*"))
	keys, _ := filepath.Glob("testdata/keys/*.pub")
	for _, p := range append(append(files, more...), keys...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		k, err := ParseAuthorizedKeyLine(line)
		if err != nil {
			return
		}
		if !strings.HasPrefix(k.Fingerprint, "SHA256:") || len(k.Fingerprint) != 50 || k.Bits <= 0 || !IsKeyType(k.Type) {
			t.Fatalf("accepted key looks wrong: %+v", k)
		}
	})
}

func FuzzUtmpRecord(f *testing.F) {
	for _, root := range []string{"debian", "rhel"} {
		data := fixture(f, root, "var/log/wtmp")
		for off := 0; off+UtmpRecordSize <= len(data); off += UtmpRecordSize * 3 {
			f.Add(data[off : off+UtmpRecordSize])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := make([]byte, UtmpRecordSize)
		copy(rec, data)
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian, UtmpByteOrder(rec)} {
			r, err := ParseUtmpRecord(rec, order)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{r.User, r.Line, r.Host} {
				for i := 0; i < len(s); i++ {
					if s[i] < 0x20 || s[i] >= 0x7f {
						t.Fatalf("unprintable byte in %q", s)
					}
				}
			}
		}
		if _, err := ParseUtmpRecord(data, binary.LittleEndian); (err == nil) != (len(data) == UtmpRecordSize) {
			t.Fatalf("size check: len %d, err %v", len(data), err)
		}
		ll := make([]byte, LastlogRecordSize)
		copy(ll, data)
		if _, _, err := ParseLastlogRecord(ll); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzSSHDConfig(f *testing.F) {
	f.Add(fixture(f, "debian", "etc/ssh/sshd_config"))
	f.Add(fixture(f, "rhel", "etc/ssh/sshd_config"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dirs, _, err := ParseSSHDConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			for _, a := range d.Args {
				ExpandAuthorizedKeysPath(a, "/home/u", "u", 1)
			}
		}
	})
}
