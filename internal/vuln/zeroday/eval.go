package zeroday

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/osv-scalibr/semantic"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// Caps on what a probe reads.
const (
	maxContentBytes = 16 << 20
	maxOutputBytes  = 64 << 10
	maxLineBytes    = 1 << 20
)

// Env is what a check is evaluated against.
type Env struct {
	// FS is the scanned root, confined.
	FS *rootfs.FS
	// Live: FS is the running host, so command probes may run.
	Live bool
	// Packages installed (from the scan's inventory).
	Packages []model.Package
}

// ProbeResult says how one probe went.
type ProbeResult struct {
	Line    int    `json:"line"`
	Kind    string `json:"kind"`
	Matched bool   `json:"matched"`
	// Evidence says what matched ("openssh-server 1:9.2p1-2+deb12u2",
	// "/etc/ssh/sshd_config:14: LoginGraceTime 0").
	Evidence []string `json:"evidence,omitempty"`
	// Skipped says why the probe could not be evaluated (a command probe
	// on a mounted image, an unreadable file); a skipped probe does not
	// match.
	Skipped string `json:"skipped,omitempty"`
}

// Result is a check's outcome on one host.
type Result struct {
	ID      string        `json:"id"`
	Title   string        `json:"title"`
	Exposed bool          `json:"exposed"`
	Probes  []ProbeResult `json:"probes"`
}

// Scope is the findings scope of a check on the server.
func (c *Check) Scope() string { return "vuln-check:" + c.ID }

// Rule is the rule id of the check's findings.
func (c *Check) Rule() string { return "vuln-check/" + c.ID }

// Evaluate runs every probe and decides whether the host is exposed.
func (c *Check) Evaluate(ctx context.Context, env *Env) Result {
	res := Result{ID: c.ID, Title: c.Title}
	matched := 0
	for i := range c.Probes {
		if ctx.Err() != nil {
			break
		}
		pr := c.Probes[i].eval(ctx, env)
		if pr.Matched {
			matched++
		}
		res.Probes = append(res.Probes, pr)
	}
	if c.Match == "all" {
		res.Exposed = matched == len(c.Probes) && matched > 0
	} else {
		res.Exposed = matched > 0
	}
	return res
}

// Findings turns a result into findings: one for the host when exposed,
// on the asset the first matching probe names.
func (c *Check) Findings(res Result) []model.Finding {
	if !res.Exposed {
		return nil
	}
	f := model.Finding{Kind: model.KindVulnerability, Rule: c.Rule(), Severity: c.Severity, Title: c.Title,
		Description: c.Description, Remediation: c.Remediation}
	for i, pr := range res.Probes {
		if !pr.Matched {
			continue
		}
		if f.Asset.Type == "" {
			f.Asset = assetOf(&c.Probes[i], pr)
		}
		for _, e := range pr.Evidence {
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s probe (line %d): %s", pr.Kind, pr.Line, e))
		}
	}
	for _, r := range c.References {
		kind, _, _ := strings.Cut(r, "-")
		f.References = append(f.References, model.Reference{Type: kind, ID: r})
	}
	f.ID = model.FindingID(f.Rule, f.Asset)
	return []model.Finding{f}
}

func assetOf(p *Probe, pr ProbeResult) model.AssetRef {
	switch {
	case p.Package != nil:
		name := p.Package.Name
		if name == "" {
			name = p.Package.Source
		}
		return model.AssetRef{Type: "package", ID: name}
	case p.File != nil:
		return model.AssetRef{Type: "file", ID: p.File.Path, Path: p.File.Path}
	case p.Content != nil:
		return model.AssetRef{Type: "file", ID: p.Content.Path, Path: p.Content.Path}
	default:
		return model.AssetRef{Type: "file", ID: p.Command.Path, Path: p.Command.Path}
	}
}

