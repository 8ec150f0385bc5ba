package websites

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/ward-sec/ward/internal/inventory/yamllist"
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
func ParseAppFingerprints(name string, data []byte) ([]*AppFingerprint, error) {
	return yamllist.Parse(name, data, maxAppFingerprintFile, func(fp *AppFingerprint) (string, error) {
		fp.Source = name
		err := fp.compile()
		return fp.Name, err
	})
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
	var out []*AppFingerprint
	err := yamllist.ForEachFile(fsys, maxAppFingerprintFile, func(name string, data []byte) error {
		fps, err := ParseAppFingerprints(name, data)
		out = append(out, fps...)
		return err
	})
	if err != nil {
		return nil, err
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
