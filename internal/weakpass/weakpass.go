// Package weakpass is Ward's weak-password detector: it collects the
// credentials stored on a host (package source), tests them with the
// cracker (package crack) and turns the outcome into findings: weak and
// empty passwords, weak hash schemes, plaintext credential files and SSH
// keys without a passphrase. It also answers the fleet's leaked-password
// query (Leaked). No hash or password leaves the host: findings name the
// account, the store and the reason, with the password masked unless the
// operator asks for it on a local scan.
package weakpass

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/weakpass/crack"
	"github.com/ward-sec/ward/internal/weakpass/source"
)

// Options configure the detector.
type Options struct {
	// Wordlists are the operator's extra lists (tested in full).
	Wordlists [][]string
	// ShowPasswords puts cracked passwords in the findings in clear.
	ShowPasswords bool
	// CacheDir keeps crack outcomes per hash (never passwords) so an
	// unchanged hash is not cracked again; empty: no cache.
	CacheDir string
	// Budget is the cracker's CPU time per distinct hash (0: its default).
	Budget time.Duration
	// Workers caps the cracker's goroutines (0: GOMAXPROCS).
	Workers int
	// NoBuiltin and NoMutations restrict the candidates to Wordlists.
	NoBuiltin, NoMutations bool

	// sources overrides the database locations (tests).
	sources *source.Env
}

// Detector is the `ward scan --weakpass` detector.
type Detector struct{ opts Options }

// New returns the detector.
func New(opts Options) *Detector { return &Detector{opts: opts} }

func (d *Detector) Name() string { return "weakpass" }

// Detect collects the host's credentials and cracks them.
func (d *Detector) Detect(ctx context.Context, env *scan.DetectEnv) (*scan.DetectOutput, error) {
	rep, err := Check(ctx, env.FS, env.Live, d.opts, func(path, format string, args ...any) {
		env.Warn("weakpass", path, format, args...)
	})
	if err != nil {
		return nil, err
	}
	return &scan.DetectOutput{Findings: rep.Findings, Summary: rep.Summary, Details: rep.Details}, nil
}

// Report is the outcome of Check.
type Report struct {
	Findings []model.Finding
	Summary  []string
	Details  Details
}

// Details is the structured outcome for JSON reports: per account, never
// a password or hash.
type Details struct {
	Stores    []StoreCount       `json:"stores"`
	Accounts  []Account          `json:"accounts"`
	Exposures []source.Exposure  `json:"exposures"`
	Unchecked []source.Unchecked `json:"unchecked"`
}

// StoreCount sums up one store.
type StoreCount struct {
	Store     string `json:"store"`
	Accounts  int    `json:"accounts"`
	Tested    int    `json:"tested"`
	Cracked   int    `json:"cracked"`
	Empty     int    `json:"empty"`
	Locked    int    `json:"locked"`
	Unchecked int    `json:"unchecked"`
}

