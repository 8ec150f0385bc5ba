package baseline

import (
	"slices"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/baseline/probe"
	"github.com/ward-sec/ward/internal/baseline/remedy"
)

// FixItems evaluates the policies and returns the failed checks that have
// a declarative fix (only those named in checks, when given), plus the
// failed ones that have none (remediation is manual).
func FixItems(t *probe.Target, pols []*policy.Resolved, checks []string) (items []remedy.Item, manual []CheckResult) {
	for _, p := range pols {
		for _, c := range p.Checks {
			if len(checks) > 0 && !slices.Contains(checks, c.ID) && !slices.Contains(checks, p.ID+"/"+c.ID) {
				continue
			}
			r := EvaluateCheck(t, p, c)
			if r.Status != Fail {
				continue
			}
			if len(c.Fix) == 0 {
				manual = append(manual, r)
				continue
			}
			items = append(items, remedy.Item{Policy: p.ID, Check: c.ID, Fixes: c.Fix, Params: p.Params})
		}
	}
	return items, manual
}
