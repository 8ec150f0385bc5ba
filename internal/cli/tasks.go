package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
)

func runTaskCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("--type TYPE (--hosts A,B | --label k=v... | --all) [--cron EXPR] [--params JSON]")
	typ := fs.String("type", "", "task type (see 'ward tasks types'), e.g. inventory")
	hosts := fs.String("hosts", "", "comma-separated host ids or hostnames")
	labels := labelFlag{}
	fs.Var(labels, "label", "hosts with this label, key=value (repeatable; all must match)")
	all := fs.Bool("all", false, "every host")
	cron := fs.String("cron", "", `run on this 5-field cron schedule, e.g. "0 * * * *" (default: once, now)`)
	params := fs.String("params", "", `the task type's parameters as JSON, e.g. '{"full": true}'`)
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *typ == "" {
		return usageErr("--type is required (e.g. --type inventory)")
	}
	if !*all && *hosts == "" && len(labels) == 0 {
		return usageErr("say where to run it: --hosts A,B, --label k=v or --all")
	}
	if *all && (*hosts != "" || len(labels) > 0) {
		return usageErr("--all cannot be combined with --hosts or --label")
	}
	req := wire.CreateTask{Type: *typ, Target: wire.TaskTarget{All: *all}, Schedule: *cron}
	if len(labels) > 0 {
		req.Target.Labels = labels
	}
	if *params != "" {
		if !json.Valid([]byte(*params)) {
			return usageErr("--params is not valid JSON: %s", *params)
		}
		req.Params = json.RawMessage(*params)
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	for _, h := range strings.Split(*hosts, ",") {
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
		fmt.Fprintf(a.stdout, "task %d (%s) created, scheduled %q\n", t.ID, t.Type, t.Schedule)
	} else {
		fmt.Fprintf(a.stdout, "task %d (%s) created, queued on %d hosts\n", t.ID, t.Type, len(t.HostRuns.Items))
	}
	return nil
}

func runTaskList(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("[--type TYPE] [--scheduled|--once]")
	typ := fs.String("type", "", "only tasks of this type")
	scheduled := fs.Bool("scheduled", false, "only scheduled tasks")
	once := fs.Bool("once", false, "only one-off tasks")
	var page pageFlags
	page.add(fs)
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *scheduled && *once {
		return usageErr("--scheduled and --once exclude each other")
	}
	q := url.Values{}
	setIf(q, "type", *typ)
	if *scheduled || *once {
		q.Set("scheduled", strconv.FormatBool(*scheduled))
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	tasks, next, err := list[wire.Task](ctx, a, c, "/tasks", q, page)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "ID", "TYPE", "TARGET", "SCHEDULE", "CREATED BY", "CREATED")
	for _, t := range tasks {
		row(tw, t.ID, t.Type, fmtTarget(t.Target), t.Schedule, t.CreatedBy, t.CreatedAt)
	}
	a.more(next)
	return tw.Flush()
}

func runTaskShow(ctx context.Context, a *app, args []string) error {
	id, c, err := a.idAndClient(args, "task")
	if err != nil {
		return err
	}
	// Every page of runs.
	var t wire.TaskDetail
	var runs []wire.TaskRun
	q := url.Values{"limit": {"1000"}}
	for {
		var page wire.TaskDetail
		raw, err := c.do(ctx, "GET", fmt.Sprintf("/tasks/%d", id), q, nil, &page)
		if err != nil {
			return err
		}
		if a.jsonOut {
			if err := a.printJSON(raw); err != nil {
				return err
			}
		}
		t = page
		runs = append(runs, page.HostRuns.Items...)
		if page.HostRuns.NextCursor == "" {
			break
		}
		q.Set("cursor", page.HostRuns.NextCursor)
	}
	if a.jsonOut {
		return nil
	}
	tw := table(a.stdout, "FIELD", "VALUE")
	row(tw, "id", t.ID)
	row(tw, "type", t.Type)
	row(tw, "target", fmtTarget(t.Target))
	if len(t.Params) > 0 {
		row(tw, "params", string(t.Params))
	}
	row(tw, "schedule", t.Schedule)
	row(tw, "created by", t.CreatedBy)
	row(tw, "created", t.CreatedAt)
	row(tw, "runs", fmtCounts(t.Runs))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(runs) == 0 {
		return nil
	}
	fmt.Fprintln(a.stdout)
	tw = table(a.stdout, "RUN", "HOST", "STATUS", "QUEUED", "STARTED", "FINISHED", "ERROR")
	for _, r := range runs {
		row(tw, r.ID, r.HostID, r.Status, r.QueuedAt, r.StartedAt, r.FinishedAt, r.Error)
	}
	return tw.Flush()
}

func runTaskTypes(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	types, err := getList[wire.TaskType](ctx, a, "/task-types", nil)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "TYPE", "DESCRIPTION")
	for _, t := range types {
		row(tw, t.Name, t.Description)
	}
	return tw.Flush()
}

func fmtTarget(t wire.TaskTarget) string {
	if t.All {
		return "all hosts"
	}
	var parts []string
	if len(t.Hosts) > 0 {
		ids := make([]string, len(t.Hosts))
		for i, id := range t.Hosts {
			ids[i] = strconv.FormatInt(id, 10)
		}
		parts = append(parts, "hosts "+strings.Join(ids, ","))
	}
	if len(t.Labels) > 0 {
		parts = append(parts, "labels "+fmtLabels(t.Labels))
	}
	return strings.Join(parts, " + ")
}

func fmtCounts(m map[string]int) string {
	var out []string
	for _, k := range []string{"queued", "running", "done", "failed", "timeout"} {
		if m[k] > 0 {
			out = append(out, fmt.Sprintf("%d %s", m[k], k))
		}
	}
	for k, n := range m { // statuses this build does not know
		if !slices.Contains([]string{"queued", "running", "done", "failed", "timeout"}, k) {
			out = append(out, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
