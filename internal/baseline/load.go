package baseline

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"

	"github.com/ward-sec/ward/internal/baseline/policies"
	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/baseline/wazuh"
)

// Library loads the shipped policies and the user's policy files (Ward
// format or Wazuh SCA). A file that fails to load is recorded in
// lib.Errors and skipped; the returned ids are the user files' policies,
// in order.
func Library(files []string) (lib *policy.Library, ids []string) {
	lib = shipped().Clone()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			lib.Errors = append(lib.Errors, &policy.Error{File: f, Reason: err.Error()})
			continue
		}
		var p *policy.Policy
		if IsSCA(data) {
			p, err = convertSCA(f, data)
			if err == nil {
				err = lib.Put(p)
			} else {
				lib.Errors = append(lib.Errors, err)
			}
		} else {
			p, err = lib.Add(f, data)
		}
		if err == nil {
			ids = append(ids, p.ID)
		}
	}
	return lib, ids
}

// shipped parses the embedded policies once per process (they never
// change; the agent evaluates them on every task).
var shipped = sync.OnceValue(func() *policy.Library {
	lib := policy.NewLibrary()
	lib.AddFS(policies.FS, ".", "embedded:")
	return lib
})

// Preload parses the named shipped policies (and what they include) in
// the background, so the work overlaps the inventory collection that
// precedes the detector.
func Preload(ids []string) {
	go func() {
		lib := shipped()
		for len(ids) > 0 {
			p, err := lib.Lookup(ids[0])
			ids = ids[1:]
			if err == nil {
				ids = append(ids, p.Include...)
			}
		}
	}()
}

// IsSCA reports whether data looks like a Wazuh SCA policy (a top-level
// "policy:" mapping).
func IsSCA(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("policy:")) {
			return true
		}
	}
	return false
}

// IsFile reports whether a --policy argument names a file rather than an id.
func IsFile(arg string) bool {
	if filepath.Ext(arg) == ".yaml" || filepath.Ext(arg) == ".yml" {
		return true
	}
	_, err := os.Stat(arg)
	return err == nil && bytes.ContainsAny([]byte(arg), "/.")
}

func convertSCA(file string, data []byte) (*policy.Policy, error) { return wazuh.Convert(file, data) }
