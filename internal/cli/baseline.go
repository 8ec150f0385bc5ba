package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
)

// `ward compliance ...`: fleet baseline results on the server (the local
// `ward baseline` command checks this host).
func init() {
	addGroup("compliance", &group{
		summary: "run|policies|items|item|hosts|host|history: fleet baseline tasks, check-item and host views",
		sub: map[string]runFunc{
			"run": runComplianceRun, "policies": runCompliancePolicies, "items": runComplianceItems, "item": runComplianceItem,
			"hosts": runComplianceHosts, "host": runComplianceHost, "history": runComplianceHistory,
		},
		subs: []string{"run", "policies", "items", "item", "hosts", "host", "history"},
	})
}

// runComplianceRun creates a baseline task (now, or on a schedule).
func runComplianceRun(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("(--hosts A,B | --label k=v... | --all) [--policies auto|ID,ID] [--level 1|2,mlps2|mlps3] [--set NAME=VALUE]... [--cron EXPR]")
	hosts := fs.String("hosts", "", "comma-separated host ids or hostnames")
	labels := labelFlag{}
	fs.Var(labels, "label", "hosts with this label, key=value (repeatable; all must match)")
	all := fs.Bool("all", false, "every host")
	policies := fs.String("policies", "auto", `policy ids, comma-separated, or "auto" (the policies that fit each host)`)
	level := fs.String("level", "", "levels auto picks: CIS 1 or 2, 等保 mlps2 or mlps3, comma-separated (default 1)")
	cron := fs.String("cron", "", `run on this 5-field cron schedule, e.g. "0 2 * * *" (default: once, now)`)
	sets := labelFlag{}
	fs.Var(sets, "set", "override a policy parameter, NAME=VALUE, e.g. password_max_days=180 (repeatable)")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if !*all && *hosts == "" && len(labels) == 0 {
		return usageErr("say where to run it: --hosts A,B, --label k=v or --all")
	}
	if *all && (*hosts != "" || len(labels) > 0) {
		return usageErr("--all cannot be combined with --hosts or --label")
	}
	p := wire.BaselineTaskParams{Level: *level}
	if len(sets) > 0 {
		p.Overrides = map[string]string(sets)
	}
	for id := range strings.SplitSeq(*policies, ",") {
		if id = strings.TrimSpace(id); id != "" {
			p.Policies = append(p.Policies, id)
		}
	}
	params, _ := json.Marshal(p)
	req := wire.CreateTask{Type: "baseline", Target: wire.TaskTarget{All: *all}, Schedule: *cron, Params: params}
	if len(labels) > 0 {
		req.Target.Labels = labels
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	for h := range strings.SplitSeq(*hosts, ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		id, err := resolveHost(ctx, c, h)
		if err != nil {
			return fmt.Errorf("--hosts: %w", err)
		}
		req.Target.Hosts = append(req.Target.Hosts, id)
	}
	var t wire.TaskDetail
	if done, err := a.send(ctx, c, "POST", "/tasks", nil, req, &t); done {
		return err
	}
	if t.Schedule != "" {
		fmt.Fprintf(a.stdout, "baseline task %d created, scheduled %q\n", t.ID, t.Schedule)
	} else {
		fmt.Fprintf(a.stdout, "baseline task %d created, queued on %d hosts (ward tasks show %d)\n", t.ID, len(t.HostRuns.Items), t.ID)
	}
	return nil
}

func runCompliancePolicies(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	ps, err := getList[wire.BaselinePolicy](ctx, a, "/baseline/policies", nil)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "POLICY", "HOSTS", "MEAN SCORE", "LAST RUN", "TITLE")
	for _, p := range ps {
		row(tw, p.Policy, p.Hosts, fmtScore(p.MeanScore), fmtTime(p.LastRun), p.Title)
	}
	return tw.Flush()
}

// runComplianceItems prints the check-item view.
func runComplianceItems(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("[--policy ID] [--status fail] [--label k=v]...")
	policy := fs.String("policy", "", "only this policy")
	status := fs.String("status", "", "only checks with hosts in this status (pass, fail, not-applicable, error, manual; comma-separated)")
	labels := labelFlag{}
	fs.Var(labels, "label", "count only hosts with this label, key=value (repeatable; all must match)")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	q := url.Values{}
	setIf(q, "policy", *policy)
	setIf(q, "status", *status)
	for k, v := range labels {
		q.Add("label", k+"="+v)
	}
	items, err := getList[wire.BaselineItem](ctx, a, "/baseline/items", q)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "POLICY", "CHECK", "SEVERITY", "PASS", "FAIL", "N/A", "ERROR", "MANUAL", "TITLE")
	for _, it := range items {
		h := it.Hosts
		row(tw, it.Policy, it.Check, it.Severity.String(), h.Pass, h.Fail, h.NotApplicable, h.Error, h.Manual, it.Title)
	}
	return tw.Flush()
}

