package websites

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// AppFingerprint recognises a web application in a directory by marker
// files and reads its version from a bounded prefix of a file.
type AppFingerprint struct {
	Name     string `yaml:"name"`
	Language string `yaml:"language"`
	// All markers must hold, and at least one of Any (when given).
	All      []Marker        `yaml:"all"`
	Any      []Marker        `yaml:"any"`
	Versions []AppVersionSrc `yaml:"versions"`
	Source   string          `yaml:"-"`
}

// Marker is a file (relative to the application directory) that must
// exist and, when Regex is set, contain a match in its first 256 KiB.
type Marker struct {
	File  string `yaml:"file"`
	Regex string `yaml:"regex"`
	re    *regexp.Regexp
}

// AppVersionSrc reads a version: a regex over a file's prefix (File), over
// the names matching a glob (Glob), or the version of a language package
// (Package, of PackageType) found under the application directory.
type AppVersionSrc struct {
	File        string `yaml:"file"`
	Glob        string `yaml:"glob"`
	Package     string `yaml:"package"`
	PackageType string `yaml:"package_type"`
	Regex       string `yaml:"regex"`
	re          *regexp.Regexp
}

var languages = map[string]bool{"php": true, "java": true, "python": true, "node": true, "ruby": true, "go": true, "dotnet": true}

const maxAppFingerprintFile = 1 << 20

// ParseAppFingerprints reads one YAML file of web-application fingerprints;
// errors start with name.
func ParseAppFingerprints(name string, data []byte) (fps []*AppFingerprint, err error) {
	defer func() {
		if r := recover(); r != nil {
			fps, err = nil, fmt.Errorf("%s: invalid YAML: %v", name, r)
		}
	}()
	if len(data) > maxAppFingerprintFile {
		return nil, fmt.Errorf("%s: file larger than %d bytes", name, maxAppFingerprintFile)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var raw []*AppFingerprint
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, fp := range raw {
		if fp == nil {
			return nil, fmt.Errorf("%s: entry %d is empty", name, i+1)
		}
		fp.Source = name
		if err := fp.compile(); err != nil {
			return nil, fmt.Errorf("%s: entry %d (%s): %w", name, i+1, fp.Name, err)
		}
	}
	return raw, nil
}

func (fp *AppFingerprint) compile() error {
	if fp.Name == "" {
		return errors.New("name is required")
	}
	if !languages[fp.Language] {
		return fmt.Errorf("unknown language %q", fp.Language)
	}
	if len(fp.All) == 0 && len(fp.Any) == 0 {
		return errors.New("needs all or any markers")
	}
	for _, list := range [][]Marker{fp.All, fp.Any} {
		for i := range list {
			m := &list[i]
			if err := checkRelative(m.File); err != nil {
				return err
			}
			if m.Regex != "" {
				re, err := regexp.Compile(m.Regex)
				if err != nil {
					return err
				}
				m.re = re
			}
		}
	}
	for i := range fp.Versions {
		v := &fp.Versions[i]
		set := 0
		for _, s := range []string{v.File, v.Glob, v.Package} {
			if s != "" {
				set++
			}
		}
		if set != 1 {
			return fmt.Errorf("versions %d: exactly one of file, glob, package is required", i+1)
		}
		for _, p := range []string{v.File, v.Glob} {
			if p != "" {
				if err := checkRelative(p); err != nil {
					return fmt.Errorf("versions %d: %w", i+1, err)
				}
			}
		}
		if v.Package != "" {
			continue
		}
		re, err := regexp.Compile(v.Regex)
		if err != nil {
			return fmt.Errorf("versions %d: %w", i+1, err)
		}
		if re.NumSubexp() == 0 {
			return fmt.Errorf("versions %d: regex %q has no group", i+1, v.Regex)
		}
		v.re = re
	}
	return nil
}

// checkRelative accepts a relative glob that stays inside the app dir.
func checkRelative(p string) error {
	if p == "" || strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q must be relative", p)
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("bad glob %q: %w", p, err)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return fmt.Errorf("path %q must not contain ..", p)
		}
	}
	return nil
}

//go:embed fingerprints/*.yaml
var builtinApps embed.FS

var (
	appsOnce sync.Once
	appsSet  []*AppFingerprint
	appsErr  error
)

// LoadAppFingerprints reads every *.yaml file at the top of fsys.
func LoadAppFingerprints(fsys fs.FS) ([]*AppFingerprint, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []*AppFingerprint
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		f, err := fsys.Open(e.Name())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		data, err := io.ReadAll(io.LimitReader(f, maxAppFingerprintFile+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		fps, err := ParseAppFingerprints(e.Name(), data)
		if err != nil {
			return nil, err
		}
		out = append(out, fps...)
	}
	return out, nil
}

// DefaultAppFingerprints returns the built-in web-application fingerprints.
func DefaultAppFingerprints() ([]*AppFingerprint, error) {
	appsOnce.Do(func() {
		sub, err := fs.Sub(builtinApps, "fingerprints")
		if err != nil {
			appsErr = err
			return
		}
		appsSet, appsErr = LoadAppFingerprints(sub)
	})
	return appsSet, appsErr
}
