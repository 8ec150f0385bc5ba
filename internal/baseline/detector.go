package baseline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/baseline/probe"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
)

// Options choose the policies a run uses.
type Options struct {
	// Policies are ids or files; empty or "auto" picks by the host.
	Policies []string
	// Level: "1"/"2" CIS level, "mlps2"/"mlps3" 等保 level; comma list.
	Level string
	// Overrides set policy parameters (password_max_days=180) in every
	// selected policy that declares them; a name no selected policy
	// declares is an error.
	Overrides map[string]string
}

// Detector is the `ward scan --baseline` detector.
type Detector struct{ Opts Options }

func (d *Detector) Name() string { return "baseline" }

// Detect selects and resolves policies, evaluates them and turns failed
// and errored checks into findings.
func (d *Detector) Detect(ctx context.Context, env *scan.DetectEnv) (*scan.DetectOutput, error) {
	pols, warns, err := Select(d.Opts, env.Inventory)
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		env.Warn("baseline", "", "%s", w)
	}
	t := probe.NewTarget(ctx, env.FS, env.Live, env.ProcRoot, env.Inventory)
	rep := Evaluate(t, pols)
	out := &scan.DetectOutput{Details: rep, Findings: Findings(rep)}
	if len(pols) == 0 {
		out.Summary = append(out.Summary, "no baseline policy applies to this host (use --policy ID|FILE; ward baseline list)")
	}
	out.Summary = append(out.Summary, Summary(rep)...)
	return out, nil
}

// Summary is one line per policy: score and counts.
func Summary(rep *Report) []string {
	var out []string
	for _, p := range rep.Policies {
		c := p.Counts
		out = append(out, fmt.Sprintf("%s: score %.1f%% — %d checks: %d pass, %d fail, %d error, %d n/a, %d manual",
			p.Policy, p.Score, len(p.Checks), c[Pass], c[Fail], c[Error], c[NotApplicable], c[Manual]))
	}
	return out
}

// Findings turns failed checks (and checks that could not be evaluated)
// into findings of kind baseline; rule = policy/check.
func Findings(rep *Report) []model.Finding {
	var out []model.Finding
	for _, p := range rep.Policies {
		for _, c := range p.Checks {
			if c.Status != Fail && c.Status != Error {
				continue
			}
			rule := c.Policy + "/" + c.Check
			asset := model.AssetRef{Type: "host", ID: "baseline"}
			f := model.Finding{
				Kind: model.KindBaseline, Rule: rule, Severity: c.Severity,
				Title: "Not met: " + c.Title, Description: c.Reason, Asset: asset,
				Evidence:    append([]string{c.Reason}, c.Evidence...),
				Remediation: c.Remediation, References: c.References,
			}
			if c.Status == Error {
				f.Severity = model.SevLow
				if c.Severity < model.SevMedium {
					f.Severity = model.SevInfo
				}
				f.Title = "could not evaluate: " + c.Title
			}
			f.ID = model.FindingID(rule, asset)
			out = append(out, f)
		}
	}
	return out
}

// Select loads the policies opts name (or picks them for the host) and
// resolves them. Warnings are policies that failed to load.
func Select(opts Options, inv *model.Inventory) ([]*policy.Resolved, []string, error) {
	var files, ids []string
	auto := len(opts.Policies) == 0
	for _, p := range opts.Policies {
		switch {
		case p == "auto":
			auto = true
		case IsFile(p):
			files = append(files, p)
		default:
			ids = append(ids, p)
		}
	}
	lib, fileIDs := Library(files)
	var warns []string
	for _, e := range lib.Errors {
		warns = append(warns, e.Error())
	}
	ids = append(ids, fileIDs...)
	named := len(ids)
	if auto {
		ids = append(ids, AutoSelect(lib, opts.Level, inv)...)
	}
	var out []*policy.Resolved
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		p, err := lib.Lookup(id)
		if err == nil {
			var r *policy.Resolved
			if r, err = lib.Resolve(p); err == nil {
				out = append(out, r)
				continue
			}
		}
		if i < named {
			return nil, warns, err
		}
		// A policy picked automatically that does not load is reported
		// and skipped; the others still run.
		warns = append(warns, err.Error())
	}
	if len(out) == 0 && len(files) > 0 && len(warns) > 0 {
		return nil, warns, fmt.Errorf("no policy loaded: %s", strings.Join(warns, "; "))
	}
	unused, err := applyOverrides(out, opts.Overrides)
	if err != nil {
		return nil, warns, err
	}
	if len(unused) > 0 {
		// With policies chosen by the host, a parameter of a policy this
		// host did not get is expected (one task, many kinds of host); a
		// name no policy at all declares is a mistake.
		if !auto || !declaredAnywhere(lib, unused) {
			return nil, warns, unknownParams(unused, out)
		}
		warns = append(warns, fmt.Sprintf("parameter %s: not used by the policies chosen for this host", strings.Join(unused, ", ")))
	}
	return out, warns, nil
}

