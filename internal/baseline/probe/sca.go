package probe

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/baseline/config"
	"github.com/ward-sec/ward/internal/baseline/policy"
)

// SCARule is a parsed Wazuh SCA rule:
//
//	[not ]f:/path[ -> CONTENT]      file exists / a line matches
//	[not ]d:/dir[ -> r:NAME][ -> CONTENT]   a file in dir (name pattern) exists / has a matching line
//	[not ]p:NAME                     a process runs
//	[not ]c:COMMAND[ -> CONTENT]     command output has a matching line
//	r:...                            Windows registry (unsupported)
//
// CONTENT is one or more patterns joined by " && " that must all hold on
// the same line: r:REGEX, !r:REGEX, n:REGEX compare OP NUMBER, or a
// literal line.
type SCARule struct {
	Not      bool
	Type     byte
	Target   string
	NameExpr *scaExpr // d: file-name pattern
	Content  []scaExpr
}

type scaExpr struct {
	neg    bool
	re     *regexp.Regexp
	lit    string
	num    bool
	op     string
	number float64
}

// ParseSCARule parses one rule; errors name what is wrong with it.
func ParseSCARule(s string) (*SCARule, error) {
	r := &SCARule{}
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "not "); ok {
		r.Not, s = true, strings.TrimSpace(rest)
	}
	if len(s) < 3 || s[1] != ':' {
		return nil, fmt.Errorf("rule %q: want TYPE:target (f, d, p, c, r)", s)
	}
	r.Type = s[0]
	parts := strings.Split(s[2:], " -> ")
	r.Target = strings.TrimSpace(parts[0])
	parts = parts[1:]
	switch r.Type {
	case 'f', 'c', 'p':
	case 'd':
		if len(parts) > 0 {
			e, err := parseSCAExpr(parts[0])
			if err != nil {
				return nil, err
			}
			r.NameExpr = &e
			parts = parts[1:]
		}
	case 'r':
		return r, nil
	default:
		return nil, fmt.Errorf("rule %q: unknown type %q", s, r.Type)
	}
	if len(parts) > 1 {
		return nil, fmt.Errorf("rule %q: too many '->' parts", s)
	}
	if len(parts) == 1 {
		for _, p := range strings.Split(parts[0], " && ") {
			e, err := parseSCAExpr(p)
			if err != nil {
				return nil, fmt.Errorf("rule %q: %v", s, err)
			}
			r.Content = append(r.Content, e)
		}
	}
	return r, nil
}

var numExpr = regexp.MustCompile(`^n:(.*)\s+compare\s*(<=|>=|==|!=|<|>)\s*(-?[0-9.]+)$`)

func parseSCAExpr(p string) (scaExpr, error) {
	p = strings.TrimSpace(p)
	var e scaExpr
	if m := numExpr.FindStringSubmatch(p); m != nil {
		re, err := scaRegexp(m[1])
		if err != nil {
			return e, err
		}
		n, _ := strconv.ParseFloat(m[3], 64)
		return scaExpr{re: re, num: true, op: m[2], number: n}, nil
	}
	if rest, ok := strings.CutPrefix(p, "!"); ok {
		e.neg, p = true, rest
	}
	if rest, ok := strings.CutPrefix(p, "r:"); ok {
		re, err := scaRegexp(rest)
		if err != nil {
			return e, err
		}
		e.re = re
		return e, nil
	}
	e.lit = p
	return e, nil
}

// scaRegexp translates Wazuh's OS_Regex (case-insensitive, \p for
// punctuation) to RE2.
func scaRegexp(s string) (*regexp.Regexp, error) {
	s = strings.ReplaceAll(s, `\p`, `[[:punct:]]`)
	re, err := regexp.Compile("(?i)" + s)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %v", s, err)
	}
	return re, nil
}

