// Package policy defines Ward's baseline policy format (see ../FORMAT.md):
// declarative YAML checks built from typed probes, loaded strictly, with
// every error naming the file, line and reason.
package policy

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/ward-sec/ward/internal/model"
)

// Text is a string in English and Chinese.
type Text struct {
	EN string `yaml:"en" json:"en"`
	ZH string `yaml:"zh" json:"zh"`
}

// Policy is one baseline: a set of checks with shared parameters.
type Policy struct {
	ID          string `yaml:"id"`
	Title       Text   `yaml:"title"`
	Description Text   `yaml:"description"`
	Version     string `yaml:"version"`
	// Framework: cis, mlps, vendor, custom, wazuh.
	Framework string `yaml:"framework"`
	// Level is the profile level (CIS 1/2, 等保 2/3); 0 when none.
	Level int `yaml:"level"`
	// Select says when policy "auto" picks this policy for a host.
	Select *Select `yaml:"select"`
	// Applies gates the whole policy; when a gate fails every check is
	// not-applicable with the gate's reason.
	Applies []Gate `yaml:"applies"`
	// Include pulls in the checks and parameters of other policies (ids of
	// embedded policies or files next to this one).
	Include []string `yaml:"include"`
	// Disable drops checks (own or included) by id.
	Disable []string `yaml:"disable"`
	// Parameters declare defaults (own) or override included ones.
	Parameters map[string]Param `yaml:"parameters"`
	Checks     []Check          `yaml:"checks"`

	// File is where the policy was read from (embedded: "embedded:<name>").
	File string `yaml:"-"`
}

// Param is a tunable value probes reference as ${name}.
type Param struct {
	Default     string `yaml:"default"`
	Description string `yaml:"description"`
}

// UnmarshalYAML accepts either a full {default, description} mapping or a
// bare scalar (an override: "password_max_days: 180").
func (p *Param) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err == nil {
		p.Default = s
		return nil
	}
	type plain Param
	return unmarshal((*plain)(p))
}

// Select is the auto-selection rule of a policy.
type Select struct {
	OS []OSMatch `yaml:"os"`
	// Apps: any of these inventory applications or packages present.
	Apps []string `yaml:"apps"`
	// Packages: any of these OS packages installed.
	Packages []string `yaml:"packages"`
}

// OSMatch matches /etc/os-release: ID (or an ID_LIKE entry) and VERSION_ID
// prefix ("9" matches "9.3").
type OSMatch struct {
	ID      []string `yaml:"id"`
	Version []string `yaml:"version"`
}

// Gate is one applicability condition; a check applies when all its gates
// hold. Exactly one field is set.
type Gate struct {
	OS *OSMatch `yaml:"os"`
	// Package: any of these OS packages is installed.
	Package []string `yaml:"package"`
	// Service: any of these services is known to the service manager.
	Service []string `yaml:"service"`
	// App: any of these applications was recognised in the inventory.
	App []string `yaml:"app"`
	// File: any of these paths exists.
	File []string `yaml:"file"`
	// Live: the check needs the running host (/proc, sockets).
	Live bool `yaml:"live"`
}

// Check is one baseline item.
type Check struct {
	ID          string            `yaml:"id"`
	Title       Text              `yaml:"title"`
	Description Text              `yaml:"description"`
	Rationale   Text              `yaml:"rationale"`
	Severity    Severity          `yaml:"severity"`
	Tags        []string          `yaml:"tags"`
	References  []model.Reference `yaml:"references"`
	Applies     []Gate            `yaml:"applies"`
	// Condition combines the probes: all (default), any or none.
	Condition string  `yaml:"condition"`
	Probes    []Probe `yaml:"probes"`
	// Manual marks an item a person must assess (interviews, documents);
	// it has no probes.
	Manual bool `yaml:"manual"`
	// Remediation is exact commands or config lines.
	Remediation string `yaml:"remediation"`
	// Fix is the declarative remediation `ward baseline fix` can apply.
	Fix []Fix `yaml:"fix"`

	// Line is the check's line in File.
	Line int `yaml:"-"`
}

// Fix is one declarative remediation step; exactly one field is set.
type Fix struct {
	// SetConfig sets key to value in a config file (replacing every
	// active assignment, or appending one).
	SetConfig *SetConfig `yaml:"set_config"`
	// Sysctl persists key=value in /etc/sysctl.d/60-ward-baseline.conf
	// and, on the live host, writes it to /proc/sys.
	Sysctl *KV `yaml:"sysctl"`
	// FileMode sets mode and/or owner and group of existing files.
	FileMode *FileMode `yaml:"file_mode"`
	// DisableService runs `systemctl disable --now NAME` (live host only).
	DisableService string `yaml:"disable_service"`
	// BlacklistModule writes "install M /bin/false" and "blacklist M" to
	// /etc/modprobe.d/ward-baseline.conf.
	BlacklistModule string `yaml:"blacklist_module"`
	// AppendLine adds a line to a file when no line equals it.
	AppendLine *AppendLine `yaml:"append_line"`
}

type SetConfig struct {
	Path string `yaml:"path"`
	Key  string `yaml:"key"`
	// Value may reference parameters: ${name}.
	Value string `yaml:"value"`
	// Syntax: space ("Key value", default) or equals ("key = value").
	Syntax string `yaml:"syntax"`
}

type KV struct {
	Key   string `yaml:"key"`
	Value string `yaml:"value"`
}

type FileMode struct {
	Path  string `yaml:"path"`
	Mode  string `yaml:"mode"`
	Owner string `yaml:"owner"`
	Group string `yaml:"group"`
}

type AppendLine struct {
	Path string `yaml:"path"`
	Line string `yaml:"line"`
	Mode string `yaml:"mode"` // for a new file, default 0644
}

// Kind returns the name of the one fix field set.
func (f Fix) Kind() string {
	var ks []string
	if f.SetConfig != nil {
		ks = append(ks, "set_config")
	}
	if f.Sysctl != nil {
		ks = append(ks, "sysctl")
	}
	if f.FileMode != nil {
		ks = append(ks, "file_mode")
	}
	if f.DisableService != "" {
		ks = append(ks, "disable_service")
	}
	if f.BlacklistModule != "" {
		ks = append(ks, "blacklist_module")
	}
	if f.AppendLine != nil {
		ks = append(ks, "append_line")
	}
	if len(ks) != 1 {
		return fmt.Sprintf("invalid(%d kinds)", len(ks))
	}
	return ks[0]
}

// Severity is model.Severity read from YAML with the line of a bad value.
type Severity model.Severity

func (s *Severity) UnmarshalYAML(n *yaml.Node) error {
	v, err := model.ParseSeverity(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*s = Severity(v)
	return nil
}