func (p *Probe) eval(ctx context.Context, env *Env) ProbeResult {
	switch {
	case p.Package != nil:
		return p.Package.eval(p.Line, env)
	case p.File != nil:
		pr := ProbeResult{Line: p.Line, Kind: "file"}
		fi, err := env.FS.Lstat(p.File.Path)
		switch {
		case err == nil:
			pr.Matched = true
			pr.Evidence = []string{fmt.Sprintf("%s present (%s, %d bytes)", p.File.Path, fi.Mode().Type(), fi.Size())}
		case !errors.Is(err, fs.ErrNotExist):
			pr.Skipped = err.Error()
		}
		return pr
	case p.Content != nil:
		return p.Content.eval(p.Line, env)
	default:
		return p.Command.eval(ctx, p.Line, env)
	}
}

func (q *PackageProbe) eval(line int, env *Env) ProbeResult {
	pr := ProbeResult{Line: line, Kind: "package"}
	for i := range env.Packages {
		p := &env.Packages[i]
		if p.Type != q.Type || !q.names(p) {
			continue
		}
		v := installedVersion(p)
		ok, err := q.affects(v)
		if err != nil {
			pr.Skipped = fmt.Sprintf("%s %s: %v", p.Name, v, err)
			continue
		}
		if ok {
			pr.Matched = true
			e := p.Name + " " + v
			if p.Location != "" && !p.Type.IsOS() {
				e += " at " + p.Location
			}
			pr.Evidence = append(pr.Evidence, e)
		}
	}
	return pr
}

func (q *PackageProbe) names(p *model.Package) bool {
	if q.Source != "" {
		src := p.SourceName
		if src == "" {
			src = p.Name
		}
		return src == q.Source
	}
	switch p.Type {
	case model.PkgMaven:
		return q.Name == p.Name || q.Name == p.Group+":"+p.Name
	case model.PkgPyPI:
		return advisory.PEP503(q.Name) == advisory.PEP503(p.Name)
	}
	return q.Name == p.Name
}

// installedVersion is the version as the ecosystem orders it: rpm with
// epoch and release.
func installedVersion(p *model.Package) string {
	if p.Type != model.PkgRPM {
		return strings.TrimPrefix(p.Version, "v")
	}
	v := p.Version
	if p.Release != "" {
		v += "-" + p.Release
	}
	if p.Epoch > 0 {
		v = fmt.Sprintf("%d:%s", p.Epoch, v)
	}
	return v
}

var ecosystems = map[model.PackageType]string{
	model.PkgDeb: "Debian", model.PkgRPM: "Red Hat", model.PkgAPK: "Alpine", model.PkgMaven: "Maven",
	model.PkgPyPI: "PyPI", model.PkgNPM: "npm", model.PkgGo: "Go",
}

func parseVersion(v string, t model.PackageType) (semantic.Version, error) {
	return semantic.Parse(strings.TrimPrefix(v, "v"), ecosystems[t])
}

func (q *PackageProbe) affects(installed string) (bool, error) {
	for _, v := range q.Versions {
		if v == installed {
			return true, nil
		}
	}
	if q.Introduced == "" && q.Fixed == "" && q.LastAffected == "" {
		return len(q.Versions) == 0, nil
	}
	iv, err := parseVersion(installed, q.Type)
	if err != nil {
		return false, err
	}
	cmp := func(bound string) (int, error) {
		bv, err := parseVersion(bound, q.Type)
		if err != nil {
			return 0, err
		}
		return iv.Compare(bv)
	}
	if q.Introduced != "" {
		c, err := cmp(q.Introduced)
		if err != nil || c < 0 {
			return false, err
		}
	}
	if q.Fixed != "" {
		c, err := cmp(q.Fixed)
		if err != nil || c >= 0 {
			return false, err
		}
	}
	if q.LastAffected != "" {
		c, err := cmp(q.LastAffected)
		if err != nil || c > 0 {
			return false, err
		}
	}
	return true, nil
}