// Account is one credential's outcome.
type Account struct {
	Store   string `json:"store"`
	Account string `json:"account"`
	Path    string `json:"path"`
	Line    int    `json:"line,omitempty"`
	Status  string `json:"status"`
	Format  string `json:"format,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Password is masked unless ShowPasswords.
	Password string `json:"password,omitempty"`
	Tried    int    `json:"tried,omitempty"`
}

// collect runs the credential sources.
func collect(ctx context.Context, fsys *rootfs.FS, live bool, opts Options, warn func(string, string, ...any)) *source.Result {
	env := source.Env{}
	if opts.sources != nil {
		env = *opts.sources
	}
	env.FS, env.Live, env.Root, env.Warn = fsys, live, os.Geteuid() == 0, warn
	return source.Collect(ctx, &env)
}

// targets turns the testable credentials into cracker targets; the index
// in creds is the target ID.
func targets(creds []source.Credential, hostname string) []crack.Target {
	var out []crack.Target
	for i, c := range creds {
		if c.State != source.Test {
			continue
		}
		hints := slices.Clone(c.Hints)
		if hostname != "" {
			hints = append(hints, hostname)
		}
		out = append(out, crack.Target{ID: strconv.Itoa(i), Hash: c.Secret, Plain: c.Plain, Format: c.Format,
			User: userOf(c), Hints: hints})
	}
	return out
}

// userOf is the account's user name as the cracker wants it: the salt of
// PostgreSQL md5, the seed of user-name mutations.
func userOf(c source.Credential) string {
	switch c.Store {
	case "mysql":
		u, _, _ := strings.Cut(c.Account, "@")
		return u
	case "config-file", "snmp":
		if len(c.Hints) > 0 {
			return c.Hints[0]
		}
		return ""
	}
	return c.Account
}

// Check runs the sources and the cracker over a root.
func Check(ctx context.Context, fsys *rootfs.FS, live bool, opts Options, warn func(path, format string, args ...any)) (*Report, error) {
	res := collect(ctx, fsys, live, opts, warn)
	host := hostname(fsys)
	tg := targets(res.Credentials, host)
	results, err := crack.Run(ctx, tg, crack.Options{Wordlists: opts.Wordlists, Hostname: host, Budget: opts.Budget,
		Workers: opts.Workers, CacheDir: opts.CacheDir, NoBuiltin: opts.NoBuiltin, NoMutations: opts.NoMutations})
	if err != nil {
		return nil, fmt.Errorf("weakpass: %w", err)
	}
	byIdx := map[int]crack.Result{}
	for _, r := range results {
		i, err := strconv.Atoi(r.ID)
		if err != nil || i < 0 || i >= len(res.Credentials) {
			continue
		}
		c := res.Credentials[i]
		if rr, ok := rawFallback(c, r, rawCandidates(c, opts, host)); ok {
			r = rr
		}
		byIdx[i] = r
	}
	return build(res, byIdx, opts.ShowPasswords), nil
}

func hostname(fsys *rootfs.FS) string {
	data, err := fsys.ReadFile("/etc/hostname", 256)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// build turns the sources' result and the crack results into findings,
// summary lines and details.
func build(res *source.Result, results map[int]crack.Result, show bool) *Report {
	rep := &Report{Findings: []model.Finding{}}
	counts := map[string]*StoreCount{}
	count := func(store string) *StoreCount {
		if counts[store] == nil {
			counts[store] = &StoreCount{Store: store}
		}
		return counts[store]
	}
	for _, s := range res.Stores {
		if s != "ssh-keys" && s != "config-files" {
			count(s)
		}
	}
	unchecked := slices.Clone(res.Unchecked)
	for i, c := range res.Credentials {
		sc := count(c.Store)
		sc.Accounts++
		acc := Account{Store: c.Store, Account: c.Account, Path: c.Path, Line: c.Line}
		switch c.State {
		case source.Empty:
			sc.Empty++
			acc.Status = string(crack.Empty)
			rep.Findings = append(rep.Findings, emptyFinding(c))
		case source.Locked:
			sc.Locked++
			acc.Status = string(crack.Locked)
		default:
			r, ok := results[i]
			if !ok {
				r = crack.Result{Status: crack.Unchecked, Reason: "no result from the cracker"}
			}
			acc.Status, acc.Format, acc.Reason, acc.Tried = string(r.Status), r.Format, r.Reason, r.Tried
			switch r.Status {
			case crack.Cracked:
				sc.Tested++
				sc.Cracked++
				acc.Password = Mask(r.Password)
				if show {
					acc.Password = r.Password
				}
				rep.Findings = append(rep.Findings, weakFinding(c, r, show))
			case crack.NotCracked:
				sc.Tested++
			case crack.Empty:
				sc.Empty++
				rep.Findings = append(rep.Findings, emptyFinding(c))
			case crack.Locked:
				sc.Locked++
			default:
				sc.Unchecked++
				unchecked = append(unchecked, source.Unchecked{Store: c.Store, Path: c.Path, Account: c.Account, Reason: r.Reason})
			}
			if f, ok := schemeFinding(c, r.Format); ok {
				rep.Findings = append(rep.Findings, f)
			}
		}
		rep.Details.Accounts = append(rep.Details.Accounts, acc)
	}
	for _, ex := range res.Exposures {
		rep.Findings = append(rep.Findings, exposureFinding(ex))
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		rep.Details.Stores = append(rep.Details.Stores, *counts[k])
	}
	rep.Details.Exposures, rep.Details.Unchecked = res.Exposures, unchecked
	tested := 0
	for _, sc := range counts {
		tested += sc.Tested
	}
	if f, ok := notCheckedFinding(RuleNotChecked, "%d credential stores or accounts not checked for weak passwords (%d tested)", unchecked, tested); ok {
		rep.Findings = append(rep.Findings, f)
	}
	if rep.Details.Accounts == nil {
		rep.Details.Accounts = []Account{}
	}
	rep.Summary = summary(rep.Details)
	return rep
}

// summary is the table report's lines.
func summary(d Details) []string {
	var parts []string
	cracked, empty, tested := 0, 0, 0
	for _, s := range d.Stores {
		if s.Accounts == 0 {
			parts = append(parts, s.Store+" (not read)")
		} else {
			parts = append(parts, fmt.Sprintf("%s %d", s.Store, s.Accounts))
		}
		cracked += s.Cracked
		empty += s.Empty
		tested += s.Tested
	}
	out := []string{}
	if len(parts) == 0 {
		out = append(out, "no credential stores found")
	} else {
		out = append(out, "accounts per store: "+strings.Join(parts, ", "))
	}
	out = append(out, fmt.Sprintf("tested %d, cracked %d, empty passwords %d, plaintext secrets/unprotected keys %d", tested, cracked, empty, len(d.Exposures)))
	const maxLines = 12
	for i, u := range d.Unchecked {
		if i == maxLines {
			out = append(out, fmt.Sprintf("... and %d more not checked (see the JSON report)", len(d.Unchecked)-maxLines))
			break
		}
		what := u.Store
		if u.Account != "" {
			what += " " + u.Account
		}
		if u.Path != "" {
			what += " (" + u.Path + ")"
		}
		out = append(out, "not checked: "+what+": "+strings.TrimPrefix(u.Reason, "not checked: "))
	}
	return out
}

// Mask hides a password but its first and last character ("p*****d");
// the number of stars does not tell the length.
func Mask(pw string) string {
	r := []rune(pw)
	if len(r) <= 3 {
		return "*****"
	}
	return string(r[0]) + "*****" + string(r[len(r)-1])
}