// runComplianceItem prints one check's hosts (default: failing).
func runComplianceItem(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("POLICY CHECK [--status fail]")
	status := fs.String("status", "fail", "hosts in this status (pass, fail, not-applicable, error, manual, all; comma-separated)")
	var page pageFlags
	page.add(fs)
	pos, err := a.parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	q := url.Values{}
	setIf(q, "status", *status)
	path := "/baseline/items/" + url.PathEscape(pos[0]) + "/" + url.PathEscape(pos[1]) + "/hosts"
	hosts, next, err := list[wire.BaselineItemHost](ctx, a, c, path, q, page)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "HOST", "HOSTNAME", "STATUS", "SCANNED", "REASON")
	for _, h := range hosts {
		row(tw, h.HostID, h.Hostname, h.Status, fmtTime(h.ScannedAt), h.Reason)
	}
	a.more(next)
	return tw.Flush()
}

// runComplianceHosts prints the host view.
func runComplianceHosts(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("[--policy ID] [--below SCORE] [--label k=v]...")
	policy := fs.String("policy", "", "only this policy")
	below := fs.String("below", "", "only hosts scoring below this percentage")
	labels := labelFlag{}
	fs.Var(labels, "label", "only hosts with this label, key=value (repeatable)")
	var page pageFlags
	page.add(fs)
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	q := url.Values{}
	setIf(q, "policy", *policy)
	setIf(q, "below", *below)
	for k, v := range labels {
		q.Add("label", k+"="+v)
	}
	hs, next, err := list[wire.BaselineHost](ctx, a, c, "/baseline/hosts", q, page)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "HOST", "HOSTNAME", "POLICY", "SCORE", "PASS", "FAIL", "N/A", "ERROR", "MANUAL", "SCANNED")
	for _, h := range hs {
		k := h.Checks
		row(tw, h.HostID, h.Hostname, h.Policy, fmtScore(h.Score), k.Pass, k.Fail, k.NotApplicable, k.Error, k.Manual, fmtTime(h.ScannedAt))
	}
	a.more(next)
	return tw.Flush()
}

// runComplianceHost prints one host's failed checks with remediation.
func runComplianceHost(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("ID|HOSTNAME [--policy ID] [--status fail,error|all]")
	policy := fs.String("policy", "", "only this policy")
	status := fs.String("status", "", "checks in these statuses (default fail,error; all for every check)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	id, err := resolveHost(ctx, c, pos[0])
	if err != nil {
		return err
	}
	q := url.Values{}
	setIf(q, "policy", *policy)
	setIf(q, "status", *status)
	var d wire.BaselineHostDetail
	if done, err := a.send(ctx, c, "GET", "/baseline/hosts/"+strconv.FormatInt(id, 10), q, nil, &d); done {
		return err
	}
	if len(d.Policies) == 0 {
		fmt.Fprintf(a.stdout, "host %d (%s) has no baseline results\n", d.HostID, d.Hostname)
		return nil
	}
	for i, p := range d.Policies {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		k := p.Checks
		fmt.Fprintf(a.stdout, "%s  %s  score %s  (pass %d, fail %d, n/a %d, error %d, manual %d; scanned %s)\n",
			p.Policy, p.Title, fmtScore(p.Score), k.Pass, k.Fail, k.NotApplicable, k.Error, k.Manual, fmtTime(p.ScannedAt))
		for _, r := range p.Results {
			fmt.Fprintf(a.stdout, "  [%s] %s %s: %s\n", strings.ToUpper(r.Status), r.Severity, r.Check, r.Title)
			if r.Reason != "" {
				fmt.Fprintf(a.stdout, "      why: %s\n", r.Reason)
			}
			for _, e := range r.Evidence {
				fmt.Fprintf(a.stdout, "      evidence: %s\n", e)
			}
			if r.Remediation != "" {
				fmt.Fprintf(a.stdout, "      fix: %s\n", strings.ReplaceAll(strings.TrimSpace(r.Remediation), "\n", "\n           "))
			}
		}
	}
	return nil
}

func runComplianceHistory(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("ID|HOSTNAME [--policy ID] [--limit N]")
	policy := fs.String("policy", "", "only this policy")
	lim := fs.Int("limit", 100, "most runs shown (at most 1000)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	id, err := resolveHost(ctx, c, pos[0])
	if err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(*lim)}}
	setIf(q, "policy", *policy)
	var l wire.List[wire.BaselineRun]
	if done, err := a.send(ctx, c, "GET", "/baseline/hosts/"+strconv.FormatInt(id, 10)+"/history", q, nil, &l); done {
		return err
	}
	tw := table(a.stdout, "SCANNED", "POLICY", "SCORE", "PASS", "FAIL", "N/A", "ERROR", "MANUAL")
	for _, r := range l.Items {
		k := r.Checks
		row(tw, fmtTime(r.ScannedAt), r.Policy, fmtScore(r.Score), k.Pass, k.Fail, k.NotApplicable, k.Error, k.Manual)
	}
	return tw.Flush()
}

func fmtScore(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }
