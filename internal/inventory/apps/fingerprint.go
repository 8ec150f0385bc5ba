package apps

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/ward-sec/ward/internal/inventory/yamllist"
)

// Fingerprint says how to recognise one application: from running
// processes, OS packages, and files at well-known places, and how to read
// its version and find its configuration. Fingerprints are data (YAML).
type Fingerprint struct {
	Name     string `yaml:"name"`
	Category string `yaml:"category"`
	// Processes: a process matching any matcher belongs to this application.
	Processes []ProcessMatcher `yaml:"processes"`
	// Packages lists OS package names per package type (deb, rpm, apk) as
	// regular expressions matched against the whole name.
	Packages map[string][]string `yaml:"packages"`
	// Binaries are globs of executables; an existing one is an install.
	Binaries []string `yaml:"binaries"`
	Home     HomeSpec `yaml:"home"`
	Config   Config   `yaml:"config"`
	// Versions are tried in order when no OS package gives the version.
	Versions []VersionSource `yaml:"versions"`

	// Source is the file the fingerprint was loaded from.
	Source string `yaml:"-"`

	procs    []compiledMatcher
	pkgs     map[string][]*regexp.Regexp
	homeArgs []*regexp.Regexp
	instArgs []*regexp.Regexp
	cfgArgs  []*regexp.Regexp
	versions []compiledVersion
}

// ProcessMatcher matches one process. Names are regular expressions matched
// against the whole process name, executable base name or argv[0] base
// name; Cmdline is a regular expression searched in the space-joined
// command line. A matcher with both needs both.
type ProcessMatcher struct {
	Names   []string `yaml:"names"`
	Cmdline string   `yaml:"cmdline"`
	// Role names the part the process plays (hadoop: namenode, datanode).
	Role string `yaml:"role"`
}

type compiledMatcher struct {
	names   []*regexp.Regexp
	cmdline *regexp.Regexp
	role    string
}

// HomeSpec says where an install lives. The install directory (home) comes
// from the first Args expression that matches a process argument (group 1
// is the directory), else from the executable ExeUp levels up. Globs list
// directories to look for installs that are not running; a directory is an
// install only when the Marker glob matches inside it.
type HomeSpec struct {
	Args   []string `yaml:"args"`
	ExeUp  int      `yaml:"exe_up"`
	Globs  []string `yaml:"globs"`
	Marker string   `yaml:"marker"`
	// InstanceArgs name the per-instance directory (catalina.base,
	// a PostgreSQL data directory): instances of one install are separate.
	InstanceArgs []string `yaml:"instance_args"`
	// InstanceFlags are options whose value is the instance directory
	// (postgres -D DIR).
	InstanceFlags []string `yaml:"instance_flags"`
}

// Config lists configuration files. Files are globs: absolute ones are
// system-wide, relative ones are under the instance or home directory.
// Flags are command-line options whose value is a config file ("-c" takes
// "-c FILE" and "-c=FILE"); Args are expressions on single arguments whose
// group 1 is a config file.
type Config struct {
	Files []string `yaml:"files"`
	Flags []string `yaml:"flags"`
	Args  []string `yaml:"args"`
}

// VersionSource reads a version. Exactly one of File, Glob, Zip, Binary
// and Exe is set; Regex's first non-empty groups, joined with ".", are the
// version.
type VersionSource struct {
	// File: regex over the first MaxBytes of a file (relative: under home).
	File string `yaml:"file"`
	// Glob: regex over the base names of files matching the glob (relative:
	// under home), e.g. kafka_2.13-3.6.1.jar.
	Glob string `yaml:"glob"`
	// Zip and Entry: regex over one entry of an archive (relative: under home).
	Zip   string `yaml:"zip"`
	Entry string `yaml:"entry"`
	// Binary: regex over the first MaxBytes of the executable.
	Binary bool `yaml:"binary"`
	// Exe: regex over the executable's path.
	Exe      bool   `yaml:"exe"`
	Regex    string `yaml:"regex"`
	MaxBytes int64  `yaml:"max_bytes"`
}

type compiledVersion struct {
	VersionSource
	re *regexp.Regexp
}

// Categories an application may have.
var Categories = map[string]bool{
	"web-server": true, "app-server": true, "database": true, "cache": true, "queue": true,
	"big-data": true, "container": true, "runtime": true, "other": true,
}

// packageTypes are the OS package types a fingerprint may list.
var packageTypes = map[string]bool{"deb": true, "rpm": true, "apk": true}

const (
	maxFingerprintFile = 1 << 20
	defaultFileMax     = 1 << 20
	defaultBinaryMax   = 32 << 20
)

// Parse reads one YAML fingerprint file. name is only used in errors, which
// always start with it so a broken user-supplied file is easy to find.
func Parse(name string, data []byte) ([]*Fingerprint, error) {
	return yamllist.Parse(name, data, maxFingerprintFile, func(fp *Fingerprint) (string, error) {
		fp.Source = name
		err := fp.compile()
		return fp.Name, err
	})
}

