package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/ward-sec/ward/internal/cron"
	"github.com/ward-sec/ward/internal/store"
)

// Scheduled tasks and run timeouts.
//
// At every minute boundary the scheduler queues and sends the runs of each
// task whose schedule matches that minute, then times out runs that are
// past their deadline. Schedules are evaluated in UTC, so that replicas in
// different time zones agree on which minute fires.
//
// Each minute of a task is queued exactly once, however many replicas share
// the database and however often they restart: a replica claims the minute
// in the store (tasks.last_scheduled, see store.QueueScheduledRuns) and
// only the one whose claim succeeds queues and sends the runs. Minutes that
// passed while no server was running (or while a tick was late past the
// next boundary) are not replayed: a server that starts evaluates the
// current minute and the ones after it, so a daily task whose minute was
// missed runs at its next minute, not at start-up.

// defaultRunTimeout is how long a run may stay queued, or running, before
// the server gives up on it. The agent is sent a deadline of one hour from
// when the run is sent, which is never before it is queued or after it is
// started, so the server does not time out a run an agent may still
// finish. (Task params cannot change it yet.)
const defaultRunTimeout = time.Hour

// clock is the scheduler's time source; tests replace it to run through
// many minutes in milliseconds.
type clock interface {
	Now() time.Time
	// After delivers the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// scheduler queues the runs of scheduled tasks and times out stale runs.
type scheduler struct {
	store *store.Store
	// send hands newly queued runs to the task's agents.
	send       func(ctx context.Context, task store.Task, runs []store.TaskRun)
	clock      clock
	runTimeout time.Duration
	log        *slog.Logger
}

// scheduler returns the server's scheduler, on the real clock.
func (s *Server) scheduler() *scheduler {
	return &scheduler{
		store: s.Store,
		send: func(ctx context.Context, task store.Task, runs []store.TaskRun) {
			for _, r := range runs {
				s.sendRun(ctx, task, r)
			}
		},
		clock:      realClock{},
		runTimeout: defaultRunTimeout,
		log:        s.log.With("component", "scheduler"),
	}
}

// run ticks now and at every minute boundary until ctx ends.
func (sc *scheduler) run(ctx context.Context) {
	for {
		sc.tick(ctx)
		now := sc.clock.Now()
		// Sleep to the boundary rather than on a one-minute ticker, which
		// would drift from it.
		wait := now.Truncate(time.Minute).Add(time.Minute).Sub(now)
		select {
		case <-ctx.Done():
			return
		case <-sc.clock.After(wait):
		}
	}
}

// tick evaluates the current minute and times out stale runs.
func (sc *scheduler) tick(ctx context.Context) {
	now := sc.clock.Now().UTC()
	sc.queueMinute(ctx, now.Truncate(time.Minute))
	if ctx.Err() != nil {
		return
	}
	n, err := sc.store.TimeoutRuns(ctx, now.Add(-sc.runTimeout))
	switch {
	case err != nil:
		sc.log.Warn("time out runs", "err", err)
	case n > 0:
		sc.log.Info("runs timed out", "runs", n, "after", sc.runTimeout)
	}
}

// queueMinute queues and sends the runs of every task due in minute whose
// minute this replica wins.
func (sc *scheduler) queueMinute(ctx context.Context, minute time.Time) {
	tasks, err := sc.store.ScheduledTasks(ctx)
	if err != nil {
		sc.log.Warn("list scheduled tasks", "err", err)
		return
	}
	for _, task := range tasks {
		if ctx.Err() != nil {
			return
		}
		sched, err := cron.Parse(task.Schedule)
		if err != nil {
			// The API refuses such a schedule: the row was written by
			// something else. Say so every minute until it is fixed.
			sc.log.Warn("task has an invalid schedule; not scheduling it", "task", task.ID, "schedule", task.Schedule, "err", err)
			continue
		}
		if !sched.Matches(minute) {
			continue
		}
		runs, claimed, err := sc.store.QueueScheduledRuns(ctx, task.ID, minute)
		if err != nil {
			sc.log.Warn("queue scheduled runs", "task", task.ID, "err", err)
			continue
		}
		if !claimed {
			sc.log.Debug("minute already scheduled by another replica", "task", task.ID, "minute", minute)
			continue
		}
		sc.log.Info("scheduled task", "task", task.ID, "type", task.Type, "minute", minute, "runs", len(runs))
		sc.send(ctx, task, runs)
	}
}
