// Package probe evaluates the typed probes of baseline policies against
// one host: its confined root filesystem, /proc when live, and the
// inventory collected in the same scan. Probes never run a shell; the
// command probe runs allow-listed programs by argv with a timeout.
package probe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// Status of one probe.
type Status int

const (
	Pass Status = iota
	Fail
	NA
	Error
)

func (s Status) String() string { return [...]string{"pass", "fail", "not-applicable", "error"}[s] }

// Result is one probe's outcome; Reason explains fail, N/A and error.
type Result struct {
	Status   Status
	Reason   string
	Evidence []string
}

func pass(ev ...string) Result { return Result{Status: Pass, Evidence: ev} }
func fail(reason string, ev ...string) Result {
	return Result{Status: Fail, Reason: reason, Evidence: ev}
}
func na(reason string) Result { return Result{Status: NA, Reason: reason} }
func errorf(format string, args ...any) Result {
	return Result{Status: Error, Reason: fmt.Sprintf(format, args...)}
}

// Runner runs an allow-listed program and returns its combined output and
// exit status; tests replace it.
type Runner func(ctx context.Context, argv []string) (out []byte, exit int, err error)

// Target is one host under evaluation. It caches parsed files, so one
// Target serves every check of a run (not safe for concurrent use).
type Target struct {
	FS       *rootfs.FS
	Live     bool
	ProcRoot string // host path of /proc (live only)
	Inv      *model.Inventory
	Run      Runner
	Ctx      context.Context

	files    map[string]fileRead
	sshd     *sshdState
	sysctl   map[string]sysctlVal
	sysErr   error
	mounts   *mountState
	modprobe *modprobeState
	users    *userDB
	cmdOut   map[string]cmdResult
	pkgIndex map[string]*model.Package
	pkgErr   error
}

type fileRead struct {
	data   []byte
	exists bool
	err    error
}

// NewTarget prepares a target; inv may be nil (inventory probes then
// give error).
func NewTarget(ctx context.Context, fsys *rootfs.FS, live bool, procRoot string, inv *model.Inventory) *Target {
	if procRoot == "" {
		procRoot = "/proc"
	}
	return &Target{FS: fsys, Live: live, ProcRoot: procRoot, Inv: inv, Run: ExecRunner, Ctx: ctx, files: map[string]fileRead{}}
}

// read reads an in-root file once; a missing file is exists=false, any
// other failure an error.
func (t *Target) read(p string) ([]byte, bool, error) {
	if r, ok := t.files[p]; ok {
		return r.data, r.exists, r.err
	}
	data, err := t.FS.ReadFile(p, 0)
	r := fileRead{data: data, exists: err == nil}
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscallENOTDIR) {
		r.err = err
	}
	if err != nil {
		r.data = nil
	}
	t.files[p] = r
	return r.data, r.exists, r.err
}

// readProc reads a file under the host's /proc (live only).
func (t *Target) readProc(rel string) ([]byte, error) {
	return os.ReadFile(path.Join(t.ProcRoot, rel))
}

// glob expands a pattern (or returns the path itself when it has no
// metacharacters), sorted.
func (t *Target) glob(p string) []string {
	if !strings.ContainsAny(p, "*?[") {
		return []string{rootfs.Clean(p)}
	}
	m, _ := t.FS.Glob(p)
	sort.Strings(m)
	return m
}

// AnyExists reports whether some path matching one of the patterns (a
// path or a glob: /opt/apache-tomcat-*/conf/server.xml) exists, and the
// first one found.
func (t *Target) AnyExists(patterns []string) (string, bool) {
	for _, p := range patterns {
		for _, f := range t.glob(p) {
			if t.FS.Exists(f) {
				return f, true
			}
		}
	}
	return "", false
}

