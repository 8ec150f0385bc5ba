package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

func init() { routeSets = append(routeSets, (*server).weakpassRoutes) }

func (s *server) weakpassRoutes() []route {
	return []route{
		{"POST", Prefix + "/weakpass/leaked", store.RoleOperator, s.createLeakedQuery},
		{"GET", Prefix + "/weakpass/leaked/{id}", store.RoleViewer, s.getLeakedQuery},
	}
}

// Names shared with the weakpass capability (cmd/ward/weakpass.go).
const (
	leakedTaskType = "weakpass-leaked"
	// LeakedScope prefixes the findings scope of a query's results.
	LeakedScope      = "weakpass-leaked:"
	leakedRule       = "weakpass/leaked-password"
	leakedCoverageRl = "weakpass/leaked-query-coverage"
)

// createLeakedQuery starts a leaked-password query: a weakpass-leaked
// task whose passwords are kept in server memory only.
func (s *server) createLeakedQuery(w http.ResponseWriter, r *http.Request) error {
	var req wire.LeakedQuery
	if err := decodeJSON(r, &req, false); err != nil {
		return err
	}
	tt, ok := s.taskTypes[leakedTaskType]
	if !ok || !tt.SecretParams {
		return &Error{Status: http.StatusNotImplemented, Msg: "this server does not run leaked-password queries (no " + leakedTaskType + " task type)"}
	}
	target, err := s.checkTarget(r.Context(), req.Target)
	if err != nil {
		return err
	}
	params, err := json.Marshal(wire.WeakpassLeakedParams{Passwords: req.Passwords})
	if err != nil {
		return err
	}
	if tt.CheckParams != nil {
		if err := tt.CheckParams(params); err != nil {
			return badRequest("passwords", "%v", err)
		}
	}
	t, runs, err := s.startTask(r, tt, target, params, "")
	if err != nil {
		return err
	}
	out := wire.TaskDetail{Task: taskView(t), HostRuns: wire.List[wire.TaskRun]{Items: []wire.TaskRun{}}}
	out.Runs = countRuns(runs)
	for _, run := range runs {
		out.HostRuns.Items = append(out.HostRuns.Items, runView(run))
	}
	return writeJSON(w, http.StatusCreated, out)
}

// getLeakedQuery reports a query's runs and the accounts found.
func (s *server) getLeakedQuery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.store.Task(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && t.Type != leakedTaskType {
		return notFound("no leaked-password query with id %d", id)
	}
	if err != nil {
		return err
	}
	runs, err := s.store.Runs(r.Context(), store.RunFilter{TaskID: id, Limit: maxRunsPerTask})
	if err != nil {
		return err
	}
	findings, err := s.store.Findings(r.Context(), store.FindingFilter{Scope: fmt.Sprintf("%s%d", LeakedScope, id),
		Status: store.FindingOpen, Limit: maxRunsPerTask})
	if err != nil {
		return err
	}
	names, err := s.hostnames(r, runs)
	if err != nil {
		return err
	}
	out := wire.LeakedResult{TaskID: id, Runs: countRuns(runs), Hosts: []wire.LeakedHost{}, Done: true}
	byHost := map[int64]*wire.LeakedHost{}
	for i := len(runs) - 1; i >= 0; i-- { // oldest first
		run := runs[i]
		if !run.Status.Final() {
			out.Done = false
		}
		out.Hosts = append(out.Hosts, wire.LeakedHost{HostID: run.HostID, Hostname: names[run.HostID], Status: string(run.Status),
			Error: run.Error, Matches: []wire.LeakedMatch{}})
	}
	for i := range out.Hosts {
		byHost[out.Hosts[i].HostID] = &out.Hosts[i]
	}
	for _, f := range findings {
		h := byHost[f.HostID]
		if h == nil {
			continue
		}
		switch f.Finding.Rule {
		case leakedRule:
			store, account, _ := strings.Cut(f.Finding.Asset.ID, "/")
			h.Matches = append(h.Matches, wire.LeakedMatch{Store: store, Account: account, Path: f.Finding.Asset.Path})
		case leakedCoverageRl:
			h.Unchecked = f.Finding.Title
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// hostnames names the hosts of runs: one lookup each for a few, one
// listing of every host for a fleet-wide query.
func (s *server) hostnames(r *http.Request, runs []store.TaskRun) (map[int64]string, error) {
	out := map[int64]string{}
	if len(runs) <= 50 {
		for _, run := range runs {
			if host, err := s.store.Host(r.Context(), run.HostID); err == nil {
				out[run.HostID] = host.Hostname
			}
		}
		return out, nil
	}
	const page = 100000
	for off := 0; ; off += page {
		hosts, err := s.store.Hosts(r.Context(), store.HostFilter{Limit: page, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, h := range hosts {
			out[h.ID] = h.Hostname
		}
		if len(hosts) < page {
			return out, nil
		}
	}
}
