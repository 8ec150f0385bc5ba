// Package baselinetask is the fleet side of compliance baselines: the
// params of a "baseline" task (checked by the server, read by the agent)
// and how the agent packs a run's report into result messages.
package baselinetask

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/baseline/policy"
)

// Kind is the result kind of a baseline run (store.BaselineKind) and the
// findings scope of its failed checks.
const Kind = "baseline"

// policyID is what a task may name: a shipped policy's id. Files are
// refused: a task must not make agents read paths chosen on the server.
var policyID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,127}$`)

// ParseParams reads and checks a task's params; empty params mean
// {"policies": "auto"}. known, when set, lists the policy ids that exist.
func ParseParams(raw json.RawMessage, known []string) (wire.BaselineTaskParams, error) {
	var p wire.BaselineTaskParams
	if t := strings.TrimSpace(string(raw)); t != "" && t != "null" {
		dec := json.NewDecoder(strings.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return p, fmt.Errorf("baseline params: %w", err)
		}
	}
	if len(p.Policies) == 0 {
		p.Policies = wire.PolicyList{"auto"}
	}
	for _, id := range p.Policies {
		switch {
		case id == "auto":
			if len(p.Policies) > 1 {
				return p, errors.New(`baseline params: "auto" cannot be combined with policy ids`)
			}
		case !policyID.MatchString(id):
			return p, fmt.Errorf("baseline params: policy %q: want a policy id (lower-case letters, digits, '.', '_', '-'; see ward baseline list)", id)
		case known != nil && !slices.Contains(known, id):
			return p, fmt.Errorf("baseline params: no policy %q (have %s)", id, strings.Join(known, ", "))
		}
	}
	if _, _, err := baseline.ParseLevel(p.Level); err != nil {
		return p, fmt.Errorf("baseline params: %w", err)
	}
	for k, v := range p.Overrides {
		if err := policy.CheckOverride(k, v); err != nil {
			return p, fmt.Errorf("baseline params: overrides: %w", err)
		}
	}
	return p, nil
}

// CheckOverrides (on the server) verifies that each override names a
// parameter of the task's policies, or of some policy in lib with "auto"
// (which policies a host gets is only known on the host), and that the
// probes stay valid with the new values.
func CheckOverrides(p wire.BaselineTaskParams, lib *policy.Library) error {
	if len(p.Overrides) == 0 {
		return nil
	}
	ids := []string(p.Policies)
	if slices.Equal(ids, []string{"auto"}) {
		ids = lib.IDs()
	}
	declared := map[string]bool{}
	for _, id := range ids {
		pol, err := lib.Lookup(id)
		if err != nil {
			return fmt.Errorf("baseline params: %w", err)
		}
		r, err := lib.Resolve(pol)
		if err != nil {
			return fmt.Errorf("baseline params: %w", err)
		}
		if _, err := r.Override(p.Overrides); err != nil {
			return fmt.Errorf("baseline params: overrides: %w", err)
		}
		for k := range r.Params {
			declared[k] = true
		}
	}
	var unknown []string
	for k := range p.Overrides {
		if !declared[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		names := make([]string, 0, len(declared))
		for k := range declared {
			names = append(names, k)
		}
		slices.Sort(names)
		if len(names) == 0 {
			names = []string{"none"}
		}
		return fmt.Errorf("baseline params: overrides: unknown parameter %s (parameters of %s: %s)",
			strings.Join(unknown, ", "), strings.Join(p.Policies, ", "), strings.Join(names, ", "))
	}
	return nil
}

// Compact drops what the server does not keep of passing and
// not-applicable checks (evidence, remediation, references, tags) and
// the tags of every check: a 300-check report shrinks to ~75 KB.
func Compact(rep *baseline.Report) *baseline.Report {
	out := &baseline.Report{Policies: make([]baseline.PolicyResult, len(rep.Policies))}
	for i, p := range rep.Policies {
		q := p
		q.Checks = make([]baseline.CheckResult, len(p.Checks))
		for j, c := range p.Checks {
			c.Tags = nil
			if c.Status != baseline.Fail && c.Status != baseline.Error {
				c.Evidence, c.Remediation, c.References = nil, "", nil
			}
			q.Checks[j] = c
		}
		out.Policies[i] = q
	}
	return out
}

// Messages encodes a compacted report as few payloads as fit max bytes
// each: the whole report, else one per policy, and a policy that is still
// too big loses its evidence. The server applies each policy on its own,
// so a split report is stored the same as a whole one.
func Messages(rep *baseline.Report, max int) ([]json.RawMessage, error) {
	rep = Compact(rep)
	whole, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	if len(whole) <= max {
		return []json.RawMessage{whole}, nil
	}
	var out []json.RawMessage
	for _, p := range rep.Policies {
		one := baseline.Report{Policies: []baseline.PolicyResult{p}}
		b, err := json.Marshal(one)
		if err != nil {
			return nil, err
		}
		if len(b) > max {
			for j := range p.Checks {
				p.Checks[j].Evidence = nil
			}
			if b, err = json.Marshal(one); err != nil {
				return nil, err
			}
			if len(b) > max {
				return nil, fmt.Errorf("baseline policy %s: %d checks do not fit one message (%d bytes > %d)", p.Policy, len(p.Checks), len(b), max)
			}
		}
		out = append(out, b)
	}
	return out, nil
}
