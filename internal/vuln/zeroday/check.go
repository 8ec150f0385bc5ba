// Package zeroday evaluates operator-written exposure checks: a 0-day
// that no advisory feed covers yet, described in a small YAML file — a
// package version range, a file that is present, a pattern in a file's
// content, or the version a binary prints — and evaluated on each host
// (`ward vuln check FILE`, or pushed to the fleet as a vuln-check task).
//
//	id: regresshion
//	title: OpenSSH sshd signal handler race (regreSSHion)
//	severity: high
//	references: [CVE-2024-6387]
//	remediation: upgrade openssh-server to 1:9.2p1-2+deb12u3 or later
//	match: any            # any probe (default) or all of them
//	probes:
//	  - package: {type: deb, name: openssh-server, introduced: "1:8.5p1", fixed: "1:9.2p1-2+deb12u3"}
//	  - content: {path: /etc/ssh/sshd_config, regex: '(?m)^\s*LoginGraceTime\s+0\b'}
//	  - command: {path: /usr/sbin/sshd, args: ["-V"], regex: 'OpenSSH_(8\.[5-9]|9\.[0-7])p'}
//
// Files are read through the confined root (never following a link out
// of it); commands run only on the live host, from an allow-listed
// absolute path, with argv only (no shell), a clean environment, as
// nobody when Ward runs as root, with a timeout and capped output.
package zeroday

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ward-sec/ward/internal/model"
)

// Limits on a check file and its probes.
const (
	MaxCheckBytes  = 64 << 10
	maxProbes      = 64
	maxArgs        = 16
	maxArgLen      = 256
	maxRegexLen    = 1024
	defaultTimeout = 5 * time.Second
	maxTimeout     = 30 * time.Second
)

// Check is one operator-written exposure check.
type Check struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	// Severity: info, low, medium, high (default) or critical.
	SeverityName string         `yaml:"severity"`
	Severity     model.Severity `yaml:"-"`
	Description  string         `yaml:"description"`
	References   []string       `yaml:"references"`
	Remediation  string         `yaml:"remediation"`
	// Match is "any" (default: one matching probe exposes the host) or
	// "all" (every probe must match).
	Match  string  `yaml:"match"`
	Probes []Probe `yaml:"probes"`
}

// Probe is one test; exactly one of its fields is set.
type Probe struct {
	Package *PackageProbe
	File    *FileProbe
	Content *ContentProbe
	Command *CommandProbe
	Line    int // in the check file
}

// PackageProbe matches an installed package in a version range.
type PackageProbe struct {
	Type   model.PackageType `yaml:"type"`
	Name   string            `yaml:"name"`   // binary package, module, artifactId or group:artifact
	Source string            `yaml:"source"` // or the source package (OS packages)
	// Introduced (inclusive), Fixed (exclusive), LastAffected (inclusive)
	// bound the range in the ecosystem's own version order; Versions
	// lists exact versions. None of them: any version.
	Introduced   string   `yaml:"introduced"`
	Fixed        string   `yaml:"fixed"`
	LastAffected string   `yaml:"last_affected"`
	Versions     []string `yaml:"versions"`
}

// FileProbe matches when the file exists in the root.
type FileProbe struct {
	Path string `yaml:"path"`
}

// ContentProbe matches when a line of the file matches the regular
// expression (RE2; (?m) for multi-line anchors).
type ContentProbe struct {
	Path  string `yaml:"path"`
	Regex string `yaml:"regex"`
	re    *regexp.Regexp
}

