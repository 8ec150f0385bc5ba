package server

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ward-sec/ward/internal/fleet/proto"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/transport"
)

// DispatchTask queues a run of the task for every target host and sends
// each to its host's active agent. Agents that are offline get theirs when
// they next send a heartbeat.
func (s *Server) DispatchTask(ctx context.Context, taskID int64) error {
	task, err := s.Store.Task(ctx, taskID)
	if err != nil {
		return err
	}
	runs, err := s.Store.QueueRuns(ctx, taskID)
	if err != nil {
		return err
	}
	for _, r := range runs {
		s.sendRun(ctx, task, r)
	}
	return nil
}

// SendQueued sends the already queued runs of a task (the API queues the
// runs of a one-off task when it creates it).
func (s *Server) SendQueued(ctx context.Context, taskID int64) error {
	task, err := s.Store.Task(ctx, taskID)
	if err != nil {
		return err
	}
	runs, err := s.Store.Runs(ctx, store.RunFilter{TaskID: taskID, Status: store.RunQueued})
	if err != nil {
		return err
	}
	for _, r := range runs {
		s.sendRun(ctx, task, r)
	}
	return nil
}

// secretParamsTTL is how long the secret params of a task (see
// KeepSecretParams) stay in memory: past it, runs not yet sent fail.
const secretParamsTTL = 2 * time.Hour

// errSecretParamsGone is the error of a run whose secret params this
// server no longer holds.
const errSecretParamsGone = "task parameters were kept in server memory only and are gone " +
	"(passwords not kept across server restarts, or the query expired): run the query again"

// KeepSecretParams holds the params of a task whose stored params are
// store.WithheldParams (a leaked-password query) in memory, for dispatch
// only, for secretParamsTTL.
func (s *Server) KeepSecretParams(taskID int64, params json.RawMessage) {
	s.secretParams.Store(taskID, params)
	time.AfterFunc(secretParamsTTL, func() { s.secretParams.Delete(taskID) })
}

// forgetSecretParams drops a task's secret params once every run of it
// has finished.
func (s *Server) forgetSecretParams(ctx context.Context, taskID int64) {
	if _, ok := s.secretParams.Load(taskID); !ok {
		return
	}
	runs, err := s.Store.Runs(ctx, store.RunFilter{TaskID: taskID})
	if err != nil {
		return
	}
	for _, r := range runs {
		if !r.Status.Final() {
			return
		}
	}
	s.secretParams.Delete(taskID)
}

func (s *Server) sendRun(ctx context.Context, task store.Task, r store.TaskRun) {
	params := task.Params
	if store.Withheld(params) {
		p, ok := s.secretParams.Load(task.ID)
		if !ok {
			if err := s.Store.SetRunStatus(ctx, r.ID, store.RunFailed, errSecretParamsGone); err != nil {
				s.log.Warn("dispatch: fail run without its params", "run", r.ID, "err", err)
			}
			return
		}
		params = p.(json.RawMessage)
	}
	agents, err := s.Store.HostAgents(ctx, r.HostID)
	if err != nil {
		s.log.Warn("dispatch: agents of host", "host", r.HostID, "err", err)
		return
	}
	msg, _ := json.Marshal(proto.TaskMessage{
		RunID: strconv.FormatInt(r.ID, 10), TaskID: strconv.FormatInt(task.ID, 10),
		Type: task.Type, Params: params, Deadline: time.Now().Add(time.Hour),
	})
	s.sentRuns.Store(r.ID, time.Now())
	for _, a := range agents {
		if a.Revoked() {
			continue
		}
		if err := s.nc.Publish(transport.TaskSubject(a.CredentialID), msg); err != nil {
			s.log.Warn("dispatch", "run", r.ID, "agent", a.CredentialID, "err", err)
		}
	}
}

// resendAfter is how long a queued run waits before a heartbeat of its
// agent triggers sending it again.
const resendAfter = 2 * time.Minute

// heartbeatGap is the agents' heartbeat interval (agent.Options default).
const heartbeatGap = 30 * time.Second

// onHeartbeat records the agent's health and hands it any queued runs (an
// agent that was offline when a task was created gets it now).
func (s *Server) onHeartbeat(ctx context.Context, m *nats.Msg) {
	agentID, err := transport.AgentFromHeartbeatSubject(m.Subject)
	if err != nil {
		return
	}
	var hb proto.Heartbeat
	if err := json.Unmarshal(m.Data, &hb); err != nil {
		s.log.Warn("malformed heartbeat", "agent", agentID)
		return
	}
	a, err := s.Store.AgentByCredential(ctx, agentID)
	if err != nil {
		return
	}
	if err := s.Store.RecordHeartbeat(ctx, a.ID, store.Heartbeat{Version: hb.Version, CPUPercent: hb.CPUPercent, RSSBytes: int64(hb.RSSBytes)}); err != nil {
		return
	}
	// The first heartbeat after a (re)connect: tasks sent while the agent
	// was away or not yet subscribed never reached it.
	prev, seen := s.lastHeartbeat.Swap(agentID, time.Now())
	fresh := !seen || time.Since(prev.(time.Time)) > 3*heartbeatGap
	running := map[string]bool{}
	for _, id := range hb.Running {
		running[id] = true
	}
	queued, err := s.Store.Runs(ctx, store.RunFilter{HostID: a.HostID, Status: store.RunQueued})
	if err != nil {
		return
	}
	for _, r := range queued {
		if running[strconv.FormatInt(r.ID, 10)] {
			continue
		}
		// A run sent moments ago to a connected agent is most likely done
		// and waiting in the ingest queue; re-send it only when it may have
		// been lost: the agent (re)connected since, or it is old.
		if at, ok := s.sentRuns.Load(r.ID); ok && !fresh && time.Since(at.(time.Time)) < resendAfter {
			continue
		}
		task, err := s.Store.Task(ctx, r.TaskID)
		if err != nil {
			continue
		}
		s.sendRun(ctx, task, r)
	}
}
