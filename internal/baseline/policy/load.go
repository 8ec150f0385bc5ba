package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxPolicySize bounds a policy file; the largest shipped is well under.
const MaxPolicySize = 8 << 20

// Error is a policy that failed to load or validate: file, line, reason.
type Error struct {
	File   string
	Line   int
	Reason string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns a yaml.v3 error into an Error with the line it names.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := yamlLine.FindStringSubmatch(te.Errors[0]); m != nil {
			n, _ := strconv.Atoi(m[1])
			reason := m[2]
			if len(te.Errors) > 1 {
				reason += fmt.Sprintf(" (and %d more)", len(te.Errors)-1)
			}
			return &Error{File: file, Line: n, Reason: reason}
		}
		return &Error{File: file, Reason: te.Errors[0]}
	}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Reason: m[2]}
	}
	return &Error{File: file, Reason: strings.TrimPrefix(err.Error(), "yaml: ")}
}

// Parse reads one policy strictly (unknown fields are errors) and
// validates it on its own (includes are resolved later, by Resolve).
func Parse(file string, data []byte) (*Policy, error) {
	if len(data) > MaxPolicySize {
		return nil, &Error{File: file, Reason: fmt.Sprintf("policy is %d bytes, more than the %d allowed", len(data), MaxPolicySize)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Policy
	if err := dec.Decode(&p); err != nil {
		if err == io.EOF {
			return nil, &Error{File: file, Reason: "empty policy"}
		}
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, &Error{File: file, Line: extra.Line, Reason: "more than one YAML document"}
	}
	p.File = file
	p.raw = data
	if err := p.validate(); err != nil {
		// Line numbers cost a second parse: only for a policy that failed.
		p.ensureLines()
		return nil, p.validate()
	}
	return &p, nil
}

// ensureLines fills each check's Line from the source (once).
func (p *Policy) ensureLines() {
	if p.linesDone || p.raw == nil {
		return
	}
	p.linesDone = true
	checkLines(p.raw, p)
}

// LineOf returns the line of the policy's own check id (0 when unknown).
func (p *Policy) LineOf(id string) int {
	p.ensureLines()
	for _, c := range p.Checks {
		if c.ID == id {
			return c.Line
		}
	}
	return 0
}

// checkLines records each check's line from the YAML node tree.
func checkLines(data []byte, p *Policy) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "checks" || top.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for j, n := range top.Content[i+1].Content {
			if j < len(p.Checks) {
				p.Checks[j].Line = n.Line
			}
		}
	}
}