// Eval runs one probe with parameters already substituted.
func (t *Target) Eval(p policy.Probe) Result {
	if t.Ctx != nil && t.Ctx.Err() != nil {
		return errorf("cancelled: %v", t.Ctx.Err())
	}
	switch {
	case p.File != nil:
		return t.file(p.File)
	case p.Content != nil:
		return t.content(p.Content)
	case p.KeyValue != nil:
		return t.keyValue(p.KeyValue)
	case p.SSHD != nil:
		return t.sshdProbe(p.SSHD)
	case p.PAM != nil:
		return t.pam(p.PAM)
	case p.Sysctl != nil:
		return t.sysctlProbe(p.Sysctl)
	case p.Cmdline != nil:
		return t.cmdline(p.Cmdline)
	case p.Mount != nil:
		return t.mount(p.Mount)
	case p.Modprobe != nil:
		return t.modprobeProbe(p.Modprobe)
	case p.Package != nil:
		return t.pkg(p.Package)
	case p.Service != nil:
		return t.service(p.Service)
	case p.Process != nil:
		return t.process(p.Process)
	case p.Port != nil:
		return t.port(p.Port)
	case p.Account != nil:
		return t.account(p.Account)
	case p.Command != nil:
		return t.command(p.Command)
	case p.Tree != nil:
		return t.tree(p.Tree)
	case p.SCA != "":
		return t.sca(p.SCA)
	}
	return errorf("empty probe")
}

// compare tests found against want with op. Equality and lists compare
// case-insensitively (config values: "No" is "no"); numbers accept sshd
// time suffixes (5m = 300).
func compare(found, op, want string) (bool, error) {
	switch op {
	case "", "eq":
		return strings.EqualFold(strings.TrimSpace(found), strings.TrimSpace(want)), nil
	case "ne":
		return !strings.EqualFold(strings.TrimSpace(found), strings.TrimSpace(want)), nil
	case "in", "notin":
		in := false
		for _, w := range strings.Split(want, ",") {
			if strings.EqualFold(strings.TrimSpace(w), strings.TrimSpace(found)) {
				in = true
			}
		}
		return in == (op == "in"), nil
	case "match", "nomatch":
		re, err := cachedRE(want)
		if err != nil {
			return false, err
		}
		return re.MatchString(found) == (op == "match"), nil
	case "lt", "le", "gt", "ge":
		f, err := number(found)
		if err != nil {
			return false, fmt.Errorf("%q is not a number", found)
		}
		w, err := number(want)
		if err != nil {
			return false, fmt.Errorf("expected value %q is not a number", want)
		}
		switch op {
		case "lt":
			return f < w, nil
		case "le":
			return f <= w, nil
		case "gt":
			return f > w, nil
		default:
			return f >= w, nil
		}
	}
	return false, fmt.Errorf("unknown op %q", op)
}

var reCache = map[string]*regexp.Regexp{}

func cachedRE(s string) (*regexp.Regexp, error) {
	if re, ok := reCache[s]; ok {
		return re, nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, err
	}
	if len(reCache) < 4096 {
		reCache[s] = re
	}
	return re, nil
}

// number parses an integer or float, an octal umask-like "027" as octal
// when it starts with 0, and sshd time values (30s, 5m, 1h30m).
func number(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if len(s) > 1 && s[0] == '0' && !strings.Contains(s, ".") {
			if o, err := strconv.ParseInt(s, 8, 64); err == nil {
				return float64(o), nil
			}
		}
		return v, nil
	}
	if d, err := time.ParseDuration(strings.ToLower(s)); err == nil {
		return d.Seconds(), nil
	}
	return 0, fmt.Errorf("not a number: %q", s)
}

func cmpReason(what, found, op, want string) string {
	if op == "" {
		op = "eq"
	}
	return fmt.Sprintf("%s is %q, want %s %q", what, found, op, want)
}

// compact shortens an evidence string and masks anything that looks like
// a password hash.
var hashRE = regexp.MustCompile(`\$(1|2[abxy]?|5|6|y|gy|7|sha1|md5)\$[^\s:]+|grub\.pbkdf2\.[^\s"']+`)

func compact(s string) string {
	s = hashRE.ReplaceAllString(s, "[redacted]")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
