package kmod

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

func seed(f *testing.F, path string) {
	f.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatalf("seed %s: %v", path, err)
	}
	f.Add(data)
}

func FuzzParseProcModules(f *testing.F) {
	seed(f, filepath.Join("testdata", "proc", "modules"))
	f.Add([]byte("nf_defrag_ipv6 24576 1 nf_conntrack,[permanent], Loading 0x0 (E)\nvirtio 1 - - Live 0x0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		mods, _ := ParseProcModules(bytes.NewReader(data))
		for _, m := range mods {
			if !ValidModuleName(m.Name) || m.Size < 0 || m.RefCount < -1 {
				t.Fatalf("bad record %+v", m)
			}
			for _, u := range m.UsedBy {
				if !ValidModuleName(u) {
					t.Fatalf("bad user %q", u)
				}
			}
		}
	})
}

func FuzzParseModprobeConf(f *testing.F) {
	roots := filepath.Join(testutil.RepoRoot(), "testdata", "roots")
	seed(f, filepath.Join(roots, "debian", "etc", "modprobe.d", "cis-hardening.conf"))
	seed(f, filepath.Join(roots, "alpine", "etc", "modprobe.d", "blacklist.conf"))
	seed(f, filepath.Join(roots, "debian", "etc", "modules"))
	f.Add([]byte("install a \\\n/bin/false\\\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func(*bytes.Reader) ([]ConfigEntry, error){
			func(r *bytes.Reader) ([]ConfigEntry, error) { return ParseModprobeConf(r) },
			func(r *bytes.Reader) ([]ConfigEntry, error) { return ParseModulesLoad(r) },
		} {
			es, _ := parse(bytes.NewReader(data))
			for _, e := range es {
				if !validConfigName(e.Name) || e.Line < 1 {
					t.Fatalf("bad entry %+v", e)
				}
			}
		}
	})
}
