package policy

import "fmt"

// Probe is one typed test; exactly one field is set. Values may reference
// parameters as ${name}.
type Probe struct {
	File     *FileProbe     `yaml:"file,omitempty"`
	Content  *ContentProbe  `yaml:"content,omitempty"`
	KeyValue *KeyValueProbe `yaml:"keyvalue,omitempty"`
	SSHD     *SSHDProbe     `yaml:"sshd,omitempty"`
	PAM      *PAMProbe      `yaml:"pam,omitempty"`
	Sysctl   *SysctlProbe   `yaml:"sysctl,omitempty"`
	Cmdline  *CmdlineProbe  `yaml:"cmdline,omitempty"`
	Mount    *MountProbe    `yaml:"mount,omitempty"`
	Modprobe *ModprobeProbe `yaml:"modprobe,omitempty"`
	Package  *PackageProbe  `yaml:"package,omitempty"`
	Service  *ServiceProbe  `yaml:"service,omitempty"`
	Process  *ProcessProbe  `yaml:"process,omitempty"`
	Port     *PortProbe     `yaml:"port,omitempty"`
	Account  *AccountProbe  `yaml:"account,omitempty"`
	Command  *CommandProbe  `yaml:"command,omitempty"`
	Tree     *TreeProbe     `yaml:"tree,omitempty"`
	// SCA is a Wazuh SCA rule ("f:/etc/x -> r:re"), from imported policies.
	SCA string `yaml:"sca,omitempty"`
}

// Kind names the one probe field set, or reports how many were set.
func (p Probe) Kind() (string, error) {
	var ks []string
	add := func(set bool, k string) {
		if set {
			ks = append(ks, k)
		}
	}
	add(p.File != nil, "file")
	add(p.Content != nil, "content")
	add(p.KeyValue != nil, "keyvalue")
	add(p.SSHD != nil, "sshd")
	add(p.PAM != nil, "pam")
	add(p.Sysctl != nil, "sysctl")
	add(p.Cmdline != nil, "cmdline")
	add(p.Mount != nil, "mount")
	add(p.Modprobe != nil, "modprobe")
	add(p.Package != nil, "package")
	add(p.Service != nil, "service")
	add(p.Process != nil, "process")
	add(p.Port != nil, "port")
	add(p.Account != nil, "account")
	add(p.Command != nil, "command")
	add(p.Tree != nil, "tree")
	add(p.SCA != "", "sca")
	if len(ks) != 1 {
		return "", fmt.Errorf("a probe needs exactly one type, has %d %v", len(ks), ks)
	}
	return ks[0], nil
}

// Cmp compares a found value with an expected one.
// Op: eq (default), ne, lt, le, gt, ge (numeric), match, nomatch (RE2),
// in, notin (Value is a comma-separated list).
type Cmp struct {
	Op    string `yaml:"op,omitempty"`
	Value string `yaml:"value,omitempty"`
}

// FileProbe: every file matching Path (a glob) satisfies the properties;
// Mode is the most permissive mode allowed (no bits beyond it).
type FileProbe struct {
	Path   string `yaml:"path,omitempty"`
	Exists *bool  `yaml:"exists,omitempty"`
	Type   string `yaml:"type,omitempty"` // file, dir
	Mode   string `yaml:"mode,omitempty"`
	// ModeSet are bits that must be set (octal), e.g. "1000" sticky.
	ModeSet string   `yaml:"mode_set,omitempty"`
	Owner   []string `yaml:"owner,omitempty"`
	Group   []string `yaml:"group,omitempty"`
	// Missing is the result when nothing matches Path: fail (default),
	// pass, na.
	Missing string `yaml:"missing,omitempty"`
}

// ContentProbe: line regexes over the files matching Paths (globs).
// Match: some line matches; NoMatch: no line matches.
type ContentProbe struct {
	Paths   []string `yaml:"paths,omitempty"`
	Match   string   `yaml:"match,omitempty"`
	NoMatch string   `yaml:"nomatch,omitempty"`
	// Missing: result when no file exists: fail (default), pass, na.
	Missing string `yaml:"missing,omitempty"`
	// Redact shows only the first word of a matching line (values of
	// secret-looking keys are masked even without it).
	Redact bool `yaml:"redact,omitempty"`
}

// KeyValueProbe reads Key from config files (later files override
// earlier ones) in the given Syntax: space ("Key value", login.defs),
// equals ("key = value", pwquality.conf, auditd.conf), ini (equals inside
// [Section], journald.conf).
type KeyValueProbe struct {
	Paths   []string `yaml:"paths,omitempty"`
	Syntax  string   `yaml:"syntax,omitempty"`
	Section string   `yaml:"section,omitempty"`
	Key     string   `yaml:"key,omitempty"`
	// IgnoreCase compares keys case-insensitively.
	IgnoreCase bool `yaml:"ignore_case,omitempty"`
	Cmp        `yaml:",inline"`
	// Default is the value in effect when the key is not set (the
	// program's built-in default); without it an unset key fails.
	Default *string `yaml:"default,omitempty"`
	// Redact never shows the value (automatic for secret-looking keys,
	// see probe.SecretKey).
	Redact bool `yaml:"redact,omitempty"`
}