var (
	idRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,95}$`)
	paramRE = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)
)

func (p *Policy) errf(line int, format string, args ...any) error {
	return &Error{File: p.File, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// validate checks what one file can check alone: ids, required texts,
// probe and fix shapes, regexes (with parameter defaults substituted).
func (p *Policy) validate() error {
	if !idRE.MatchString(p.ID) {
		return p.errf(1, "policy id %q must be lower-case letters, digits, '.', '_' or '-'", p.ID)
	}
	if p.Title.EN == "" || p.Title.ZH == "" {
		return p.errf(1, "policy %s needs title.en and title.zh", p.ID)
	}
	for _, g := range p.Applies {
		if err := g.validate(); err != nil {
			return p.errf(1, "policy applies: %v", err)
		}
	}
	if len(p.Checks) == 0 && len(p.Include) == 0 {
		return p.errf(1, "policy %s has no checks and includes nothing", p.ID)
	}
	seen := map[string]int{}
	for i := range p.Checks {
		c := &p.Checks[i]
		if prev, dup := seen[c.ID]; dup {
			return p.errf(c.Line, "check id %q repeats the check at line %d", c.ID, prev)
		}
		seen[c.ID] = c.Line
		if err := c.validate(); err != nil {
			return p.errf(c.Line, "check %s: %v", c.ID, err)
		}
	}
	return nil
}

func (g Gate) validate() error {
	n := 0
	if g.OS != nil {
		n++
		if len(g.OS.ID) == 0 {
			return errors.New("os gate needs an id")
		}
	}
	for _, l := range [][]string{g.Package, g.Service, g.App, g.File} {
		if len(l) > 0 {
			n++
		}
	}
	for _, f := range g.File {
		if !strings.HasPrefix(f, "/") {
			return fmt.Errorf("file gate %q: want an absolute path or glob", f)
		}
		if _, err := path.Match(f, ""); err != nil {
			return fmt.Errorf("file gate %q: %v", f, err)
		}
	}
	if g.Live {
		n++
	}
	if g.SCA != nil {
		n++
		if len(g.SCA.Rules) == 0 || !conditions[g.SCA.Condition] {
			return errors.New("sca gate needs rules and a condition of all, any or none")
		}
	}
	if n != 1 {
		return fmt.Errorf("a gate needs exactly one of os, package, service, app, file, live (has %d)", n)
	}
	return nil
}

var conditions = map[string]bool{"": true, "all": true, "any": true, "none": true}

func (c *Check) validate() error {
	if !idRE.MatchString(c.ID) {
		return fmt.Errorf("id %q must be lower-case letters, digits, '.', '_' or '-'", c.ID)
	}
	if c.Title.EN == "" || c.Title.ZH == "" {
		return errors.New("needs title.en and title.zh")
	}
	if c.Description.EN == "" || c.Description.ZH == "" {
		return errors.New("needs description.en and description.zh")
	}
	if strings.TrimSpace(c.Remediation) == "" {
		return errors.New("needs a remediation")
	}
	if !conditions[c.Condition] {
		return fmt.Errorf("condition %q: want all, any or none", c.Condition)
	}
	for _, g := range c.Applies {
		if err := g.validate(); err != nil {
			return err
		}
	}
	for _, r := range c.References {
		if r.Type == "" || r.ID == "" {
			return errors.New("a reference needs a type and an id")
		}
	}
	if c.Manual {
		if len(c.Probes) > 0 {
			return errors.New("a manual check has no probes")
		}
	} else if len(c.Probes) == 0 {
		return errors.New("needs probes (or manual: true)")
	}
	for i, pr := range c.Probes {
		if err := pr.Validate(); err != nil {
			return fmt.Errorf("probe %d: %v", i+1, err)
		}
	}
	for i, f := range c.Fix {
		if err := f.validate(); err != nil {
			return fmt.Errorf("fix %d: %v", i+1, err)
		}
	}
	return nil
}

// Params returns the parameter names a string references.
func Params(s string) []string {
	var out []string
	for _, m := range paramRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// Expand substitutes ${name} with params[name]; unknown names stay.
func Expand(s string, params map[string]string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return paramRE.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := params[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

var ops = map[string]bool{"": true, "eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true, "match": true, "nomatch": true, "in": true, "notin": true}

func (c Cmp) validate() error {
	if !ops[c.Op] {
		return fmt.Errorf("op %q: want eq, ne, lt, le, gt, ge, match, nomatch, in or notin", c.Op)
	}
	if (c.Op == "match" || c.Op == "nomatch") && len(Params(c.Value)) == 0 {
		if _, err := regexp.Compile(c.Value); err != nil {
			return fmt.Errorf("value regex: %v", err)
		}
	}
	if (c.Op == "lt" || c.Op == "le" || c.Op == "gt" || c.Op == "ge") && len(Params(c.Value)) == 0 {
		if _, err := strconv.ParseFloat(c.Value, 64); err != nil {
			return fmt.Errorf("op %s needs a number, got %q", c.Op, c.Value)
		}
	}
	return nil
}

func checkRE(name, re string) error {
	if re == "" || len(Params(re)) > 0 {
		return nil
	}
	if _, err := regexp.Compile(re); err != nil {
		return fmt.Errorf("%s regex: %v", name, err)
	}
	return nil
}

var missingVals = map[string]bool{"": true, "fail": true, "pass": true, "na": true}

// AccountProperties are the properties the account probe knows.
var AccountProperties = map[string]string{
	"uid0-only-root":          "only root has UID 0",
	"no-empty-password":       "no account has an empty password field",
	"unique-uid":              "no two accounts share a UID",
	"unique-name":             "no two accounts share a name",
	"unique-gid":              "no two groups share a GID",
	"unique-group-name":       "no two groups share a name",
	"root-gid":                "root's primary group is GID 0",
	"system-accounts-nologin": "system accounts (other than root, sync, shutdown, halt) cannot log in",
	"password-max-days":       "every account with a password: shadow max days compared with value",
	"password-min-days":       "every account with a password: shadow min days compared with value",
	"password-warn-days":      "every account with a password: shadow warn days compared with value",
	"password-inactive":       "every account with a password: shadow inactive days compared with value (-1 or empty fails)",
	"password-change-past":    "no account's last password change is in the future",
	"hash-scheme":             "every set password uses a scheme in value (comma list)",
	"group-empty":             "the group named by group has no members",
	"shadowed-passwords":      "every passwd entry keeps its password in shadow (x)",
	"groups-exist":            "every GID in passwd exists in group",
	"no-nopasswd-all":         "no sudoers rule grants ALL commands with NOPASSWD",
	"interactive-users-home":  "every login user's home directory exists",
}

func (p Probe) Validate() error {
	kind, err := p.Kind()
	if err != nil {
		return err
	}
	need := func(what, v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s probe needs %s", kind, what)
		}
		return nil
	}
	switch kind {
	case "file":
		f := p.File
		if err := need("path", f.Path); err != nil {
			return err
		}
		if f.Mode != "" && len(Params(f.Mode)) == 0 {
			if _, err := strconv.ParseUint(f.Mode, 8, 32); err != nil {
				return fmt.Errorf("file mode %q is not octal", f.Mode)
			}
		}
		if f.ModeSet != "" {
			if _, err := strconv.ParseUint(f.ModeSet, 8, 32); err != nil {
				return fmt.Errorf("file mode_set %q is not octal", f.ModeSet)
			}
		}
		if f.Type != "" && f.Type != "file" && f.Type != "dir" {
			return fmt.Errorf("file type %q: want file or dir", f.Type)
		}
		if !missingVals[f.Missing] {
			return fmt.Errorf("missing %q: want fail, pass or na", f.Missing)
		}
		if f.Exists == nil && f.Mode == "" && f.ModeSet == "" && len(f.Owner) == 0 && len(f.Group) == 0 && f.Type == "" {
			return errors.New("file probe tests nothing (exists, type, mode, owner or group)")
		}
	case "content":
		c := p.Content
		if len(c.Paths) == 0 {
			return errors.New("content probe needs paths")
		}
		if (c.Match == "") == (c.NoMatch == "") {
			return errors.New("content probe needs exactly one of match, nomatch")
		}
		if err := checkRE("match", c.Match); err != nil {
			return err
		}
		if err := checkRE("nomatch", c.NoMatch); err != nil {
			return err
		}
		if !missingVals[c.Missing] {
			return fmt.Errorf("missing %q: want fail, pass or na", c.Missing)
		}
	case "keyvalue":
		k := p.KeyValue
		if len(k.Paths) == 0 {
			return errors.New("keyvalue probe needs paths")
		}
		if err := need("key", k.Key); err != nil {
			return err
		}
		switch k.Syntax {
		case "space", "equals", "ini":
		default:
			return fmt.Errorf("keyvalue syntax %q: want space, equals or ini", k.Syntax)
		}
		if k.Syntax == "ini" && k.Section == "" {
			return errors.New("ini syntax needs a section")
		}
		return k.Cmp.validate()
	case "sshd":
		if err := need("key", p.SSHD.Key); err != nil {
			return err
		}
		if p.SSHD.Key != strings.ToLower(p.SSHD.Key) {
			return fmt.Errorf("sshd key %q must be lower case (as sshd -T prints it)", p.SSHD.Key)
		}
		return p.SSHD.Cmp.validate()
	case "pam":
		x := p.PAM
		if err := need("file", x.File); err != nil {
			return err
		}
		if err := need("module", x.Module); err != nil {
			return err
		}
		switch x.Type {
		case "auth", "account", "password", "session":
		default:
			return fmt.Errorf("pam type %q: want auth, account, password or session", x.Type)
		}
		if err := checkRE("control", x.Control); err != nil {
			return err
		}
		if x.Op != "" && x.Arg == "" {
			return errors.New("pam op needs an arg")
		}
		return x.Cmp.validate()
	case "sysctl":
		s := p.Sysctl
		if err := need("key", s.Key); err != nil {
			return err
		}
		switch s.Scope {
		case "", "runtime", "persisted", "both":
		default:
			return fmt.Errorf("sysctl scope %q: want runtime, persisted or both", s.Scope)
		}
		return s.Cmp.validate()
	case "cmdline":
		if err := need("param", p.Cmdline.Param); err != nil {
			return err
		}
		return p.Cmdline.Cmp.validate()
	case "mount":
		m := p.Mount
		if err := need("point", m.Point); err != nil {
			return err
		}
		if !m.Separate && len(m.Options) == 0 {
			return errors.New("mount probe tests nothing (separate or options)")
		}
	case "modprobe":
		return need("module", p.Modprobe.Module)
	case "package":
		if len(p.Package.Name) == 0 {
			return errors.New("package probe needs name")
		}
		if p.Package.Version != nil {
			return p.Package.Version.validate()
		}
	case "service":
		s := p.Service
		if len(s.Name) == 0 {
			return errors.New("service probe needs name")
		}
		if s.Enabled == nil && s.Active == nil {
			return errors.New("service probe tests nothing (enabled or active)")
		}
	case "process":
		if len(p.Process.Name) == 0 || p.Process.Running == nil {
			return errors.New("process probe needs name and running")
		}
	case "port":
		if len(p.Port.Ports) == 0 || p.Port.Listening == nil {
			return errors.New("port probe needs ports and listening")
		}
		switch p.Port.Proto {
		case "", "tcp", "udp":
		default:
			return fmt.Errorf("port proto %q: want tcp or udp", p.Port.Proto)
		}
	case "account":
		a := p.Account
		if _, ok := AccountProperties[a.Property]; !ok {
			return fmt.Errorf("account property %q is unknown", a.Property)
		}
		if a.Property == "group-empty" && a.Group == "" {
			return errors.New("group-empty needs group")
		}
		return a.Cmp.validate()
	case "command":
		c := p.Command
		if len(c.Argv) == 0 {
			return errors.New("command probe needs argv")
		}
		if err := CommandAllowed(c.Argv); err != nil {
			return err
		}
		if err := checkRE("match", c.Match); err != nil {
			return err
		}
		return checkRE("nomatch", c.NoMatch)
	case "tree":
		if len(p.Tree.Paths) == 0 {
			return errors.New("tree probe needs paths")
		}
		switch p.Tree.Find {
		case "world-writable", "unowned", "ungrouped":
		default:
			return fmt.Errorf("tree find %q: want world-writable, unowned or ungrouped", p.Tree.Find)
		}
	case "sca":
		// Validated by the SCA rule parser when the probe runs.
	}
	return nil
}

// AllowedCommands are the programs the command probe may run (absolute
// paths, argv only): read-only queries with no file form.
var AllowedCommands = map[string]bool{
	"/usr/sbin/sshd":            true,
	"/usr/bin/systemctl":        true,
	"/bin/systemctl":            true,
	"/usr/sbin/auditctl":        true,
	"/sbin/auditctl":            true,
	"/usr/sbin/aa-status":       true,
	"/usr/sbin/apparmor_status": true,
	"/usr/sbin/getenforce":      true,
	"/usr/sbin/sestatus":        true,
	"/usr/bin/timedatectl":      true,
	"/usr/sbin/nft":             true,
	"/usr/sbin/iptables":        true,
	"/usr/sbin/ufw":             true,
	"/usr/bin/firewall-cmd":     true,
}

// AllowedArgs restricts the first argument of programs that can also
// change state.
var allowedFirstArg = map[string]map[string]bool{
	"/usr/bin/systemctl":    {"is-enabled": true, "is-active": true, "show": true, "get-default": true, "is-system-running": true},
	"/bin/systemctl":        {"is-enabled": true, "is-active": true, "show": true, "get-default": true, "is-system-running": true},
	"/usr/sbin/auditctl":    {"-l": true, "-s": true},
	"/sbin/auditctl":        {"-l": true, "-s": true},
	"/usr/sbin/sshd":        {"-T": true},
	"/usr/sbin/nft":         {"list": true},
	"/usr/sbin/iptables":    {"-L": true, "-S": true},
	"/usr/sbin/ufw":         {"status": true},
	"/usr/bin/firewall-cmd": {"--state": true, "--list-all": true, "--get-default-zone": true},
	"/usr/bin/timedatectl":  {"show": true, "status": true},
}

// CommandAllowed reports whether argv may run under the command probe.
func CommandAllowed(argv []string) error {
	if len(argv) == 0 {
		return errors.New("empty command")
	}
	if !AllowedCommands[argv[0]] {
		return fmt.Errorf("command %q is not on the allow-list", argv[0])
	}
	if first, ok := allowedFirstArg[argv[0]]; ok {
		if len(argv) < 2 || !first[argv[1]] {
			return fmt.Errorf("command %s: only %v are allowed", argv[0], keys(first))
		}
	}
	return nil
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (f Fix) validate() error {
	switch f.Kind() {
	case "set_config":
		s := f.SetConfig
		if !strings.HasPrefix(s.Path, "/") || s.Key == "" {
			return errors.New("set_config needs an absolute path and a key")
		}
		if s.Syntax != "" && s.Syntax != "space" && s.Syntax != "equals" {
			return fmt.Errorf("set_config syntax %q: want space or equals", s.Syntax)
		}
	case "sysctl":
		if f.Sysctl.Key == "" || f.Sysctl.Value == "" {
			return errors.New("sysctl fix needs key and value")
		}
	case "file_mode":
		m := f.FileMode
		if !strings.HasPrefix(m.Path, "/") {
			return errors.New("file_mode needs an absolute path")
		}
		if m.Mode == "" && m.Owner == "" && m.Group == "" {
			return errors.New("file_mode changes nothing")
		}
		if m.Mode != "" {
			if _, err := strconv.ParseUint(m.Mode, 8, 32); err != nil {
				return fmt.Errorf("file_mode mode %q is not octal", m.Mode)
			}
		}
	case "disable_service":
		if strings.ContainsAny(f.DisableService, "/ \t") {
			return fmt.Errorf("service name %q is not a unit name", f.DisableService)
		}
	case "blacklist_module":
		if !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(f.BlacklistModule) {
			return fmt.Errorf("module name %q is not valid", f.BlacklistModule)
		}
	case "append_line":
		if !strings.HasPrefix(f.AppendLine.Path, "/") || f.AppendLine.Line == "" || strings.Contains(f.AppendLine.Line, "\n") {
			return errors.New("append_line needs an absolute path and one line")
		}
	default:
		return errors.New("a fix needs exactly one of set_config, sysctl, file_mode, disable_service, blacklist_module, append_line")
	}
	return nil
}