func (fp *Fingerprint) compile() error {
	if fp.Name == "" {
		return errors.New("name is required")
	}
	if !Categories[fp.Category] {
		return fmt.Errorf("unknown category %q", fp.Category)
	}
	for i, m := range fp.Processes {
		if len(m.Names) == 0 && m.Cmdline == "" {
			return fmt.Errorf("process matcher %d: needs names or cmdline", i+1)
		}
		cm := compiledMatcher{role: m.Role}
		for _, n := range m.Names {
			re, err := anchored(n)
			if err != nil {
				return fmt.Errorf("process matcher %d: %w", i+1, err)
			}
			cm.names = append(cm.names, re)
		}
		if m.Cmdline != "" {
			re, err := regexp.Compile(m.Cmdline)
			if err != nil {
				return fmt.Errorf("process matcher %d: %w", i+1, err)
			}
			cm.cmdline = re
		}
		fp.procs = append(fp.procs, cm)
	}
	fp.pkgs = map[string][]*regexp.Regexp{}
	for typ, names := range fp.Packages {
		if !packageTypes[typ] {
			return fmt.Errorf("unknown package type %q", typ)
		}
		for _, n := range names {
			re, err := anchored(n)
			if err != nil {
				return fmt.Errorf("packages: %w", err)
			}
			fp.pkgs[typ] = append(fp.pkgs[typ], re)
		}
	}
	for _, g := range append(append([]string{}, fp.Binaries...), fp.Home.Globs...) {
		if err := checkGlob(g, true); err != nil {
			return err
		}
	}
	if fp.Home.Marker != "" {
		if err := checkGlob(fp.Home.Marker, false); err != nil {
			return err
		}
	}
	if fp.Home.ExeUp < 0 || fp.Home.ExeUp > 8 {
		return fmt.Errorf("home.exe_up %d out of range 0-8", fp.Home.ExeUp)
	}
	var err error
	if fp.homeArgs, err = compileGroup1("home.args", fp.Home.Args); err != nil {
		return err
	}
	if fp.instArgs, err = compileGroup1("home.instance_args", fp.Home.InstanceArgs); err != nil {
		return err
	}
	if fp.cfgArgs, err = compileGroup1("config.args", fp.Config.Args); err != nil {
		return err
	}
	for _, f := range fp.Config.Files {
		if err := checkGlob(f, false); err != nil {
			return err
		}
	}
	for i, v := range fp.Versions {
		cv, err := compileVersion(v)
		if err != nil {
			return fmt.Errorf("versions %d: %w", i+1, err)
		}
		fp.versions = append(fp.versions, cv)
	}
	return nil
}

func compileVersion(v VersionSource) (compiledVersion, error) {
	set := 0
	for _, b := range []bool{v.File != "", v.Glob != "", v.Zip != "", v.Binary, v.Exe} {
		if b {
			set++
		}
	}
	if set != 1 {
		return compiledVersion{}, errors.New("exactly one of file, glob, zip, binary, exe is required")
	}
	if v.Zip != "" && v.Entry == "" {
		return compiledVersion{}, errors.New("zip needs entry")
	}
	if v.MaxBytes < 0 || v.MaxBytes > 256<<20 {
		return compiledVersion{}, fmt.Errorf("max_bytes %d out of range", v.MaxBytes)
	}
	for _, p := range []string{v.File, v.Glob, v.Zip} {
		if p != "" {
			if err := checkGlob(p, false); err != nil {
				return compiledVersion{}, err
			}
		}
	}
	if v.Regex == "" {
		return compiledVersion{}, errors.New("regex is required")
	}
	re, err := regexp.Compile(v.Regex)
	if err != nil {
		return compiledVersion{}, err
	}
	if re.NumSubexp() == 0 {
		return compiledVersion{}, fmt.Errorf("regex %q has no group", v.Regex)
	}
	return compiledVersion{VersionSource: v, re: re}, nil
}

// anchored compiles a name expression that must match the whole string.
func anchored(expr string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + expr + `)$`)
}

func compileGroup1(field string, exprs []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, e := range exprs {
		re, err := regexp.Compile(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		if re.NumSubexp() == 0 {
			return nil, fmt.Errorf("%s: %q has no group", field, e)
		}
		out = append(out, re)
	}
	return out, nil
}

// checkGlob rejects patterns path.Match cannot use and paths that try to
// climb out of the directory they are relative to.
func checkGlob(p string, mustBeAbs bool) error {
	if mustBeAbs && !strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q must be absolute", p)
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

// matchesPackage reports the index of the first package expression of the
// given type that matches name (lower is preferred), or -1.
func (fp *Fingerprint) matchesPackage(typ, name string) int {
	for i, re := range fp.pkgs[typ] {
		if re.MatchString(name) {
			return i
		}
	}
	return -1
}

// isRuntime: runtimes (java, python, node) share their processes with the
// application they run, so they match in addition to it, not instead.
func (fp *Fingerprint) isRuntime() bool { return fp.Category == "runtime" }