// SSHDProbe tests sshd's effective setting (lower-case key as `sshd -T`
// prints it).
type SSHDProbe struct {
	Key string `yaml:"key,omitempty"`
	Cmp `yaml:",inline"`
}

// PAMProbe looks for Module in the stack of type Type of /etc/pam.d/File
// (following @include and include/substack).
type PAMProbe struct {
	File    string `yaml:"file,omitempty"`
	Type    string `yaml:"type,omitempty"` // auth, account, password, session
	Module  string `yaml:"module,omitempty"`
	Control string `yaml:"control,omitempty"` // regex on the control field
	// Present false: the module (or the argument) must not appear.
	Present *bool `yaml:"present,omitempty"`
	// Arg names an argument (minlen=14 → "minlen"); with Op/Value its
	// value is compared.
	Arg string `yaml:"arg,omitempty"`
	Cmp `yaml:",inline"`
}

// SysctlProbe compares a kernel parameter. Scope: runtime (/proc/sys),
// persisted (sysctl.d files), both (default: both on a live host,
// persisted otherwise).
type SysctlProbe struct {
	Key   string `yaml:"key,omitempty"`
	Scope string `yaml:"scope,omitempty"`
	Cmp   `yaml:",inline"`
}

// CmdlineProbe tests a kernel command-line parameter (/proc/cmdline on a
// live host, GRUB_CMDLINE_LINUX* in /etc/default/grub otherwise).
type CmdlineProbe struct {
	Param   string `yaml:"param,omitempty"`
	Present *bool  `yaml:"present,omitempty"`
	Cmp     `yaml:",inline"`
}

// MountProbe: Point must be a separate mount (Separate) and/or carry
// Options. With Options only, a point that is not a separate mount is
// not-applicable.
type MountProbe struct {
	Point    string   `yaml:"point,omitempty"`
	Separate bool     `yaml:"separate,omitempty"`
	Options  []string `yaml:"options,omitempty"`
}

// ModprobeProbe: Module cannot be loaded (install /bin/false or
// /bin/true, or blacklisted) and, on a live host, is not loaded.
type ModprobeProbe struct {
	Module string `yaml:"module,omitempty"`
}

// PackageProbe: any of Name installed (Installed true, default) or none
// installed (Installed false); Version compares the installed version.
type PackageProbe struct {
	Name      []string `yaml:"name,omitempty"`
	Installed *bool    `yaml:"installed,omitempty"`
	Version   *Cmp     `yaml:"version,omitempty"`
}

// ServiceProbe: services named Name are enabled/active or not. A
// service that does not exist counts as neither enabled nor active.
type ServiceProbe struct {
	Name    []string `yaml:"name,omitempty"`
	Enabled *bool    `yaml:"enabled,omitempty"`
	Active  *bool    `yaml:"active,omitempty"`
}

// ProcessProbe: a process named one of Name runs (or not).
type ProcessProbe struct {
	Name    []string `yaml:"name,omitempty"`
	Running *bool    `yaml:"running,omitempty"`
}

// PortProbe: nothing (Listening false) or something (true) listens on any
// of Ports over Proto (tcp, udp; empty both).
type PortProbe struct {
	Ports     []int  `yaml:"ports,omitempty"`
	Proto     string `yaml:"proto,omitempty"`
	Listening *bool  `yaml:"listening,omitempty"`
}

// AccountProbe tests a property of local accounts (see FORMAT.md for the
// list of properties).
type AccountProbe struct {
	Property string `yaml:"property,omitempty"`
	// Group names the group for group properties.
	Group string `yaml:"group,omitempty"`
	Cmp   `yaml:",inline"`
}

// CommandProbe runs an allow-listed program (argv, absolute path,
// timeout) on the live host and matches its output.
type CommandProbe struct {
	Argv    []string `yaml:"argv,omitempty"`
	Match   string   `yaml:"match,omitempty"`
	NoMatch string   `yaml:"nomatch,omitempty"`
	// Exit, when set, is the exit status expected.
	Exit *int `yaml:"exit,omitempty"`
}

// TreeProbe walks directory trees (links not followed, bounded) looking
// for files that break a rule. Find: world-writable (files, and
// directories without the sticky bit), unowned (UID not in /etc/passwd),
// ungrouped (GID not in /etc/group). Keep Paths small: it reads metadata
// of every entry.
type TreeProbe struct {
	Paths    []string `yaml:"paths"`
	Find     string   `yaml:"find"`
	MaxDepth int      `yaml:"max_depth,omitempty"`
	Exclude  []string `yaml:"exclude,omitempty"`
}
