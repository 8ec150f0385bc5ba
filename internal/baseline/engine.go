package baseline

import (
	"fmt"
	"math"
	"strings"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/baseline/probe"
	"github.com/ward-sec/ward/internal/model"
)

// Evaluate runs resolved policies against one target.
func Evaluate(t *probe.Target, pols []*policy.Resolved) *Report {
	rep := &Report{Policies: []PolicyResult{}}
	for _, p := range pols {
		rep.Policies = append(rep.Policies, evaluatePolicy(t, p))
	}
	return rep
}

func evaluatePolicy(t *probe.Target, p *policy.Resolved) PolicyResult {
	pr := PolicyResult{Policy: p.ID, Title: p.Title.EN, Version: p.Version, Checks: make([]CheckResult, 0, len(p.Checks)), Counts: map[Status]int{}}
	for _, c := range p.Checks {
		r := EvaluateCheck(t, p, c)
		pr.Counts[r.Status]++
		pr.Checks = append(pr.Checks, r)
	}
	pr.Score = Score(pr.Counts)
	return pr
}

// Score is pass / (pass + fail + error) in percent, one decimal; N/A and
// manual are excluded (0 when nothing counted).
func Score(c map[Status]int) float64 {
	n := c[Pass] + c[Fail] + c[Error]
	if n == 0 {
		return 0
	}
	return math.Round(float64(c[Pass])*1000/float64(n)) / 10
}

// EvaluateCheck runs one check: gates, then probes combined by the
// check's condition.
func EvaluateCheck(t *probe.Target, p *policy.Resolved, c policy.Check) CheckResult {
	r := CheckResult{
		Policy: p.ID, Check: c.ID, Title: policy.Expand(c.Title.EN, p.Params), TitleZH: policy.Expand(c.Title.ZH, p.Params),
		Severity: model.Severity(c.Severity), References: c.References, Tags: c.Tags,
		Remediation: strings.TrimSpace(policy.Expand(c.Remediation, p.Params)),
	}
	// Included checks carry their own policy's gates already (Resolve).
	gates := append(append([]policy.Gate{}, p.Applies...), c.Applies...)
	for _, g := range gates {
		ok, reason, err := gate(t, g)
		if err != nil {
			r.Status, r.Reason = Error, "applicability: "+err.Error()
			return r
		}
		if !ok {
			r.Status, r.Reason = NotApplicable, reason
			return r
		}
	}
	if c.Manual {
		r.Status, r.Reason = Manual, "assessed by interview or document review"
		return r
	}
	results := make([]probe.Result, 0, len(c.Probes))
	for _, pr := range c.Probes {
		results = append(results, t.Eval(policy.ExpandProbe(pr, p.Params)))
	}
	st, reason, ev := Combine(c.Condition, results)
	r.Status, r.Reason, r.Evidence = st, reason, ev
	if st == Pass {
		r.Reason = ""
	}
	return r
}

// Combine folds probe results by condition (see FORMAT.md).
func Combine(cond string, rs []probe.Result) (Status, string, []string) {
	var ev, fails, errs, nas, passes []string
	nPass, nFail, nErr, nNA := 0, 0, 0, 0
	for _, r := range rs {
		ev = append(ev, r.Evidence...)
		switch r.Status {
		case probe.Pass:
			nPass++
			passes = append(passes, firstOr(r.Evidence, "matched"))
		case probe.Fail:
			nFail++
			fails = append(fails, r.Reason)
		case probe.Error:
			nErr++
			errs = append(errs, r.Reason)
		case probe.NA:
			nNA++
			nas = append(nas, r.Reason)
		}
	}
	fails, errs, nas = dedupe(fails), dedupe(errs), dedupe(nas)
	if len(ev) > 8 {
		ev = append(ev[:8:8], fmt.Sprintf("... %d more", len(ev)-8))
	}
	if nNA == len(rs) {
		return NotApplicable, strings.Join(nas, "; "), nil
	}
	switch cond {
	case "any":
		if nPass > 0 {
			return Pass, "", ev
		}
		if nErr > 0 {
			return Error, strings.Join(errs, "; "), ev
		}
		return Fail, strings.Join(fails, "; "), ev
	case "none":
		if nPass > 0 {
			return Fail, "should not hold: " + strings.Join(passes, "; "), ev
		}
		if nErr > 0 {
			return Error, strings.Join(errs, "; "), ev
		}
		return Pass, "", ev
	}
	if nFail > 0 {
		return Fail, strings.Join(fails, "; "), ev
	}
	if nErr > 0 {
		return Error, strings.Join(errs, "; "), ev
	}
	return Pass, "", ev
}