// CommandProbe runs an allow-listed binary and matches its output.
type CommandProbe struct {
	Path    string        `yaml:"path"`
	Args    []string      `yaml:"args"`
	Regex   string        `yaml:"regex"`
	Timeout time.Duration `yaml:"timeout"`
	re      *regexp.Regexp
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// LoadFile reads and validates a check file.
func LoadFile(path string) (*Check, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCheckBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(data, path)
}

// Parse decodes and validates a check; errors name the source and line.
func Parse(data []byte, name string) (*Check, error) {
	if len(data) > MaxCheckBytes {
		return nil, fmt.Errorf("%s: check larger than %d bytes", name, MaxCheckBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Check
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty check", name)
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %s", name, strings.Join(te.Errors, "; "))
		}
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%s: line %d: one check per file (a second YAML document follows)", name, extra.Line)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &c, nil
}

func (c *Check) validate() error {
	switch {
	case !idPattern.MatchString(c.ID):
		return fmt.Errorf("id %q: want letters, digits, '.', '_' or '-' (at most 128)", c.ID)
	case strings.TrimSpace(c.Title) == "":
		return errors.New("title is required")
	case len(c.Probes) == 0:
		return errors.New("probes: at least one probe is required")
	case len(c.Probes) > maxProbes:
		return fmt.Errorf("probes: at most %d", maxProbes)
	}
	if c.SeverityName == "" {
		c.Severity = model.SevHigh
	} else if sev, err := model.ParseSeverity(c.SeverityName); err != nil {
		return fmt.Errorf("severity: %v", err)
	} else {
		c.Severity = sev
	}
	switch c.Match {
	case "":
		c.Match = "any"
	case "any", "all":
	default:
		return fmt.Errorf("match %q: want any or all", c.Match)
	}
	for i := range c.Probes {
		if err := c.Probes[i].validate(); err != nil {
			return fmt.Errorf("line %d: %w", c.Probes[i].Line, err)
		}
	}
	return nil
}

// probeKeys are the fields each probe kind accepts.
var probeKeys = map[string][]string{
	"package": {"type", "name", "source", "introduced", "fixed", "last_affected", "versions"},
	"file":    {"path"},
	"content": {"path", "regex"},
	"command": {"path", "args", "regex", "timeout"},
}

// UnmarshalYAML reads "- <kind>: {fields}", rejecting unknown kinds and
// fields with their line.
func (p *Probe) UnmarshalYAML(n *yaml.Node) error {
	p.Line = n.Line
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return fmt.Errorf("line %d: a probe is one of package:, file:, content:, command: with its fields", n.Line)
	}
	kind, body := n.Content[0].Value, n.Content[1]
	allowed, ok := probeKeys[kind]
	if !ok {
		return fmt.Errorf("line %d: unknown probe %q (want package, file, content or command)", n.Line, kind)
	}
	if body.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s probe: want its fields as a mapping", body.Line, kind)
	}
	for i := 0; i < len(body.Content); i += 2 {
		k := body.Content[i]
		found := false
		for _, a := range allowed {
			found = found || a == k.Value
		}
		if !found {
			return fmt.Errorf("line %d: %s probe: unknown field %q (want %s)", k.Line, kind, k.Value, strings.Join(allowed, ", "))
		}
	}
	var err error
	switch kind {
	case "package":
		p.Package = &PackageProbe{}
		err = body.Decode(p.Package)
	case "file":
		p.File = &FileProbe{}
		err = body.Decode(p.File)
	case "content":
		p.Content = &ContentProbe{}
		err = body.Decode(p.Content)
	case "command":
		p.Command = &CommandProbe{}
		err = body.Decode(p.Command)
	}
	if err != nil {
		return fmt.Errorf("line %d: %s probe: %s", body.Line, kind, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

func (p *Probe) validate() error {
	switch {
	case p.Package != nil:
		q := p.Package
		switch q.Type {
		case model.PkgDeb, model.PkgRPM, model.PkgAPK, model.PkgMaven, model.PkgPyPI, model.PkgNPM, model.PkgGo:
		default:
			return fmt.Errorf("package probe: type %q: want deb, rpm, apk, maven, pypi, npm or golang", q.Type)
		}
		if (q.Name == "") == (q.Source == "") {
			return errors.New("package probe: give name or source")
		}
		if q.Source != "" && !q.Type.IsOS() {
			return errors.New("package probe: source applies to OS packages (deb, rpm, apk)")
		}
		for _, v := range append([]string{q.Introduced, q.Fixed, q.LastAffected}, q.Versions...) {
			if v == "" {
				continue
			}
			if _, err := parseVersion(v, q.Type); err != nil {
				return fmt.Errorf("package probe: version %q: %v", v, err)
			}
		}
		if q.Fixed != "" && q.LastAffected != "" {
			return errors.New("package probe: give fixed or last_affected, not both")
		}
	case p.File != nil:
		return checkPath("file", p.File.Path)
	case p.Content != nil:
		if err := checkPath("content", p.Content.Path); err != nil {
			return err
		}
		for _, d := range []string{"/proc/", "/sys/", "/dev/"} {
			// Kernel files can block a read (/proc/kmsg) or never end.
			if strings.HasPrefix(p.Content.Path, d) {
				return fmt.Errorf("content probe: %s: files under %s are not read", p.Content.Path, d)
			}
		}
		re, err := compile(p.Content.Regex)
		if err != nil {
			return fmt.Errorf("content probe: %w", err)
		}
		p.Content.re = re
	case p.Command != nil:
		c := p.Command
		if err := checkPath("command", c.Path); err != nil {
			return err
		}
		if len(c.Args) > maxArgs {
			return fmt.Errorf("command probe: at most %d arguments", maxArgs)
		}
		for _, a := range c.Args {
			if len(a) > maxArgLen || strings.ContainsRune(a, 0) {
				return fmt.Errorf("command probe: argument %.32q too long or holds a NUL", a)
			}
		}
		if err := allowedCommand(c.Path); err != nil {
			return fmt.Errorf("command probe: %w", err)
		}
		if c.Timeout == 0 {
			c.Timeout = defaultTimeout
		}
		if c.Timeout < 0 || c.Timeout > maxTimeout {
			return fmt.Errorf("command probe: timeout %s: want up to %s", c.Timeout, maxTimeout)
		}
		re, err := compile(c.Regex)
		if err != nil {
			return fmt.Errorf("command probe: %w", err)
		}
		c.re = re
	default:
		return errors.New("empty probe")
	}
	return nil
}

func checkPath(kind, p string) error {
	if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) || len(p) > 4096 {
		return fmt.Errorf("%s probe: path %q must be absolute", kind, p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return fmt.Errorf("%s probe: path %q must not hold ..", kind, p)
		}
	}
	return nil
}

func compile(expr string) (*regexp.Regexp, error) {
	switch {
	case expr == "":
		return nil, errors.New("regex is required")
	case len(expr) > maxRegexLen:
		return nil, fmt.Errorf("regex longer than %d bytes", maxRegexLen)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("regex: %v", err)
	}
	return re, nil
}
