package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/fleet/proto"
	"github.com/ward-sec/ward/internal/transport"
)

// agent is one simulated agent: its own NATS connection (its own
// certificate), its task subscription and heartbeats.
type agent struct {
	e   *enrolled
	nc  *nats.Conn
	js  jetstream.JetStream
	sim *sim

	mu       sync.Mutex
	accepted map[string]bool // run ids taken (a re-sent run is ignored)
	running  []string        // accepted and not finished
	scans    uint64
}

// sim is one simulator process: its agents, the shared package pool and
// the bounded pool of task workers.
type sim struct {
	cfg   config
	pool  *pool
	st    *stats
	tasks chan taskJob
}

type taskJob struct {
	a  *agent
	tm proto.TaskMessage
}

// connect opens the agent's NATS connection (retrying: a connect storm
// may time out handshakes), subscribes to its tasks and sends the first
// heartbeat.
func (s *sim) connect(ctx context.Context, e *enrolled) (*agent, error) {
	a := &agent{e: e, sim: s, accepted: map[string]bool{}}
	opts := []nats.Option{
		nats.Timeout(30 * time.Second),
		nats.DisconnectErrHandler(func(*nats.Conn, error) { s.st.connected.Add(-1); s.st.disconnects.Add(1) }),
		nats.ReconnectHandler(func(*nats.Conn) { s.st.connected.Add(1); a.heartbeat() }),
		// A publish during a reconnect fails at once instead of filling
		// an 8 MiB buffer per connection; the task worker retries.
		nats.ReconnectBufSize(-1),
	}
	var err error
	for attempt := 1; ; attempt++ {
		a.nc, err = transport.ConnectAgent(e.natsURLs, e.creds.Certificate, e.creds.CAPool, e.creds.AgentID, opts...)
		if err == nil {
			break
		}
		if attempt == 8 || ctx.Err() != nil {
			return nil, fmt.Errorf("agent %d (%s): connect: %w", e.host.index, e.creds.AgentID, err)
		}
		s.st.connectRetries.Add(1)
		time.Sleep(time.Duration(attempt)*time.Second + mrand.N(time.Second))
	}
	s.st.connected.Add(1)
	if a.js, err = jetstream.New(a.nc); err != nil {
		a.nc.Close()
		return nil, fmt.Errorf("agent %d: jetstream: %w", e.host.index, err)
	}
	if _, err := a.nc.Subscribe(transport.TaskSubject(e.creds.AgentID), a.onTask); err != nil {
		a.nc.Close()
		return nil, fmt.Errorf("agent %d: subscribe %s: %w", e.host.index, transport.TaskSubject(e.creds.AgentID), err)
	}
	if err := a.nc.Flush(); err != nil {
		a.nc.Close()
		return nil, fmt.Errorf("agent %d: flush subscription: %w", e.host.index, err)
	}
	a.heartbeat()
	return a, nil
}

