package container

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func addFiles(f *testing.F, pattern string) {
	f.Helper()
	paths, _ := filepath.Glob(pattern)
	if len(paths) == 0 {
		f.Fatalf("no seeds match %s", pattern)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseOCIConfig(f *testing.F) {
	addFiles(f, filepath.Join("testdata", "root", "run", "containerd", "*", "*", "*", "config.json"))
	addFiles(f, filepath.Join("testdata", "runc-spec.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseOCIConfig(data)
		if err != nil {
			return
		}
		if len(c.Labels) > maxLabels {
			t.Fatalf("%d labels", len(c.Labels))
		}
	})
}

// reducedSeeds adds each fixture file re-encoded with only the fields Ward
// reads (into a value of type T): the full API documents are several KB,
// and the fuzzer's minimiser is quadratic in input size.
func reducedSeeds[T any](f *testing.F, pattern string) {
	f.Helper()
	paths, _ := filepath.Glob(pattern)
	if len(paths) == 0 {
		f.Fatalf("no seeds match %s", pattern)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			f.Fatal(err)
		}
		small, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(small)
	}
}

func FuzzParseDockerInspect(f *testing.F) {
	reducedSeeds[dockerInspect](f, filepath.Join("testdata", "docker", "inspect-*.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseDockerInspect(data)
		if err != nil {
			return
		}
		if !validID(c.ID) || c.PID < 0 || len(c.Labels) > maxLabels {
			t.Fatalf("bad record accepted: %+v", c)
		}
	})
}

func FuzzParseDockerList(f *testing.F) {
	reducedSeeds[[]dockerSummary](f, filepath.Join("testdata", "docker", "containers.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := parseDockerList(data)
		if err != nil {
			return
		}
		for _, s := range list {
			c := fromSummary(s)
			if len(c.Labels) > maxLabels {
				t.Fatalf("%d labels", len(c.Labels))
			}
		}
	})
}

func FuzzParseDockerVersion(f *testing.F) {
	addFiles(f, filepath.Join("testdata", "docker", "version-*.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parseDockerVersion(data)
		if err != nil {
			return
		}
		got := chooseAPIVersion(v.APIVersion, v.MinAPIVersion)
		if _, ok := parseVersionOK(got); !ok {
			t.Fatalf("chose unusable version %q", got)
		}
	})
}