// line reports whether one line satisfies every expression.
func (r *SCARule) line(l string) bool {
	for _, e := range r.Content {
		var ok bool
		switch {
		case e.num:
			m := e.re.FindStringSubmatch(l)
			if m == nil || len(m) < 2 {
				return false
			}
			v, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return false
			}
			switch e.op {
			case "<=":
				ok = v <= e.number
			case ">=":
				ok = v >= e.number
			case "<":
				ok = v < e.number
			case ">":
				ok = v > e.number
			case "==":
				ok = v == e.number
			case "!=":
				ok = v != e.number
			}
		case e.re != nil:
			ok = e.re.MatchString(l) != e.neg
		default:
			ok = (strings.TrimRight(l, " \t") == e.lit) != e.neg
		}
		if !ok {
			return false
		}
	}
	return true
}

func (r *SCARule) anyLine(data []byte) (string, bool) {
	for _, l := range strings.Split(string(data), "\n") {
		if r.line(l) {
			return l, true
		}
	}
	return "", false
}

func (t *Target) sca(rule string) Result {
	r, err := ParseSCARule(rule)
	if err != nil {
		return errorf("%v", err)
	}
	res := t.scaEval(r)
	if r.Not && (res.Status == Pass || res.Status == Fail) {
		if res.Status == Pass {
			res.Status, res.Reason = Fail, "negated rule holds: "+rule
		} else {
			res.Status, res.Reason = Pass, ""
		}
	} else if res.Status == Fail && res.Reason == "" {
		res.Reason = "rule does not hold: " + rule
	}
	return res
}

func (t *Target) scaEval(r *SCARule) Result {
	switch r.Type {
	case 'r':
		return errorf("registry rules (r:) apply to Windows only")
	case 'f':
		files := t.glob(r.Target)
		for _, f := range files {
			data, exists, err := t.read(f)
			if err != nil {
				return errorf("cannot read %s: %v", f, err)
			}
			if !exists {
				continue
			}
			if len(r.Content) == 0 {
				return pass(f + " exists")
			}
			if l, ok := r.anyLine(data); ok {
				return pass(lineEvidence(f, l))
			}
		}
		return fail("")
	case 'd':
		ents, err := t.FS.ReadDir(r.Target)
		if err != nil {
			if isNotExist(err) {
				return fail("")
			}
			return errorf("cannot list %s: %v", r.Target, err)
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			if r.NameExpr != nil && !(r.NameExpr.re != nil && r.NameExpr.re.MatchString(e.Name()) != r.NameExpr.neg) && !(r.NameExpr.re == nil && e.Name() == r.NameExpr.lit) {
				continue
			}
			f := path.Join(r.Target, e.Name())
			if len(r.Content) == 0 {
				return pass(f + " exists")
			}
			data, _, err := t.read(f)
			if err != nil {
				return errorf("cannot read %s: %v", f, err)
			}
			if l, ok := r.anyLine(data); ok {
				return pass(lineEvidence(f, l))
			}
		}
		return fail("")
	case 'p':
		if !t.Live {
			return na("process rules need the live host")
		}
		if t.Inv == nil || len(t.Inv.Processes) == 0 {
			return errorf("no process inventory")
		}
		for _, p := range t.Inv.Processes {
			if p.Name == r.Target || path.Base(p.Exe) == r.Target || strings.Contains(strings.Join(p.Cmdline, " "), r.Target) {
				return pass(fmt.Sprintf("pid %d %s", p.PID, p.Name))
			}
		}
		return fail("")
	case 'c':
		out, res := t.scaCommand(r.Target)
		if res != nil {
			return *res
		}
		if len(r.Content) == 0 {
			return pass(r.Target + " ran")
		}
		if l, ok := r.anyLine(out); ok {
			return pass(compact(r.Target + ": " + l))
		}
		return fail("")
	}
	return errorf("unknown rule type")
}

func isNotExist(err error) bool {
	return err != nil && (errorsIs(err, fs.ErrNotExist) || errorsIs(err, syscallENOTDIR))
}

