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
	ID          string `yaml:"id,omitempty"`
	Title       Text   `yaml:"title,omitempty"`
	Description Text   `yaml:"description,omitempty"`
	Version     string `yaml:"version,omitempty"`
	// Framework: cis, mlps, vendor, custom, wazuh.
	Framework string `yaml:"framework,omitempty"`
	// Level is the profile level (CIS 1/2, 等保 2/3); 0 when none.
	Level int `yaml:"level,omitempty"`
	// Select says when policy "auto" picks this policy for a host.
	Select *Select `yaml:"select,omitempty"`
	// Applies gates the whole policy; when a gate fails every check is
	// not-applicable with the gate's reason.
	Applies []Gate `yaml:"applies,omitempty"`
	// Include pulls in the checks and parameters of other policies (ids of
	// embedded policies or files next to this one).
	Include []string `yaml:"include,omitempty"`
	// Disable drops checks (own or included) by id.
	Disable []string `yaml:"disable,omitempty"`
	// Parameters declare defaults (own) or override included ones.
	Parameters map[string]Param `yaml:"parameters,omitempty"`
	Checks     []Check          `yaml:"checks,omitempty"`

	// File is where the policy was read from (embedded: "embedded:<name>").
	File string `yaml:"-"`

	raw       []byte
	linesDone bool
}

// Param is a tunable value probes reference as ${name}.
type Param struct {
	Default     string `yaml:"default,omitempty"`
	Description string `yaml:"description,omitempty"`
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
	OS []OSMatch `yaml:"os,omitempty"`
	// Apps: any of these inventory applications or packages present.
	Apps []string `yaml:"apps,omitempty"`
	// Packages: any of these OS packages installed.
	Packages []string `yaml:"packages,omitempty"`
}

// OSMatch matches /etc/os-release: ID (or an ID_LIKE entry) and VERSION_ID
// prefix ("9" matches "9.3").
type OSMatch struct {
	ID      []string `yaml:"id,omitempty"`
	Version []string `yaml:"version,omitempty"`
}

// Gate is one applicability condition; a check applies when all its gates
// hold. Exactly one field is set.
type Gate struct {
	OS *OSMatch `yaml:"os,omitempty"`
	// Package: any of these OS packages is installed.
	Package []string `yaml:"package,omitempty"`
	// Service: any of these services is known to the service manager.
	Service []string `yaml:"service,omitempty"`
	// App: any of these applications was recognised in the inventory.
	App []string `yaml:"app,omitempty"`
	// File: any of these paths exists.
	File []string `yaml:"file,omitempty"`
	// Live: the check needs the running host (/proc, sockets).
	Live bool `yaml:"live,omitempty"`
	// SCA: Wazuh SCA requirement rules (imported policies).
	SCA *SCAGate `yaml:"sca,omitempty"`
}

// SCAGate is a Wazuh SCA "requirements" block.
type SCAGate struct {
	Title     string   `yaml:"title,omitempty"`
	Condition string   `yaml:"condition,omitempty"`
	Rules     []string `yaml:"rules"`
}

// Check is one baseline item.
type Check struct {
	ID          string            `yaml:"id,omitempty"`
	Title       Text              `yaml:"title,omitempty"`
	Description Text              `yaml:"description,omitempty"`
	Rationale   Text              `yaml:"rationale,omitempty"`
	Severity    Severity          `yaml:"severity,omitempty"`
	Tags        []string          `yaml:"tags,omitempty"`
	References  []model.Reference `yaml:"references,omitempty"`
	Applies     []Gate            `yaml:"applies,omitempty"`
	// Condition combines the probes: all (default), any or none.
	Condition string  `yaml:"condition,omitempty"`
	Probes    []Probe `yaml:"probes,omitempty"`
	// Manual marks an item a person must assess (interviews, documents);
	// it has no probes.
	Manual bool `yaml:"manual,omitempty"`
	// Remediation is exact commands or config lines.
	Remediation string `yaml:"remediation,omitempty"`
	// Fix is the declarative remediation `ward baseline fix` can apply.
	Fix []Fix `yaml:"fix,omitempty"`

	// Line is the check's line in File.
	Line int `yaml:"-"`
}

// Fix is one declarative remediation step; exactly one field is set.
type Fix struct {
	// SetConfig sets key to value in a config file (replacing every
	// active assignment, or appending one).
	SetConfig *SetConfig `yaml:"set_config,omitempty"`
	// Sysctl persists key=value in /etc/sysctl.d/60-ward-baseline.conf
	// and, on the live host, writes it to /proc/sys.
	Sysctl *KV `yaml:"sysctl,omitempty"`
	// FileMode sets mode and/or owner and group of existing files.
	FileMode *FileMode `yaml:"file_mode,omitempty"`
	// DisableService runs `systemctl disable --now NAME` (live host only).
	DisableService string `yaml:"disable_service,omitempty"`
	// BlacklistModule writes "install M /bin/false" and "blacklist M" to
	// /etc/modprobe.d/ward-baseline.conf.
	BlacklistModule string `yaml:"blacklist_module,omitempty"`
	// AppendLine adds a line to a file when no line equals it.
	AppendLine *AppendLine `yaml:"append_line,omitempty"`
}

type SetConfig struct {
	Path string `yaml:"path,omitempty"`
	Key  string `yaml:"key,omitempty"`
	// Value may reference parameters: ${name}.
	Value string `yaml:"value,omitempty"`
	// Syntax: space ("Key value", default) or equals ("key = value").
	Syntax string `yaml:"syntax,omitempty"`
}

type KV struct {
	Key   string `yaml:"key,omitempty"`
	Value string `yaml:"value,omitempty"`
}

type FileMode struct {
	Path  string `yaml:"path,omitempty"`
	Mode  string `yaml:"mode,omitempty"`
	Owner string `yaml:"owner,omitempty"`
	Group string `yaml:"group,omitempty"`
}

type AppendLine struct {
	Path string `yaml:"path,omitempty"`
	Line string `yaml:"line,omitempty"`
	Mode string `yaml:"mode,omitempty"` // for a new file, default 0644
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

func (s Severity) MarshalYAML() (any, error) { return model.Severity(s).String(), nil }
