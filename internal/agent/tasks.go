package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// taskIntake takes tasks from the TaskSource and queues them for the
// worker, dropping re-sends of a run it has already accepted (the server
// re-sends queued runs when the agent reconnects).
func (a *Agent) taskIntake(ctx context.Context) {
	bo := newBackoff(a.opts.RetryMin, a.opts.RetryMax)
	for {
		t, err := a.opts.Tasks.NextTask(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			pause := bo.pause()
			a.log.Warn("agent: receiving tasks failed; will retry", "err", err, "in", pause)
			if _, alive := sleep(ctx, pause, nil); !alive {
				return
			}
			continue
		}
		bo.reset()
		a.accept(t)
	}
}

func (a *Agent) accept(t TaskMessage) {
	a.mu.Lock()
	if _, seen := a.recent[t.RunID]; seen && t.RunID != "" {
		a.mu.Unlock()
		a.log.Debug("agent: ignoring re-sent run", "run", t.RunID)
		return
	}
	select {
	case a.queue <- queuedTask{TaskMessage: t}:
		if t.RunID != "" {
			a.remember(t.RunID)
			a.accepted = append(a.accepted, t.RunID)
		}
		a.mu.Unlock()
	default:
		// Not remembered: a re-send of this run may find room later.
		a.mu.Unlock()
		a.report(t, StatusFailed, fmt.Sprintf("agent busy: %d tasks already queued", taskQueueLen))
	}
}

// remember records a run id, forgetting the oldest beyond a bound. Caller
// holds mu.
func (a *Agent) remember(runID string) {
	a.recent[runID] = struct{}{}
	a.recentOrder = append(a.recentOrder, runID)
	if len(a.recentOrder) > recentRunsKept {
		delete(a.recent, a.recentOrder[0])
		a.recentOrder = a.recentOrder[1:]
	}
}

// periodicLoop queues an inventory every InventoryInterval unless one of
// its own is still queued or running.
func (a *Agent) periodicLoop(ctx context.Context) {
	t := time.NewTicker(a.opts.InventoryInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.mu.Lock()
		if !a.periodicPending {
			select {
			case a.queue <- queuedTask{TaskMessage: TaskMessage{Type: TaskInventory}, periodic: true}:
				a.periodicPending = true
			default:
			}
		}
		a.mu.Unlock()
	}
}

// worker runs queued tasks one at a time: scans are heavy and the limits
// (GOMAXPROCS) are per process.
func (a *Agent) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case t := <-a.queue:
			a.runTask(ctx, t.TaskMessage)
			a.mu.Lock()
			if t.periodic {
				a.periodicPending = false
			}
			if i := slices.Index(a.accepted, t.RunID); t.RunID != "" && i >= 0 {
				a.accepted = slices.Delete(a.accepted, i, i+1)
			}
			a.mu.Unlock()
		}
	}
}

func (a *Agent) runTask(ctx context.Context, t TaskMessage) {
	var run func(context.Context, TaskMessage) error
	switch t.Type {
	case TaskInventory:
		run = a.inventory
	default:
		if r, ok := a.opts.Runners[t.Type]; ok {
			run = a.runner(r)
			break
		}
		a.report(t, StatusFailed, fmt.Sprintf("unknown task type %q", t.Type))
		return
	}
	if !t.Deadline.IsZero() {
		if !a.opts.Now().Before(t.Deadline) {
			a.report(t, StatusFailed, "deadline "+t.Deadline.UTC().Format(time.RFC3339)+" passed before the task started")
			return
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, t.Deadline)
		defer cancel()
	}
	a.report(t, StatusRunning, "")
	err := run(ctx, t)
	switch {
	case err == nil:
		a.report(t, StatusDone, "")
	case errors.Is(err, context.DeadlineExceeded):
		a.report(t, StatusFailed, "deadline exceeded: "+err.Error())
	case errors.Is(err, context.Canceled):
		a.report(t, StatusFailed, "agent stopped during the task: "+err.Error())
	default:
		a.report(t, StatusFailed, err.Error())
	}
	if err != nil {
		a.log.Warn("agent: task failed", "run", t.RunID, "type", t.Type, "err", err)
	}
}

// report spools a task-status message; agent-initiated work (no run id)
// has no status to report.
func (a *Agent) report(t TaskMessage, status, errText string) {
	if t.RunID == "" {
		return
	}
	m, err := a.encode(ResultMessage{RunID: t.RunID, Kind: KindTaskStatus, Status: status, Error: errText})
	if err == nil {
		err = a.enqueue(m)
	}
	if err != nil {
		a.log.Error("agent: cannot spool task status", "run", t.RunID, "status", status, "err", err)
	}
}