// applyOverrides sets the overridden parameters in the policies that
// declare them and returns the names none of pols declares.
func applyOverrides(pols []*policy.Resolved, set map[string]string) ([]string, error) {
	if len(set) == 0 {
		return nil, nil
	}
	for k, v := range set {
		if err := policy.CheckOverride(k, v); err != nil {
			return nil, err
		}
	}
	used := map[string]bool{}
	for _, p := range pols {
		if _, err := p.Override(set); err != nil {
			return nil, err
		}
		for k := range set {
			if _, ok := p.Params[k]; ok {
				used[k] = true
			}
		}
	}
	var unused []string
	for k := range set {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	slices.Sort(unused)
	return unused, nil
}

// declaredAnywhere reports whether every name is a parameter of some
// policy in lib.
func declaredAnywhere(lib *policy.Library, names []string) bool {
	left := map[string]bool{}
	for _, n := range names {
		left[n] = true
	}
	for _, id := range lib.IDs() {
		p, err := lib.Lookup(id)
		if err != nil {
			continue
		}
		for k := range p.Parameters {
			delete(left, k)
		}
	}
	return len(left) == 0
}

func unknownParams(unknown []string, pols []*policy.Resolved) error {
	var declared, ids []string
	for _, p := range pols {
		ids = append(ids, p.ID)
		for k := range p.Params {
			if !slices.Contains(declared, k) {
				declared = append(declared, k)
			}
		}
	}
	slices.Sort(declared)
	have := "none"
	if len(declared) > 0 {
		have = strings.Join(declared, ", ")
	}
	return fmt.Errorf("unknown baseline parameter %s: not declared by the selected policies (%s); their parameters: %s",
		strings.Join(unknown, ", "), strings.Join(ids, ", "), have)
}

// ParseLevel reads --level: CIS levels ("1", "2") and 等保 levels
// ("mlps2", "mlps3"), comma-separated.
func ParseLevel(s string) (cis int, mlps int, err error) {
	cis = 1
	if s == "" {
		return
	}
	cisSet := false
	for _, tok := range strings.Split(s, ",") {
		switch strings.TrimSpace(strings.ToLower(tok)) {
		case "1", "l1":
			cis, cisSet = 1, true
		case "2", "l2":
			cis, cisSet = 2, true
		case "mlps2", "dengbao2":
			mlps = 2
		case "mlps3", "dengbao3":
			mlps = 3
		default:
			return 0, 0, fmt.Errorf("--level %q: want 1, 2, mlps2 or mlps3 (comma-separated)", tok)
		}
	}
	if !cisSet && mlps > 0 {
		cis = 0
	}
	return
}

// AutoSelect picks policies for a host: each policy whose select matches
// the OS (at the requested level of its framework) or an application or
// package present.
func AutoSelect(lib *policy.Library, level string, inv *model.Inventory) []string {
	cis, mlps, err := ParseLevel(level)
	if err != nil {
		return nil
	}
	var out []string
	for _, id := range lib.IDs() {
		p := lib.Meta(id)
		if p == nil {
			continue
		}
		s := p.Select
		if s == nil {
			continue
		}
		if len(s.OS) > 0 {
			match := false
			for _, m := range s.OS {
				if osMatches(inv, m) {
					match = true
				}
			}
			if !match {
				continue
			}
			if p.Level != 0 {
				switch p.Framework {
				case "mlps":
					if p.Level != mlps {
						continue
					}
				default:
					if p.Level != cis {
						continue
					}
				}
			}
			out = append(out, id)
			continue
		}
		if hostHas(inv, s.Apps, s.Packages) {
			out = append(out, id)
		}
	}
	return out
}

func hostHas(inv *model.Inventory, apps, pkgs []string) bool {
	if inv == nil {
		return false
	}
	for _, a := range inv.Applications {
		if slices.Contains(apps, a.Name) {
			return true
		}
	}
	for _, p := range inv.Packages {
		if p.Type.IsOS() && slices.Contains(pkgs, p.Name) {
			return true
		}
	}
	return false
}
