package api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

// Compliance baselines: the check-item view (per check, hosts per
// status), one item's hosts, the host view (per host, score and counts),
// one host's failed checks with remediation, and its history. Baseline
// tasks are ordinary tasks (POST /tasks, type "baseline").
func init() { routeSets = append(routeSets, (*server).baselineRoutes) }

func (s *server) baselineRoutes() []route {
	p := func(path string) string { return Prefix + "/baseline" + path }
	return []route{
		{"GET", p("/policies"), store.RoleViewer, s.listBaselinePolicies},
		{"GET", p("/items"), store.RoleViewer, s.listBaselineItems},
		{"GET", p("/items/{policy}/{check}/hosts"), store.RoleViewer, s.listBaselineItemHosts},
		{"GET", p("/hosts"), store.RoleViewer, s.listBaselineHosts},
		{"GET", p("/hosts/{id}"), store.RoleViewer, s.getBaselineHost},
		{"GET", p("/hosts/{id}/history"), store.RoleViewer, s.getBaselineHistory},
	}
}

func (s *server) listBaselinePolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.store.BaselinePolicies(r.Context())
	if err != nil {
		return err
	}
	out := wire.List[wire.BaselinePolicy]{Items: []wire.BaselinePolicy{}}
	for _, p := range ps {
		out.Items = append(out.Items, wire.BaselinePolicy{Policy: p.Policy, Title: p.Title, Hosts: p.Hosts,
			MeanScore: round2(p.MeanScore), LastRun: wire.Time(p.LastRun)})
	}
	return writeJSON(w, http.StatusOK, out)
}

// statusParam reads ?status= (a status, a comma-separated list, or
// "all"); def when absent.
func statusParam(q url.Values, def []string) ([]string, error) {
	v := q.Get("status")
	switch v {
	case "":
		return def, nil
	case "all":
		return nil, nil
	}
	var out []string
	for st := range strings.SplitSeq(v, ",") {
		st = strings.TrimSpace(st)
		if st == "na" || st == "n/a" {
			st = store.BaselineNotApplicable
		}
		if !slices.Contains(store.BaselineStatuses, st) {
			return nil, badRequest("status", "status must be all or one or more of %s, got %q",
				strings.Join(store.BaselineStatuses, ", "), st)
		}
		out = append(out, st)
	}
	return out, nil
}

// listBaselineItems is the check-item view. ?status= keeps the items with
// at least one host in one of those statuses (e.g. status=fail);
// ?label=k=v (repeatable) counts only the hosts with those labels.
func (s *server) listBaselineItems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	statuses, err := statusParam(q, nil)
	if err != nil {
		return err
	}
	f := store.BaselineItemFilter{Policy: q.Get("policy")}
	if f.Labels, err = labelParams(q); err != nil {
		return err
	}
	items, err := s.store.BaselineItems(r.Context(), f)
	if err != nil {
		return err
	}
	out := wire.List[wire.BaselineItem]{Items: []wire.BaselineItem{}}
	for _, it := range items {
		if statuses != nil && !hasAny(it.Hosts, statuses) {
			continue
		}
		out.Items = append(out.Items, wire.BaselineItem{Policy: it.Policy, Check: it.Check, Title: it.Title, TitleZH: it.TitleZH,
			Severity: it.Severity, Remediation: it.Remediation, References: it.References, Hosts: countsView(it.Hosts)})
	}
	return writeJSON(w, http.StatusOK, out)
}

func hasAny(c store.BaselineCounts, statuses []string) bool {
	for _, st := range statuses {
		n := map[string]int{store.BaselinePass: c.Pass, store.BaselineFail: c.Fail, store.BaselineNotApplicable: c.NotApplicable,
			store.BaselineError: c.Error, store.BaselineManual: c.Manual}[st]
		if n > 0 {
			return true
		}
	}
	return false
}

// listBaselineItemHosts lists the hosts of one check (default: failing
// ones), paged by host id.
func (s *server) listBaselineItemHosts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, err := pageLimit(q)
	if err != nil {
		return err
	}
	statuses, err := statusParam(q, []string{store.BaselineFail})
	if err != nil {
		return err
	}
	policy, check := r.PathValue("policy"), r.PathValue("check")
	f := store.BaselineResultFilter{Policy: policy, Check: check, Statuses: statuses, Limit: lim + 1}
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n <= 0 {
			return badRequest("cursor", "invalid cursor %q", c)
		}
		f.AfterHostID, f.AfterPolicy, f.AfterCheck = n, policy, check
	}
	rs, err := s.store.BaselineResults(r.Context(), f)
	if err != nil {
		return err
	}
	view := func(r store.BaselineCheckResult) wire.BaselineItemHost {
		return wire.BaselineItemHost{HostID: r.HostID, Hostname: r.Hostname, Status: r.Status, Reason: r.Reason,
			Evidence: r.Evidence, ScannedAt: wire.Time(r.ScannedAt)}
	}
	next := func(last store.BaselineCheckResult) string { return strconv.FormatInt(last.HostID, 10) }
	return writeJSON(w, http.StatusOK, listPage(rs, lim, view, next))
}

