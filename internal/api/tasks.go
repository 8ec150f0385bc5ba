package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

// maxRunsPerTask bounds the runs read to summarise one task (the store's
// own ceiling on a list).
const maxRunsPerTask = 100000

func (s *server) listTaskTypes(w http.ResponseWriter, r *http.Request) error {
	out := wire.List[wire.TaskType]{Items: []wire.TaskType{}}
	for _, name := range s.taskTypeNames() {
		t := s.taskTypes[name]
		out.Items = append(out.Items, wire.TaskType{Name: t.Name, Description: t.Description})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) createTask(w http.ResponseWriter, r *http.Request) error {
	var req wire.CreateTask
	if err := decodeJSON(r, &req, false); err != nil {
		return err
	}
	tt, ok := s.taskTypes[req.Type]
	if !ok {
		if req.Type == "" {
			return badRequest("type", "type is required; known task types: %s", s.knownTaskTypes())
		}
		return badRequest("type", "unknown task type %q; known task types: %s", req.Type, s.knownTaskTypes())
	}
	target, err := s.checkTarget(r.Context(), req.Target)
	if err != nil {
		return err
	}
	params := bytes.TrimSpace(req.Params)
	if string(params) == "null" {
		params = nil
	}
	if len(params) > 0 && tt.CheckParams == nil {
		return badRequest("params", "task type %q takes no params", tt.Name)
	}
	if tt.CheckParams != nil {
		if err := tt.CheckParams(json.RawMessage(params)); err != nil {
			return badRequest("params", "params of task type %s: %v", tt.Name, err)
		}
	}
	schedule := strings.Join(strings.Fields(req.Schedule), " ")
	if schedule != "" {
		if err := checkCron(schedule); err != nil {
			return badRequest("schedule", "%v", err)
		}
	}
	t, runs, err := s.startTask(r, tt, target, json.RawMessage(params), schedule)
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

// startTask records a task, queues the runs of a one-off task and hands
// them to dispatch. The params of a SecretParams type are stored as
// store.WithheldParams and kept by Options.KeepSecretParams instead.
func (s *server) startTask(r *http.Request, tt TaskType, target store.Target, params json.RawMessage, schedule string) (store.Task, []store.TaskRun, error) {
	stored := params
	if tt.SecretParams {
		switch {
		case s.opts.KeepSecretParams == nil:
			return store.Task{}, nil, &Error{Status: http.StatusNotImplemented, Msg: "this server cannot hold the secret params of task type " + tt.Name}
		case schedule != "":
			return store.Task{}, nil, badRequest("schedule", "task type %s cannot be scheduled: its params are kept in server memory only", tt.Name)
		}
		stored = store.WithheldParams
	}
	p := principal(r)
	t, err := s.store.CreateTask(r.Context(), store.NewTask{Type: tt.Name, Target: target, Params: stored,
		Schedule: schedule, CreatedBy: p.UserName})
	if err != nil {
		return store.Task{}, nil, err
	}
	if tt.SecretParams {
		// Before the runs exist, so no dispatch can find them missing.
		s.opts.KeepSecretParams(t.ID, params)
	}
	// A one-off task runs now; a scheduled one when the scheduler says.
	var runs []store.TaskRun
	if schedule == "" {
		if runs, err = s.store.QueueRuns(r.Context(), t.ID); err != nil {
			if derr := s.store.DeleteTask(context.WithoutCancel(r.Context()), t.ID); derr != nil {
				s.log.Error("api: delete task whose runs could not be queued", "task", t.ID, "err", derr)
			}
			return store.Task{}, nil, fmt.Errorf("queue runs of task %d: %w", t.ID, err)
		}
	}
	// Params are left out of the log: task types may carry secrets.
	s.audit(r, auditTaskCreate, taskTarget(t.ID), map[string]any{"type": t.Type, "target": targetView(t.Target),
		"schedule": t.Schedule, "runs": len(runs)})
	if s.opts.OnTaskCreated != nil {
		s.opts.OnTaskCreated(context.WithoutCancel(r.Context()), t.ID)
	}
	return t, runs, nil
}

// checkTarget validates a task target and that its listed hosts exist.
func (s *server) checkTarget(ctx context.Context, t wire.TaskTarget) (store.Target, error) {
	switch {
	case !t.All && len(t.Hosts) == 0 && len(t.Labels) == 0:
		return store.Target{}, badRequest("target", `target needs "hosts", "labels" or "all": true`)
	case t.All && (len(t.Hosts) > 0 || len(t.Labels) > 0):
		return store.Target{}, badRequest("target", `target "all" cannot be combined with "hosts" or "labels"`)
	}
	if err := checkLabels("target.labels", t.Labels); err != nil {
		return store.Target{}, err
	}
	hosts := slices.Compact(slices.Sorted(slices.Values(t.Hosts)))
	if len(hosts) > 0 {
		if hosts[0] <= 0 {
			return store.Target{}, badRequest("target.hosts", "host ids must be positive, got %d", hosts[0])
		}
		found, err := s.store.TargetHosts(ctx, store.Target{HostIDs: hosts})
		if err != nil {
			return store.Target{}, err
		}
		var missing []string
		for _, id := range hosts {
			if _, ok := slices.BinarySearch(found, id); !ok {
				missing = append(missing, strconv.FormatInt(id, 10))
			}
		}
		if len(missing) > 0 {
			return store.Target{}, badRequest("target.hosts", "no hosts with ids %s", strings.Join(missing, ", "))
		}
	}
	return store.Target{All: t.All, HostIDs: hosts, Labels: t.Labels}, nil
}

func (s *server) listTasks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, off, err := offsetPage(q)
	if err != nil {
		return err
	}
	f := store.TaskFilter{Type: q.Get("type"), Limit: lim + 1, Offset: off}
	if f.Scheduled, err = boolParam(q, "scheduled"); err != nil {
		return err
	}
	tasks, err := s.store.Tasks(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listPage(tasks, lim, taskView, offsetNext[store.Task](off, lim)))
}

func (s *server) getTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	lim, off, err := offsetPage(r.URL.Query())
	if err != nil {
		return err
	}
	t, err := s.store.Task(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no task with id %d", id)
	}
	if err != nil {
		return err
	}
	// All runs, for the counts; the page is cut from them.
	runs, err := s.store.Runs(r.Context(), store.RunFilter{TaskID: id, Limit: maxRunsPerTask})
	if err != nil {
		return err
	}
	slices.Reverse(runs) // oldest first, so pages are stable while runs are added
	out := wire.TaskDetail{Task: taskView(t),
		HostRuns: listPage(runs[min(off, len(runs)):], lim, runView, offsetNext[store.TaskRun](off, lim))}
	out.Runs = countRuns(runs)
	return writeJSON(w, http.StatusOK, out)
}

func taskTarget(id int64) string { return "task:" + strconv.FormatInt(id, 10) }

func countRuns(runs []store.TaskRun) map[string]int {
	out := map[string]int{}
	for _, r := range runs {
		out[string(r.Status)]++
	}
	return out
}

func targetView(t store.Target) wire.TaskTarget {
	return wire.TaskTarget{All: t.All, Hosts: t.HostIDs, Labels: t.Labels}
}

func taskView(t store.Task) wire.Task {
	return wire.Task{ID: t.ID, Type: t.Type, Target: targetView(t.Target), Params: t.Params, Schedule: t.Schedule,
		CreatedBy: t.CreatedBy, CreatedAt: wire.Time(t.CreatedAt)}
}

func runView(r store.TaskRun) wire.TaskRun {
	return wire.TaskRun{ID: r.ID, TaskID: r.TaskID, HostID: r.HostID, Status: string(r.Status), QueuedAt: wire.Time(r.QueuedAt),
		StartedAt: wire.Time(r.StartedAt), FinishedAt: wire.Time(r.FinishedAt), Error: r.Error}
}