// heartbeatLoop sends a heartbeat every interval, each wait jittered by
// ±10%, until ctx ends.
func (a *agent) heartbeatLoop(ctx context.Context, interval time.Duration) {
	for {
		d := interval - interval/10 + mrand.N(interval/5+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
		a.heartbeat()
	}
}

func (a *agent) heartbeat() {
	a.mu.Lock()
	running := slices.Clone(a.running)
	a.mu.Unlock()
	hb := proto.Heartbeat{AgentID: a.e.creds.AgentID, Version: "bench-sim", Time: time.Now().UTC(),
		CPUPercent: mrand.Float64() * 2, RSSBytes: uint64(30+mrand.IntN(20)) << 20, Running: running}
	data, _ := json.Marshal(hb)
	if err := a.nc.Publish(transport.HeartbeatSubject(a.e.creds.AgentID), data); err != nil {
		a.sim.st.hbErrors.Add(1)
		return
	}
	a.sim.st.heartbeats.Add(1)
}

// onTask takes a task run (ignoring one already taken: the server re-sends
// queued runs on heartbeats) and queues it for a task worker.
func (a *agent) onTask(m *nats.Msg) {
	var tm proto.TaskMessage
	if err := json.Unmarshal(m.Data, &tm); err != nil || tm.RunID == "" {
		a.sim.st.badTasks.Add(1)
		return
	}
	a.mu.Lock()
	if a.accepted[tm.RunID] {
		a.mu.Unlock()
		a.sim.st.dupTasks.Add(1)
		return
	}
	a.accepted[tm.RunID] = true
	a.running = append(a.running, tm.RunID)
	a.mu.Unlock()
	a.sim.st.tasksRecv.Add(1)
	a.sim.tasks <- taskJob{a, tm}
}

// taskWorker answers task runs: running, one full inventory, findings,
// done — each published to JetStream and acknowledged before the next,
// as the agent does from its spool.
func (s *sim) taskWorker(ctx context.Context) {
	for j := range s.tasks {
		if ctx.Err() != nil {
			return
		}
		if err := j.a.answer(ctx, j.tm); err != nil {
			s.st.taskErrors.Add(1)
			s.st.logErr(err)
		} else {
			s.st.tasksDone.Add(1)
		}
		j.a.finish(j.tm.RunID)
	}
}

func (a *agent) finish(runID string) {
	a.mu.Lock()
	a.running = slices.DeleteFunc(a.running, func(id string) bool { return id == runID })
	a.mu.Unlock()
}

func (a *agent) answer(ctx context.Context, tm proto.TaskMessage) error {
	id := a.e.creds.AgentID
	if d := a.sim.cfg.scanDelay; d > 0 {
		time.Sleep(mrand.N(d))
	}
	if tm.Type != "inventory" && tm.Type != "baseline" {
		return a.publish(ctx, proto.KindTaskStatus, proto.ResultMessage{RunID: tm.RunID, Status: proto.StatusFailed,
			Error: fmt.Sprintf("unknown task type %q", tm.Type)})
	}
	if err := a.publish(ctx, proto.KindTaskStatus, proto.ResultMessage{RunID: tm.RunID, Status: proto.StatusRunning}); err != nil {
		return err
	}
	a.mu.Lock()
	a.scans++
	scan := a.scans
	a.mu.Unlock()
	if tm.Type == "baseline" {
		return a.answerBaseline(ctx, tm, scan)
	}
	inv := a.sim.pool.inventory(a.e.host, scan, time.Now())
	fs := findings(inv, a.e.host, scan)
	if err := a.publish(ctx, proto.KindInventory, proto.ResultMessage{RunID: tm.RunID, Inventory: inv}); err != nil {
		return err
	}
	a.sim.st.inventories.Add(1)
	if err := a.publish(ctx, proto.KindFindings, proto.ResultMessage{RunID: tm.RunID, Scope: "posture", Findings: fs}); err != nil {
		return err
	}
	a.sim.st.findings.Add(int64(len(fs)))
	if err := a.publish(ctx, proto.KindTaskStatus, proto.ResultMessage{RunID: tm.RunID, Status: proto.StatusDone}); err != nil {
		return fmt.Errorf("agent %s run %s: %w", id, tm.RunID, err)
	}
	return nil
}

// answerBaseline sends a baseline run as the agent's runner does: the
// failed checks as findings of scope "baseline", the whole (compacted)
// report as a "baseline" result, then done.
func (a *agent) answerBaseline(ctx context.Context, tm proto.TaskMessage, scan uint64) error {
	msgs, fs, err := baselineReport(a.e.host, scan)
	if err != nil {
		return err
	}
	if err := a.publish(ctx, proto.KindFindings, proto.ResultMessage{RunID: tm.RunID, Scope: "baseline", Findings: fs}); err != nil {
		return err
	}
	a.sim.st.findings.Add(int64(len(fs)))
	for _, data := range msgs {
		if err := a.publish(ctx, "baseline", proto.ResultMessage{RunID: tm.RunID, Data: data}); err != nil {
			return err
		}
	}
	a.sim.st.baselines.Add(1)
	return a.publish(ctx, proto.KindTaskStatus, proto.ResultMessage{RunID: tm.RunID, Status: proto.StatusDone})
}

// publish sends one result with a fresh message id and waits for the
// PubAck, retrying with the same id (JetStream dedups) a few times.
func (a *agent) publish(ctx context.Context, kind string, rm proto.ResultMessage) error {
	rm.MsgID, rm.AgentID, rm.Kind, rm.Time = newMsgID(), a.e.creds.AgentID, kind, time.Now().UTC()
	data, err := json.Marshal(rm)
	if err != nil {
		return fmt.Errorf("agent %s: encode %s: %w", rm.AgentID, kind, err)
	}
	for attempt := 1; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, a.sim.cfg.ackTimeout)
		start := time.Now()
		_, err = transport.PublishResult(pctx, a.js, rm.AgentID, kind, rm.MsgID, data)
		cancel()
		if err == nil {
			a.sim.st.published.Add(1)
			a.sim.st.bytes.Add(int64(len(data)))
			a.sim.st.ackNanos.Add(int64(time.Since(start)))
			return nil
		}
		a.sim.st.pubRetries.Add(1)
		if attempt == 5 || ctx.Err() != nil {
			return fmt.Errorf("agent %s: %w (after %d attempts)", rm.AgentID, err, attempt)
		}
		time.Sleep(time.Duration(attempt) * time.Second)
	}
}

func newMsgID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// stats are the process's counters, printed every few seconds.
type stats struct {
	enrolled, cached, enrollRetries        atomic.Int64
	connected, connectRetries, disconnects atomic.Int64
	heartbeats, hbErrors                   atomic.Int64
	tasksRecv, tasksDone, taskErrors       atomic.Int64
	dupTasks, badTasks                     atomic.Int64
	published, pubRetries, bytes, ackNanos atomic.Int64
	inventories, findings, baselines       atomic.Int64
	errMu                                  sync.Mutex
	errLogged                              int
	logf                                   func(format string, args ...any)
}

// logErr logs the first few errors in full (the counters tell the rest).
func (st *stats) logErr(err error) {
	st.errMu.Lock()
	defer st.errMu.Unlock()
	if st.errLogged < 20 {
		st.errLogged++
		st.logf("error: %v", err)
	}
}

func (st *stats) line() string {
	pub := st.published.Load()
	ack := time.Duration(0)
	if pub > 0 {
		ack = time.Duration(st.ackNanos.Load() / pub)
	}
	return fmt.Sprintf("connected=%d heartbeats=%d tasks_recv=%d tasks_done=%d task_errors=%d dup_tasks=%d inventories=%d baselines=%d findings=%d published=%d MB=%.1f avg_ack=%s pub_retries=%d disconnects=%d hb_errors=%d",
		st.connected.Load(), st.heartbeats.Load(), st.tasksRecv.Load(), st.tasksDone.Load(), st.taskErrors.Load(), st.dupTasks.Load(),
		st.inventories.Load(), st.baselines.Load(), st.findings.Load(), pub, float64(st.bytes.Load())/(1<<20), ack.Round(time.Millisecond),
		st.pubRetries.Load(), st.disconnects.Load(), st.hbErrors.Load())
}