// listBaselineHosts is the host view: per host and policy, the latest
// score and counts; ?below=N keeps the hosts scoring under N percent.
func (s *server) listBaselineHosts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, err := pageLimit(q)
	if err != nil {
		return err
	}
	f := store.BaselineHostFilter{Policy: q.Get("policy"), Limit: lim + 1}
	if f.Labels, err = labelParams(q); err != nil {
		return err
	}
	if v := q.Get("below"); v != "" {
		if f.MaxScore, err = strconv.ParseFloat(v, 64); err != nil || f.MaxScore <= 0 || f.MaxScore > 100 {
			return badRequest("below", "below must be a score from 0 to 100, got %q", v)
		}
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		host, policy, ok := strings.Cut(string(b), ":")
		n, perr := strconv.ParseInt(host, 10, 64)
		if err != nil || !ok || perr != nil || n <= 0 {
			return badRequest("cursor", "invalid cursor %q", c)
		}
		f.AfterHostID, f.AfterPolicy = n, policy
	}
	hs, err := s.store.BaselineHosts(r.Context(), f)
	if err != nil {
		return err
	}
	next := func(last store.BaselineHost) string {
		return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last.HostID, 10) + ":" + last.Policy))
	}
	return writeJSON(w, http.StatusOK, listPage(hs, lim, baselineHostView, next))
}

// getBaselineHost is one host's policies with their failed and errored
// checks (?status= for others, "all" for every check) and remediation.
func (s *server) getBaselineHost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	statuses, err := statusParam(q, []string{store.BaselineFail, store.BaselineError})
	if err != nil {
		return err
	}
	h, err := s.host(r, id)
	if err != nil {
		return err
	}
	policy := q.Get("policy")
	sums, err := s.store.BaselineHosts(r.Context(), store.BaselineHostFilter{HostID: id, Policy: policy})
	if err != nil {
		return err
	}
	rs, err := s.store.BaselineResults(r.Context(), store.BaselineResultFilter{HostID: id, Policy: policy, Statuses: statuses, Limit: 100000})
	if err != nil {
		return err
	}
	out := wire.BaselineHostDetail{HostID: id, Hostname: h.Hostname, Policies: []wire.BaselineHostPolicy{}}
	at := map[string]int{}
	for _, sum := range sums {
		at[sum.Policy] = len(out.Policies)
		out.Policies = append(out.Policies, wire.BaselineHostPolicy{BaselineHost: baselineHostView(sum), Results: []wire.BaselineResult{}})
	}
	for _, res := range rs {
		i, ok := at[res.Policy]
		if !ok {
			continue
		}
		p := &out.Policies[i]
		p.Results = append(p.Results, wire.BaselineResult{Check: res.Check, Title: res.Title, TitleZH: res.TitleZH, Severity: res.Severity,
			Status: res.Status, Reason: res.Reason, Evidence: res.Evidence, Remediation: res.Remediation, References: res.References})
	}
	for i := range out.Policies {
		// Worst first: severity, then natural check order as stored.
		slices.SortStableFunc(out.Policies[i].Results, func(a, b wire.BaselineResult) int { return int(b.Severity) - int(a.Severity) })
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) getBaselineHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	lim, err := pageLimit(q)
	if err != nil {
		return err
	}
	if _, err := s.host(r, id); err != nil {
		return err
	}
	runs, err := s.store.BaselineHistory(r.Context(), id, q.Get("policy"), lim)
	if err != nil {
		return err
	}
	out := wire.List[wire.BaselineRun]{Items: []wire.BaselineRun{}}
	for _, run := range runs {
		out.Items = append(out.Items, wire.BaselineRun{Policy: run.Policy, ScannedAt: wire.Time(run.ScannedAt),
			Score: round2(run.Score), Checks: countsView(run.Checks)})
	}
	return writeJSON(w, http.StatusOK, out)
}

func baselineHostView(h store.BaselineHost) wire.BaselineHost {
	return wire.BaselineHost{HostID: h.HostID, Hostname: h.Hostname, Policy: h.Policy, Title: h.Title, Version: h.Version,
		Score: round2(h.Score), Checks: countsView(h.Checks), ScannedAt: wire.Time(h.ScannedAt)}
}

func countsView(c store.BaselineCounts) wire.BaselineCounts {
	return wire.BaselineCounts{Pass: c.Pass, Fail: c.Fail, NotApplicable: c.NotApplicable, Error: c.Error, Manual: c.Manual}
}

// round2 rounds a score to hundredths of a percent.
func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
