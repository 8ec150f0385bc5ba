package host

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

// addSeeds adds fixture files (paths relative to the package or, with a
// leading "roots/", to the shared fixture roots) to a fuzz corpus.
func addSeeds(f *testing.F, files ...string) {
	f.Helper()
	for _, name := range files {
		p := filepath.Join("testdata", name)
		if rest, ok := strings.CutPrefix(name, "roots/"); ok {
			p = filepath.Join(testutil.RepoRoot(), "testdata", "roots", rest)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatalf("seed %s: %v", name, err)
		}
		f.Add(data)
	}
}

func FuzzParseOSRelease(f *testing.F) {
	addSeeds(f, "roots/debian/usr/lib/os-release", "roots/rhel/usr/lib/os-release", "roots/alpine/usr/lib/os-release")
	f.Add([]byte("A=\"x\\\"y\" # c\nB='q\nC=a\\\nD=\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseOSRelease(bytes.NewReader(data))
		if err != nil {
			return
		}
		for k := range m {
			if !isReleaseKey(k) {
				t.Fatalf("invalid key %q accepted", k)
			}
		}
		o := osFromFields(m)
		if o.ID != strings.ToLower(o.ID) {
			t.Fatalf("ID not lower case: %q", o.ID)
		}
		ParseRedHatRelease(data)
	})
}

func FuzzParseMountinfo(f *testing.F) {
	addSeeds(f, "proc/self/mountinfo")
	f.Add([]byte(`36 35 98:0 /mnt1 /mnt\0402 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`))
	f.Add([]byte("1 2 3 4 5 6 -\n1 2 3 4 5 6 - x\n- - - - - - - - -"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, _ := ParseMountinfo(bytes.NewReader(data))
		for _, m := range ms {
			if m.FSType == "" {
				t.Fatalf("mount without a type: %+v", m)
			}
			mountFromInfo(m)
		}
	})
}

func FuzzParseFstab(f *testing.F) {
	addSeeds(f, "roots/debian/etc/fstab", "roots/rhel/etc/fstab", "roots/alpine/etc/fstab")
	f.Fuzz(func(t *testing.T, data []byte) {
		es, _ := ParseFstab(bytes.NewReader(data))
		for _, e := range es {
			if e.Spec == "" || e.MountPoint == "" || e.FSType == "" || len(e.Options) == 0 {
				t.Fatalf("incomplete entry %+v", e)
			}
		}
	})
}

func FuzzParseCPUInfo(f *testing.F) {
	addSeeds(f, "proc/cpuinfo", "parsers/cpuinfo-arm-mt8183")
	f.Add([]byte("processor: 0\nphysical id: 0\ncore id: 0\ncpu cores: 4\n\nprocessor: 1\nphysical id: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCPUInfo(bytes.NewReader(data))
		if err != nil {
			return
		}
		if c.Threads < 0 || c.Cores < 0 || c.Sockets < 0 || (c.Threads > 0 && c.Cores > c.Threads) {
			t.Fatalf("inconsistent counts %+v", c)
		}
	})
}

func FuzzParseMeminfoUptime(f *testing.F) {
	addSeeds(f, "proc/meminfo", "proc/uptime", "proc/stat")
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseMeminfo(bytes.NewReader(data))
		if up, err := ParseUptime(data); err == nil && up < 0 {
			t.Fatalf("negative uptime %d", up)
		}
		if bt, err := ParseBootTime(bytes.NewReader(data)); err == nil && bt <= 0 {
			t.Fatalf("non-positive boot time %d", bt)
		}
	})
}

func FuzzParseInstanceData(f *testing.F) {
	f.Add([]byte(ec2InstanceData))
	f.Add([]byte(`{"v1": {"cloud-name": null, "instance-id": ["x"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseInstanceData(data)
		providerFromDatasource(data)
		TZifRule(data)
	})
}