func firstOr(s []string, d string) string {
	if len(s) > 0 {
		return s[0]
	}
	return d
}

// gate reports whether an applicability condition holds, with the reason
// when it does not.
func gate(t *probe.Target, g policy.Gate) (bool, string, error) {
	switch {
	case g.OS != nil:
		if osMatches(t.Inv, *g.OS) {
			return true, "", nil
		}
		return false, fmt.Sprintf("not %s", osLabel(*g.OS)) + foundOS(t.Inv), nil
	case len(g.Package) > 0:
		_, ok, err := t.Installed(g.Package)
		if err != nil {
			return false, "", err
		}
		if !ok {
			return false, strings.Join(g.Package, " or ") + " not installed", nil
		}
	case len(g.Service) > 0:
		ok, err := t.ServiceKnown(g.Service)
		if err != nil {
			return false, "", err
		}
		if !ok {
			return false, "no service " + strings.Join(g.Service, " or "), nil
		}
	case len(g.App) > 0:
		if t.Inv == nil {
			return false, "", fmt.Errorf("no inventory: applications not collected")
		}
		for _, a := range t.Inv.Applications {
			for _, n := range g.App {
				if a.Name == n {
					return true, "", nil
				}
			}
		}
		return false, strings.Join(g.App, " or ") + " not found on the host", nil
	case len(g.File) > 0:
		if _, ok := t.AnyExists(g.File); ok {
			return true, "", nil
		}
		return false, strings.Join(g.File, " or ") + " does not exist", nil
	case g.Live:
		if !t.Live {
			return false, "needs the live host", nil
		}
	case g.SCA != nil:
		var rs []probe.Result
		for _, r := range g.SCA.Rules {
			rs = append(rs, t.Eval(policy.Probe{SCA: r}))
		}
		st, reason, _ := Combine(g.SCA.Condition, rs)
		switch st {
		case Pass:
			return true, "", nil
		case Error:
			return false, "", fmt.Errorf("requirements %q: %s", g.SCA.Title, reason)
		}
		return false, fmt.Sprintf("requirements not met: %s (%s)", g.SCA.Title, reason), nil
	}
	return true, "", nil
}

func osLabel(m policy.OSMatch) string {
	s := strings.Join(m.ID, "/")
	if len(m.Version) > 0 {
		s += " " + strings.Join(m.Version, "/")
	}
	return s
}

func foundOS(inv *model.Inventory) string {
	if inv == nil || inv.Host == nil || inv.Host.OS.ID == "" {
		return " (OS unknown)"
	}
	return fmt.Sprintf(" (host is %s %s)", inv.Host.OS.ID, inv.Host.OS.Version)
}

// osMatches tests the inventory's os-release against m.
func osMatches(inv *model.Inventory, m policy.OSMatch) bool {
	if inv == nil || inv.Host == nil {
		return false
	}
	os := inv.Host.OS
	idOK := false
	for _, id := range m.ID {
		if os.ID == id {
			idOK = true
		}
		for _, like := range os.IDLike {
			if like == id && len(m.Version) == 0 {
				idOK = true
			}
		}
	}
	if !idOK {
		return false
	}
	if len(m.Version) == 0 {
		return true
	}
	for _, v := range m.Version {
		if os.Version == v || strings.HasPrefix(os.Version, v+".") {
			return true
		}
	}
	return false
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
