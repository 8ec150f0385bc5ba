package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// ErrBadTransition is returned for a task run status change that its
// current status does not allow.
var ErrBadTransition = errors.New("invalid task run transition")

// Target says which hosts a task runs on: all, or the listed hosts plus the
// hosts carrying all the labels.
type Target struct {
	All     bool              `json:"all,omitempty"`
	HostIDs []int64           `json:"host_ids,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// Task is work sent to agents, once or on a schedule.
type Task struct {
	ID     int64
	Type   string // "scan", "inventory", ...
	Target Target
	// Params is the task type's JSON parameters (nil: none).
	Params json.RawMessage
	// Schedule is a cron expression; empty runs once.
	Schedule  string
	CreatedBy string
	CreatedAt time.Time
}

// NewTask is what CreateTask records.
type NewTask struct {
	Type      string
	Target    Target
	Params    json.RawMessage
	Schedule  string
	CreatedBy string
}

// CreateTask records a task (it queues no runs: see QueueRuns).
func (s *Store) CreateTask(ctx context.Context, n NewTask) (Task, error) {
	if n.Type == "" || n.CreatedBy == "" {
		return Task{}, errors.New("create task: need a type and a creator")
	}
	if !n.Target.All && len(n.Target.HostIDs) == 0 && len(n.Target.Labels) == 0 {
		return Task{}, fmt.Errorf("create task %s: empty target", n.Type)
	}
	if len(n.Params) > 0 && !json.Valid(n.Params) {
		return Task{}, fmt.Errorf("create task %s: params are not valid JSON", n.Type)
	}
	target, err := json.Marshal(n.Target)
	if err != nil {
		return Task{}, fmt.Errorf("create task %s: %w", n.Type, err)
	}
	t := Task{Type: n.Type, Target: n.Target, Params: n.Params, Schedule: n.Schedule, CreatedBy: n.CreatedBy, CreatedAt: s.clock()}
	err = s.writer().queryRow(ctx, `
		INSERT INTO tasks (type, target, params, schedule, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		n.Type, string(target), nullString(string(n.Params)), nullString(n.Schedule), n.CreatedBy, t.CreatedAt).Scan(&t.ID)
	if err != nil {
		return Task{}, fmt.Errorf("create task %s: %w", n.Type, err)
	}
	return t, nil
}

const taskCols = `id, type, target, params, schedule, created_by, created_at`

func scanTask(sc interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var target string
	var params, schedule sql.NullString
	if err := sc.Scan(&t.ID, &t.Type, &target, &params, &schedule, &t.CreatedBy, ts(&t.CreatedAt)); err != nil {
		return Task{}, err
	}
	if err := json.Unmarshal([]byte(target), &t.Target); err != nil {
		return Task{}, fmt.Errorf("task %d target: %w", t.ID, err)
	}
	if params.Valid {
		t.Params = json.RawMessage(params.String)
	}
	t.Schedule = schedule.String
	return t, nil
}