// scaCommands maps SCA command names to absolute paths for the command
// allow-list.
var scaCommands = map[string]string{
	"sshd": "/usr/sbin/sshd", "/usr/sbin/sshd": "/usr/sbin/sshd", "systemctl": "/usr/bin/systemctl", "/usr/bin/systemctl": "/usr/bin/systemctl", "/bin/systemctl": "/usr/bin/systemctl",
	"auditctl": "/usr/sbin/auditctl", "/sbin/auditctl": "/usr/sbin/auditctl", "/usr/sbin/auditctl": "/usr/sbin/auditctl",
	"nft": "/usr/sbin/nft", "iptables": "/usr/sbin/iptables", "ufw": "/usr/sbin/ufw", "aa-status": "/usr/sbin/aa-status", "apparmor_status": "/usr/sbin/apparmor_status",
	"getenforce": "/usr/sbin/getenforce", "sestatus": "/usr/sbin/sestatus", "timedatectl": "/usr/bin/timedatectl", "firewall-cmd": "/usr/bin/firewall-cmd",
}

// scaCommand answers a c: rule. sshd -T, dpkg-query/dpkg -s and
// systemctl is-enabled are answered from typed probes (so they work on
// images too); other commands run only when allow-listed, as argv.
func (t *Target) scaCommand(cmd string) ([]byte, *Result) {
	if strings.ContainsAny(cmd, "|;&$`<>(){}\\\"'*?") {
		r := errorf("command %q needs a shell: not run (Ward runs no shell commands)", cmd)
		return nil, &r
	}
	argv := strings.Fields(cmd)
	if len(argv) == 0 {
		r := errorf("empty command")
		return nil, &r
	}
	name := argv[0]
	switch {
	case (name == "sshd" || name == "/usr/sbin/sshd") && len(argv) == 2 && argv[1] == "-T":
		s := t.sshdConfig()
		if s.err != nil {
			r := errorf("%v", s.err)
			return nil, &r
		}
		var b strings.Builder
		for k, v := range config.SSHDDefaults {
			if _, set := s.values[k]; !set {
				fmt.Fprintf(&b, "%s %s\n", k, v)
			}
		}
		for k, vs := range s.values {
			for _, v := range vs {
				fmt.Fprintf(&b, "%s %s\n", k, v)
			}
		}
		return []byte(b.String()), nil
	case (name == "dpkg-query" || name == "dpkg") && len(argv) == 3 && argv[1] == "-s":
		pkgs, err := t.osPackages()
		if err != nil {
			r := errorf("%v", err)
			return nil, &r
		}
		if p, ok := pkgs[argv[2]]; ok {
			return []byte(fmt.Sprintf("Package: %s\nStatus: install ok installed\nVersion: %s\n", p.Name, p.Version)), nil
		}
		return []byte(fmt.Sprintf("dpkg-query: package '%s' is not installed and no information is available\n", argv[2])), nil
	case (name == "systemctl" || name == "/usr/bin/systemctl") && len(argv) == 3 && argv[1] == "is-enabled" && !t.Live:
		svcs, err := t.services([]string{argv[2]})
		if err != nil {
			r := errorf("%v", err)
			return nil, &r
		}
		if len(svcs) == 0 {
			return []byte("Failed to get unit file state for " + argv[2] + ": No such file or directory\n"), nil
		}
		return []byte(svcs[0].Enabled + "\n"), nil
	}
	abs, ok := scaCommands[name]
	if !ok {
		r := errorf("command %q is not on the allow-list", name)
		return nil, &r
	}
	argv[0] = abs
	if err := policy.CommandAllowed(argv); err != nil {
		r := errorf("%v", err)
		return nil, &r
	}
	if !t.Live {
		r := na("command rules need the live host")
		return nil, &r
	}
	res := t.runCached(argv)
	if res.err != nil {
		r := errorf("%s: %v", cmd, res.err)
		return nil, &r
	}
	return res.out, nil
}

// lineEvidence shows a matching line, except from files that hold
// password hashes, whose lines are never shown.
func lineEvidence(f, l string) string {
	if redactFile(f) {
		return f + ": (line not shown)"
	}
	return compact(f + ": " + redactLine(f, l, false))
}
