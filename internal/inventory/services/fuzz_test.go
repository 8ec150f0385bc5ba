package services

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

// addFixtureSeeds adds every regular file under the given fixture
// directories (relative to testdata/roots) as a seed.
func addFixtureSeeds(f *testing.F, dirs ...string) {
	for _, d := range dirs {
		base := filepath.Join(testutil.RepoRoot(), "testdata", "roots", d)
		entries, _ := os.ReadDir(base)
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			if data, err := os.ReadFile(filepath.Join(base, e.Name())); err == nil {
				f.Add(data)
			}
		}
	}
}

func FuzzParseUnit(f *testing.F) {
	addFixtureSeeds(f, "debian/lib/systemd/system", "debian/etc/systemd/system",
		"debian/etc/systemd/system/docker.service.d", "rhel/usr/lib/systemd/system", "rhel/etc/systemd/system")
	f.Add([]byte("[Service]\nExecStart=/a \\\n# c\n b\\"))
	f.Add([]byte("[\n[]\n=\n.include x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := ParseUnit(bytes.NewReader(data))
		if u == nil {
			t.Fatal("nil unit")
		}
		if err != nil {
			return
		}
		for _, e := range u.Entries {
			if e.Key == "" || e.Section == "" || e.Line < 1 {
				t.Fatalf("bad entry %+v", e)
			}
			if e.Value != strings.TrimSpace(e.Value) {
				t.Fatalf("untrimmed value %q", e.Value)
			}
		}
		for _, v := range u.Values("Service", "ExecStart") {
			_ = CommandLine(v)
		}
	})
}

func FuzzParseLSBHeader(f *testing.F) {
	addFixtureSeeds(f, "debian/etc/init.d", "rhel/etc/rc.d/init.d")
	f.Add([]byte("### BEGIN INIT INFO\n# Description:\n#  a\n#\tb\n### END INIT INFO\n# chkconfig: 2345 1 1\n"))
	f.Add([]byte("# description: a \\\n# b \\\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseLSBHeader(bytes.NewReader(data))
		if err == nil && len(h.Description) > len(data) {
			t.Fatalf("description longer than input")
		}
	})
}

func FuzzParseOpenRCScript(f *testing.F) {
	addFixtureSeeds(f, "alpine/etc/init.d")
	f.Add([]byte("#!/sbin/openrc-run\n: ${a:=\"${b:-${c:-x}}\"}\ncommand=$a$a$a$a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _ := ParseOpenRCScript(bytes.NewReader(data), "svc")
		if len(s.Command) > maxExpandLen || len(s.CommandUser) > maxExpandLen {
			t.Fatalf("expansion exceeded cap: %d", len(s.Command))
		}
	})
}