// Task returns one task.
func (s *Store) Task(ctx context.Context, id int64) (Task, error) {
	t, err := scanTask(s.reader().queryRow(ctx, `SELECT `+taskCols+` FROM tasks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, fmt.Errorf("task %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Task{}, fmt.Errorf("task %d: %w", id, err)
	}
	return t, nil
}

// TaskFilter selects tasks; zero fields do not filter.
type TaskFilter struct {
	Type string
	// Scheduled keeps only tasks with (true) or without (false) a schedule.
	Scheduled *bool
	Limit     int
	Offset    int
}

// Tasks lists tasks, newest first.
func (s *Store) Tasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	var where []string
	var args []any
	if f.Type != "" {
		where = append(where, `type = ?`)
		args = append(args, f.Type)
	}
	if f.Scheduled != nil {
		if *f.Scheduled {
			where = append(where, `schedule IS NOT NULL`)
		} else {
			where = append(where, `schedule IS NULL`)
		}
	}
	q := `SELECT ` + taskCols + ` FROM tasks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ? OFFSET ?`
	args = append(args, limit(f.Limit), max(f.Offset, 0))
	return s.queryTasks(ctx, "list tasks", q, args...)
}

// queryTasks runs a query of taskCols; op names it in errors.
func (s *Store) queryTasks(ctx context.Context, op, q string, args ...any) ([]Task, error) {
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteTask removes a task and its runs.
func (s *Store) DeleteTask(ctx context.Context, id int64) error {
	return s.deleteRow(ctx, "tasks", id)
}

// TargetHosts resolves a target to host ids, ascending. Revoked hosts and
// hosts without an agent are included: the caller decides.
func (s *Store) TargetHosts(ctx context.Context, t Target) ([]int64, error) {
	ids, err := targetHosts(ctx, s.reader(), t)
	if err != nil {
		return nil, fmt.Errorf("resolve target: %w", err)
	}
	return ids, nil
}

func targetHosts(ctx context.Context, r db, t Target) ([]int64, error) {
	var q string
	var args []any
	switch {
	case t.All:
		q = `SELECT id FROM hosts`
	case len(t.Labels) > 0:
		var conds []string
		for _, k := range slices.Sorted(maps.Keys(t.Labels)) {
			conds = append(conds, `EXISTS (SELECT 1 FROM host_labels l WHERE l.host_id = h.id AND l.name = ? AND l.value = ?)`)
			args = append(args, k, t.Labels[k])
		}
		q = `SELECT h.id FROM hosts h WHERE ` + strings.Join(conds, ` AND `)
	}
	set := map[int64]bool{}
	if q != "" {
		rows, err := r.query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			set[id] = true
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if !t.All && len(t.HostIDs) > 0 {
		// Only hosts that exist.
		for lo := 0; lo < len(t.HostIDs); lo += 500 {
			chunk := t.HostIDs[lo:min(lo+500, len(t.HostIDs))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			rows, err := r.query(ctx, `SELECT id FROM hosts WHERE id IN `+placeholders(len(chunk)), args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return nil, err
				}
				set[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	return slices.Sorted(maps.Keys(set)), nil
}

// RunStatus is the state of a task run.
type RunStatus string

const (
	RunQueued  RunStatus = "queued"
	RunRunning RunStatus = "running"
	RunDone    RunStatus = "done"
	RunFailed  RunStatus = "failed"
	RunTimeout RunStatus = "timeout"
)

// Final reports whether no further transition is allowed.
func (r RunStatus) Final() bool { return r == RunDone || r == RunFailed || r == RunTimeout }

// runFrom lists the statuses a run may move to each status from.
func runFrom(to RunStatus) []RunStatus {
	switch to {
	case RunRunning:
		return []RunStatus{RunQueued}
	case RunDone:
		return []RunStatus{RunRunning}
	case RunFailed, RunTimeout:
		return []RunStatus{RunQueued, RunRunning}
	}
	return nil
}

// TaskRun is one task on one host.
type TaskRun struct {
	ID         int64
	TaskID     int64
	HostID     int64
	Status     RunStatus
	QueuedAt   time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Error      string
}

// QueueRuns creates a queued run of the task for each host of its target
// and returns them.
func (s *Store) QueueRuns(ctx context.Context, taskID int64) ([]TaskRun, error) {
	var out []TaskRun
	err := s.tx(ctx, func(tx db) error {
		var err error
		out, err = s.queueRuns(ctx, tx, taskID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("queue runs of task %d: %w", taskID, err)
	}
	return out, nil
}

// queueRuns is QueueRuns inside the caller's transaction; the runs are in
// id order.
func (s *Store) queueRuns(ctx context.Context, tx db, taskID int64) ([]TaskRun, error) {
	t, err := scanTask(tx.queryRow(ctx, `SELECT `+taskCols+` FROM tasks WHERE id = ?`, taskID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	hosts, err := targetHosts(ctx, tx, t.Target)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var out []TaskRun
	err = tx.bulk(ctx, bulkInsert{
		table:  "task_runs",
		cols:   []bulkCol{{"task_id", colInt}, {"host_id", colInt}, {"status", colText}, {"queued_at", colTime}},
		suffix: `RETURNING id, host_id`,
	}, len(hosts), func(i int, dst []any) []any {
		return append(dst, taskID, hosts[i], string(RunQueued), now)
	}, func(rows *sql.Rows) error {
		r := TaskRun{TaskID: taskID, Status: RunQueued, QueuedAt: now}
		if err := rows.Scan(&r.ID, &r.HostID); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b TaskRun) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// ScheduledTasks lists every task that has a schedule, by id: the
// scheduler evaluates them all each minute, so it needs no paging.
func (s *Store) ScheduledTasks(ctx context.Context) ([]Task, error) {
	return s.queryTasks(ctx, "list scheduled tasks", `SELECT `+taskCols+` FROM tasks WHERE schedule IS NOT NULL ORDER BY id`)
}

// QueueScheduledRuns claims minute for a scheduled task and, when the
// claim is this caller's, queues the task's runs (as QueueRuns). Server
// replicas sharing the database all evaluate the schedule; the claim, a
// conditional UPDATE of tasks.last_scheduled, lets exactly one of them
// queue each minute, and because claim and runs commit together a crash
// between them loses neither. claimed is false, with no runs and no error,
// when the minute (or a later one) was already claimed, or the task is
// gone or has no schedule. minute is truncated to the minute.
func (s *Store) QueueScheduledRuns(ctx context.Context, taskID int64, minute time.Time) (runs []TaskRun, claimed bool, err error) {
	minute = minute.UTC().Truncate(time.Minute)
	err = s.tx(ctx, func(tx db) error {
		runs, claimed = nil, false
		// On PostgreSQL a concurrent claimer blocks on the row lock and
		// then re-checks the condition against the committed value, so
		// it sees the minute taken; SQLite runs write transactions one at
		// a time.
		res, err := tx.exec(ctx, `UPDATE tasks SET last_scheduled = ?
			WHERE id = ? AND schedule IS NOT NULL AND (last_scheduled IS NULL OR last_scheduled < ?)`,
			minute, taskID, minute)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		claimed = true
		runs, err = s.queueRuns(ctx, tx, taskID)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("queue scheduled runs of task %d for %s: %w", taskID, minute.Format("2006-01-02 15:04"), err)
	}
	return runs, claimed, nil
}

// SetRunStatus moves a run to status (running stamps StartedAt, a final
// status FinishedAt). A move its current status does not allow is
// ErrBadTransition: queued → running → done, and failed or timeout from
// queued or running.
func (s *Store) SetRunStatus(ctx context.Context, runID int64, to RunStatus, errMsg string) error {
	from := runFrom(to)
	if from == nil {
		return fmt.Errorf("set run %d status: %w: to %q", runID, ErrBadTransition, to)
	}
	now := s.clock()
	set := `finished_at = ?`
	if to == RunRunning {
		set = `started_at = ?`
	}
	args := []any{string(to), now, errMsg, runID}
	for _, f := range from {
		args = append(args, string(f))
	}
	res, err := s.writer().exec(ctx, `UPDATE task_runs SET status = ?, `+set+`, error = ?
		WHERE id = ? AND status IN `+placeholders(len(from)), args...)
	if err != nil {
		return fmt.Errorf("set run %d status: %w", runID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var cur RunStatus
	err = s.writer().queryRow(ctx, `SELECT status FROM task_runs WHERE id = ?`, runID).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("set run %d status: %w", runID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set run %d status: %w", runID, err)
	}
	return fmt.Errorf("set run %d status: %w: %s → %s", runID, ErrBadTransition, cur, to)
}

// RunReport is a run status an agent reported for its host.
type RunReport struct {
	RunID  int64
	HostID int64
	Status RunStatus
	Error  string
}

// ApplyRunReports applies agents' run reports in order, in one
// transaction (a batch of the ingest stream takes one commit, not one
// per report). A report for another host's run, or a transition the run
// cannot make (a late "running" after "done"), is skipped: applied says
// which took effect.
func (s *Store) ApplyRunReports(ctx context.Context, reps []RunReport) (applied []bool, err error) {
	now := s.clock()
	err = s.tx(ctx, func(tx db) error {
		applied = make([]bool, len(reps))
		for i, r := range reps {
			from := runFrom(r.Status)
			if from == nil {
				continue
			}
			set := `finished_at = ?`
			if r.Status == RunRunning {
				set = `started_at = ?`
			}
			args := []any{string(r.Status), now, r.Error, r.RunID, r.HostID}
			for _, f := range from {
				args = append(args, string(f))
			}
			res, err := tx.exec(ctx, `UPDATE task_runs SET status = ?, `+set+`, error = ?
				WHERE id = ? AND host_id = ? AND status IN `+placeholders(len(from)), args...)
			if err != nil {
				return fmt.Errorf("run %d: %w", r.RunID, err)
			}
			n, _ := res.RowsAffected()
			applied[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("apply run reports: %w", err)
	}
	return applied, nil
}

// TimeoutRuns marks runs queued or running since before cutoff as timed
// out and returns how many.
func (s *Store) TimeoutRuns(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := s.writer().exec(ctx, `
		UPDATE task_runs SET status = 'timeout', finished_at = ?, error = 'timed out'
		WHERE (status = 'queued' AND queued_at < ?)
		   OR (status = 'running' AND started_at < ?)`, s.clock(), cutoff, cutoff)
	if err != nil {
		return 0, fmt.Errorf("time out runs: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RunFilter selects runs; zero fields do not filter.
type RunFilter struct {
	TaskID int64
	HostID int64
	Status RunStatus
	Limit  int
	Offset int
}

// Runs lists runs, newest first.
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]TaskRun, error) {
	var where []string
	var args []any
	if f.TaskID != 0 {
		where = append(where, `task_id = ?`)
		args = append(args, f.TaskID)
	}
	if f.HostID != 0 {
		where = append(where, `host_id = ?`)
		args = append(args, f.HostID)
	}
	if f.Status != "" {
		where = append(where, `status = ?`)
		args = append(args, string(f.Status))
	}
	q := `SELECT id, task_id, host_id, status, queued_at, started_at, finished_at, error FROM task_runs`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ? OFFSET ?`
	args = append(args, limit(f.Limit), max(f.Offset, 0))
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []TaskRun
	for rows.Next() {
		var r TaskRun
		if err := rows.Scan(&r.ID, &r.TaskID, &r.HostID, &r.Status, ts(&r.QueuedAt), ts(&r.StartedAt), ts(&r.FinishedAt), &r.Error); err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
