// Package agent is the Ward agent daemon (`ward agent run`): it takes tasks
// from the server, scans this host under self-imposed limits, and reports
// results through an on-disk spool so that nothing is lost across outages
// and restarts and nothing is applied twice (docs/fleet.md, "Agent").
//
// Results flow spool → publish → PubAck → spool ack. Inventories go as a
// full report first and as deltas after, each delta against the inventory
// the previous report left on the server.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ward-sec/ward/internal/agent/limits"
	"github.com/ward-sec/ward/internal/agent/spool"
	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/scan"
)

// Defaults for Options.
const (
	DefaultHeartbeatInterval = 30 * time.Second
	DefaultRetryMin          = time.Second
	DefaultRetryMax          = time.Minute
	DefaultPublishTimeout    = 30 * time.Second
	taskQueueLen             = 64
	recentRunsKept           = 1024
)

// Options configure an Agent. Dir, AgentID, Publisher and Differ are
// required.
type Options struct {
	// Dir is the agent's state directory (/var/lib/ward-agent): spool/ and
	// the inventory base live there.
	Dir     string
	AgentID string
	// Version goes into heartbeats; default scan.Version().
	Version   string
	Publisher Publisher
	// Tasks delivers the server's tasks; nil runs only periodic scans.
	Tasks  TaskSource
	Differ Differ
	// Scan is how inventory tasks scan; Root "" is "/", no Collectors means
	// all of them (one set for the agent's life: collectors keep caches).
	Scan scan.Options
	// Limits are applied to the process on Run (priority, memory) and
	// around each scan (GOMAXPROCS). The zero value changes nothing; the
	// daemon passes limits.Defaults().
	Limits limits.Limits
	// HeartbeatInterval defaults to 30 s.
	HeartbeatInterval time.Duration
	// InventoryInterval, when set, runs an inventory that often on the
	// agent's own initiative (no task status is reported for those).
	InventoryInterval time.Duration
	Spool             spool.Options
	// MaxMessageBytes bounds one published result; larger inventory
	// reports are split by class. Default DefaultMaxMessageBytes.
	MaxMessageBytes int
	// RetryMin and RetryMax bound the backoff between publish attempts
	// while the server is unreachable; PublishTimeout bounds one attempt.
	RetryMin, RetryMax time.Duration
	PublishTimeout     time.Duration
	// Now is the clock for message times; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Runners run the task types beyond "inventory", by type name.
	Runners map[string]TaskRunner
}

// Agent is the daemon. Create it with New and start it with Run (once).
type Agent struct {
	opts    Options
	log     *slog.Logger
	lock    *os.File
	spool   *spool.Spool
	base    baseStore
	sampler *limits.Sampler

	wake      chan struct{} // a message was spooled
	reconnect chan struct{} // the transport (re)connected
	hbNow     chan struct{} // send a heartbeat now
	queue     chan queuedTask

	mu              sync.Mutex
	accepted        []string            // run ids queued or running
	recent          map[string]struct{} // run ids seen lately, to drop re-sends
	recentOrder     []string
	periodicPending bool
}

type queuedTask struct {
	TaskMessage
	periodic bool
}

// New checks opts, locks the state directory, opens the spool and
// recovers the inventory base. Close releases the directory.
func New(opts Options) (*Agent, error) {
	switch {
	case opts.Dir == "":
		return nil, errors.New("agent: no state directory")
	case opts.AgentID == "":
		return nil, errors.New("agent: no agent id")
	case opts.Publisher == nil:
		return nil, errors.New("agent: no publisher")
	case opts.Differ == nil:
		return nil, errors.New("agent: no differ")
	}
	setDefaults(&opts)
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("agent: state directory: %w", err)
	}
	if err := os.Chmod(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("agent: state directory: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	a, err := open(opts, lock)
	if err != nil {
		lock.Close()
		return nil, err
	}
	return a, nil
}

func open(opts Options, lock *os.File) (*Agent, error) {
	so := opts.Spool
	if so.Logger == nil {
		so.Logger = opts.Logger
	}
	sp, err := spool.Open(filepath.Join(opts.Dir, "spool"), so)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	sampler, err := limits.NewSampler()
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	a := &Agent{
		opts:      opts,
		log:       opts.Logger,
		lock:      lock,
		spool:     sp,
		base:      baseStore{dir: opts.Dir},
		sampler:   sampler,
		wake:      make(chan struct{}, 1),
		reconnect: make(chan struct{}, 1),
		hbNow:     make(chan struct{}, 1),
		queue:     make(chan queuedTask, taskQueueLen),
		recent:    map[string]struct{}{},
	}
	recovered, err := a.base.recover()
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	if recovered {
		a.log.Warn("agent: interrupted inventory report found; the next inventory is a full report")
	}
	return a, nil
}

func setDefaults(o *Options) {
	if o.Version == "" {
		o.Version = scan.Version()
	}
	if o.Scan.Collectors == nil {
		o.Scan.Collectors = all.Collectors()
	}
	if o.HeartbeatInterval <= 0 {
		o.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.RetryMin <= 0 {
		o.RetryMin = DefaultRetryMin
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(DefaultRetryMax, o.RetryMin)
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = DefaultPublishTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Run works until ctx ends: it replays the spool, sends heartbeats, runs
// tasks one at a time and, if configured, periodic inventories. It returns
// nil when ctx ends; a task interrupted then is reported failed.
func (a *Agent) Run(ctx context.Context) error {
	if err := limits.ApplyProcess(a.opts.Limits); err != nil {
		// Running at normal priority beats not running.
		a.log.Warn("agent: self-limits not fully applied", "err", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { a.sendLoop(ctx) })
	wg.Go(func() { a.heartbeatLoop(ctx) })
	wg.Go(func() { a.worker(ctx) })
	if a.opts.Tasks != nil {
		wg.Go(func() { a.taskIntake(ctx) })
	}
	if a.opts.InventoryInterval > 0 {
		wg.Go(func() { a.periodicLoop(ctx) })
	}
	wg.Wait()
	return nil
}

// Close releases the state directory (after Run has returned).
func (a *Agent) Close() error { return a.lock.Close() }

// Reconnected tells the agent that the transport has (re)connected: it
// replays the spool at once, without waiting out its backoff, then sends a
// heartbeat (which makes the server re-send queued runs). Wire it to the
// NATS reconnect handler; it never blocks.
func (a *Agent) Reconnected() { signal(a.reconnect) }

// Spooled is the number of results waiting for their PubAck.
func (a *Agent) Spooled() int { return a.spool.Len() }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// sleep waits d, or less if ctx ends (alive false) or interrupt fires
// (interrupted true).
func sleep(ctx context.Context, d time.Duration, interrupt <-chan struct{}) (interrupted, alive bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false, false
	case <-t.C:
		return false, true
	case <-interrupt:
		return true, true
	}
}
