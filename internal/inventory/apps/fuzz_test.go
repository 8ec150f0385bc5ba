package apps

import (
	"strings"
	"testing"
)

func FuzzParseFingerprints(f *testing.F) {
	for _, name := range builtinNames() {
		data, err := builtin.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("- name: x\n  category: cache\n  versions: [{zip: a, entry: b, regex: '(x'}]\n"))
	f.Add([]byte("&a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fps, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, fp := range fps {
			if fp.Name == "" || !Categories[fp.Category] {
				t.Fatalf("invalid fingerprint accepted: %+v", fp)
			}
		}
	})
}
