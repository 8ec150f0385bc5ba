package process

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles adds every fixture file with the given base name as a seed.
func seedFiles(f *testing.F, base string) {
	f.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", "proc", "*", base))
	if len(paths) == 0 {
		f.Fatalf("no fixture seeds for %s", base)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseStat(f *testing.F) {
	seedFiles(f, "stat")
	f.Add([]byte("1 ()) R 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseStat(data)
		if err == nil && (s.PID < 0 || s.PPID < 0) {
			t.Fatalf("negative ids accepted: %+v", s)
		}
	})
}

func FuzzParseStatusUID(f *testing.F) {
	seedFiles(f, "status")
	f.Fuzz(func(t *testing.T, data []byte) {
		uid, err := parseStatusUID(data)
		if err == nil && uid < 0 {
			t.Fatalf("negative uid %d without error", uid)
		}
	})
}

func FuzzParseCmdline(f *testing.F) {
	seedFiles(f, "cmdline")
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		for _, a := range parseCmdline(data) {
			n += len(a)
		}
		if n > len(data) {
			t.Fatalf("%d bytes of arguments from %d bytes", n, len(data))
		}
	})
}

func FuzzParseCgroup(f *testing.F) {
	seedFiles(f, "cgroup")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, id := parseCgroup(data)
		if id != "" && !bytes.Contains(data, []byte(id)) {
			t.Fatalf("id %q not in input", id)
		}
		if p != "" && !bytes.Contains(data, []byte(p)) {
			t.Fatalf("path %q not in input", p)
		}
	})
}

func FuzzParseBootTime(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "proc", "stat"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		if bt, err := parseBootTime(bytes.NewReader(data)); err == nil && bt <= 0 {
			t.Fatalf("non-positive btime %d accepted", bt)
		}
	})
}

func FuzzParseUserNames(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "root", "etc", "passwd"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		names, _ := parseUserNames(bytes.NewReader(data))
		for uid, n := range names {
			if uid < 0 || n == "" {
				t.Fatalf("bad entry %d=%q", uid, n)
			}
		}
	})
}

func FuzzParseMountinfo(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "mountinfo"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, "/mnt/remote/x")
	f.Fuzz(func(t *testing.T, data []byte, p string) {
		mounts, _ := parseMountinfo(bytes.NewReader(data))
		for _, m := range mounts {
			if m.fstype == "" {
				t.Fatalf("mount without type: %+v", m)
			}
		}
		_ = fsTypeOf(mounts, p)
	})
}