func (q *ContentProbe) eval(line int, env *Env) ProbeResult {
	pr := ProbeResult{Line: line, Kind: "content"}
	f, err := env.FS.OpenFile(q.Path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			pr.Skipped = err.Error()
		}
		return pr
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxContentBytes))
	sc.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	n := 0
	for sc.Scan() {
		n++
		if q.re.Match(sc.Bytes()) {
			pr.Matched = true
			pr.Evidence = append(pr.Evidence, fmt.Sprintf("%s:%d: %s", q.Path, n, clip(sc.Text(), 200)))
			if len(pr.Evidence) == 5 {
				break
			}
		}
	}
	if err := sc.Err(); err != nil && !pr.Matched {
		pr.Skipped = fmt.Sprintf("%s: %v", q.Path, err)
	}
	return pr
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Command probes run only binaries in system directories; interpreters
// and shells are refused outright (an argument would be a program).
var (
	commandDirs  = []string{"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/", "/usr/local/sbin/", "/usr/lib/", "/usr/libexec/", "/opt/"}
	interpreters = []string{"sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "fish", "busybox", "env", "sudo", "su", "doas",
		"python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "lua", "tclsh", "awk", "gawk", "mawk", "sed",
		"find", "xargs", "nohup", "timeout", "nice", "ionice", "chroot", "nsenter", "unshare", "setsid", "strace", "gdb",
		"ssh", "scp", "curl", "wget", "nc", "ncat", "socat", "rm", "dd", "tee", "cp", "mv", "chmod", "chown", "systemctl"}
)

// allowedCommand checks the path against the allow list by name (the
// file itself is checked again at run time).
func allowedCommand(p string) error {
	ok := false
	for _, d := range commandDirs {
		ok = ok || strings.HasPrefix(p, d)
	}
	if !ok {
		return fmt.Errorf("%s: commands must live under %s", p, strings.Join(commandDirs, ", "))
	}
	base := filepath.Base(p)
	for _, i := range interpreters {
		if base == i || (strings.HasPrefix(base, i) && strings.Trim(base[len(i):], "0123456789.-") == "") {
			return fmt.Errorf("%s: shells, interpreters and tools that run other programs or change files are not allowed", p)
		}
	}
	return nil
}

func (q *CommandProbe) eval(ctx context.Context, line int, env *Env) ProbeResult {
	pr := ProbeResult{Line: line, Kind: "command"}
	if !env.Live {
		pr.Skipped = "command probes run on the live host only"
		return pr
	}
	// The binary that runs is the one checked: a root-owned regular file
	// no one else may write, reached without symlinks that leave the
	// allowed directories.
	real, err := filepath.EvalSymlinks(q.Path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			pr.Skipped = err.Error()
		}
		return pr
	}
	if err := allowedCommand(real); err != nil {
		pr.Skipped = err.Error()
		return pr
	}
	fi, err := os.Stat(real)
	if err != nil {
		pr.Skipped = err.Error()
		return pr
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	if !fi.Mode().IsRegular() || fi.Mode()&0o022 != 0 || st == nil || st.Uid != 0 {
		pr.Skipped = real + ": not a root-owned executable that only root may change"
		return pr
	}
	ctx, cancel := context.WithTimeout(ctx, q.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, real, q.Args...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	cmd.Dir = "/"
	out := &capped{max: maxOutputBytes}
	cmd.Stdout, cmd.Stderr = out, out // version banners often go to stderr (sshd -V)
	cmd.SysProcAttr = sysProcAttr()
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	if ctx.Err() != nil {
		pr.Skipped = fmt.Sprintf("%s timed out after %s", real, q.Timeout)
		return pr
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		pr.Skipped = err.Error()
		return pr
	}
	sc := bufio.NewScanner(bytes.NewReader(out.buf.Bytes()))
	for sc.Scan() {
		if q.re.MatchString(sc.Text()) {
			pr.Matched = true
			pr.Evidence = append(pr.Evidence, fmt.Sprintf("%s %s: %s", real, strings.Join(q.Args, " "), clip(sc.Text(), 200)))
			break
		}
	}
	return pr
}

// capped keeps the first max bytes written and drops the rest.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// sysProcAttr runs commands as nobody when Ward runs as root, in their
// own process group (so a timeout kills them all).
func sysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	if os.Geteuid() == 0 {
		a.Credential = &syscall.Credential{Uid: 65534, Gid: 65534, NoSetGroups: true}
	}
	return a
}
