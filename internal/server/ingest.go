package server

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/fleet/proto"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/transport"
)

// ingestLoop pulls agent results from JetStream in batches and applies each
// batch in one store transaction; messages are acked only after commit, so
// a crash means redelivery, and the store's message-id dedup makes that
// harmless: every result is stored exactly once.
//
// It is a two-stage pipeline: this goroutine fetches and decodes the next
// batch while another applies the previous one. Batches are applied one
// at a time in the order they were fetched, so each agent's results keep
// their order.
func (s *Server) ingestLoop(ctx context.Context, cons jetstream.Consumer) {
	ready := make(chan decodedBatch, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for b := range ready {
			// A batch in hand is finished even while the server stops:
			// cancelling it would leave its messages unacked until the
			// consumer's ack wait (2 min) redelivers them.
			bctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			s.apply(bctx, b)
			cancel()
		}
	}()
	defer func() { close(ready); <-stopped }()
	for ctx.Err() == nil {
		batch, err := cons.Fetch(transport.IngestBatch, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, nats.ErrConnectionClosed) {
				s.log.Warn("ingest fetch", "err", err)
				time.Sleep(time.Second)
			}
			continue
		}
		var msgs []jetstream.Msg
		for m := range batch.Messages() {
			msgs = append(msgs, m)
		}
		if len(msgs) > 0 {
			bctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			ready <- s.decodeBatch(bctx, msgs)
			cancel()
		}
	}
}

// decodedBatch is a fetched batch with each message decoded.
type decodedBatch struct {
	msgs []jetstream.Msg
	out  []decoded
}

type decoded struct {
	sm  *store.Message
	st  *taskStatus
	err error
}

// decodeBatch decodes a batch's messages. Decoding (JSON of whole
// inventories, capability data) is the CPU-heavy part: it runs in
// parallel; apply then takes the messages in the order they came.
func (s *Server) decodeBatch(ctx context.Context, msgs []jetstream.Msg) decodedBatch {
	out := make([]decoded, len(msgs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sm, st, err := s.decode(ctx, msgs[i])
				out[i] = decoded{sm, st, err}
			}
		}()
	}
	for i := range msgs {
		next <- i
	}
	close(next)
	wg.Wait()
	return decodedBatch{msgs, out}
}

// apply stores a decoded batch in one transaction and acks its messages.
func (s *Server) apply(ctx context.Context, b decodedBatch) {
	msgs, out := b.msgs, b.out
	var batch []store.Message
	var batchMsgs, statusMsgs []jetstream.Msg
	var statuses []taskStatus
	for i, m := range msgs {
		sm, st, ok := out[i].sm, out[i].st, out[i].err
		switch {
		case errors.Is(ok, errRetry):
			m.NakWithDelay(5 * time.Second) // the store was unavailable (or we are stopping): keep it
		case ok != nil:
			m.Term() // malformed or from an unknown agent: never redeliver
		case st != nil:
			statuses = append(statuses, *st)
			statusMsgs = append(statusMsgs, m)
		default:
			batch = append(batch, *sm)
			batchMsgs = append(batchMsgs, m)
		}
	}
	if len(batch) > 0 {
		results, err := s.Store.IngestBatch(ctx, batch)
		if err != nil {
			s.log.Error("ingest batch failed; will be redelivered", "messages", len(msgs), "err", err)
			for _, m := range append(batchMsgs, statusMsgs...) {
				m.NakWithDelay(5 * time.Second)
			}
			return
		}
		var applied []store.Message
		for i, m := range batchMsgs {
			if i < len(results) && results[i].Outcome == store.Rejected {
				s.log.Warn("result rejected", "msg", batch[i].ID, "err", results[i].Err)
			}
			if i < len(results) && results[i].Outcome == store.Applied {
				applied = append(applied, batch[i])
			}
			m.Ack()
		}
		if s.cfg.OnApplied != nil && len(applied) > 0 {
			s.cfg.OnApplied(ctx, applied)
		}
	}
	// Task status last: a run reads "done" only once the results the agent
	// sent before it are committed.
	if len(statuses) > 0 {
		err := s.taskStatuses(ctx, statuses)
		for _, m := range statusMsgs {
			if err != nil {
				m.NakWithDelay(5 * time.Second) // the store is unavailable: keep them
			} else {
				m.Ack()
			}
		}
	}
}

type taskStatus struct {
	hostID int64
	msg    proto.ResultMessage
}

// errRetry marks a result that could not be decoded for a passing reason
// (store unreachable, server stopping): it must be redelivered, not dropped.
var errRetry = errors.New("retry later")

// errDrop marks a result that can never be applied.
var errDrop = errors.New("drop")

// decode turns a stream message into a store message. The agent id comes
// from the subject, which NATS permissions tie to the sender's certificate:
// the body cannot claim another host.
func (s *Server) decode(ctx context.Context, m jetstream.Msg) (*store.Message, *taskStatus, error) {
	agentID, kind, err := transport.ParseResultSubject(m.Subject())
	if err != nil {
		s.log.Warn("result on unexpected subject", "subject", m.Subject())
		return nil, nil, errDrop
	}
	hostID, err := s.hostOf(ctx, agentID)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrRevoked) {
		s.log.Warn("result from unknown or revoked agent", "agent", agentID, "err", err)
		return nil, nil, errDrop
	}
	if err != nil {
		return nil, nil, errRetry
	}
	var rm proto.ResultMessage
	if err := json.Unmarshal(m.Data(), &rm); err != nil {
		s.log.Warn("malformed result", "agent", agentID, "err", err)
		return nil, nil, errDrop
	}
	msgID := m.Headers().Get(jetstream.MsgIDHeader)
	if msgID == "" {
		msgID = rm.MsgID
	}
	sm := &store.Message{ID: agentID + "/" + msgID, HostID: hostID}
	switch kind {
	case proto.KindInventory:
		if rm.Inventory == nil {
			return nil, nil, errDrop
		}
		sm.Inventory = rm.Inventory
	case proto.KindInventoryDelta:
		var d store.InventoryDelta
		if err := json.Unmarshal(rm.Delta, &d); err != nil {
			s.log.Warn("malformed delta", "agent", agentID, "err", err)
			return nil, nil, errDrop
		}
		sm.Delta = &d
	case proto.KindFindings:
		if rm.Scope == "" {
			return nil, nil, errDrop
		}
		sm.Scope, sm.Findings = rm.Scope, rm.Findings
	case proto.KindTaskStatus:
		return nil, &taskStatus{hostID, rm}, nil
	default:
		if store.HasDataKind(kind) && len(rm.Data) > 0 {
			sm.DataKind, sm.Data = kind, rm.Data
			store.PrepareData(sm) // here, in parallel, not in the ingest transaction
			break
		}
		s.log.Warn("unknown result kind", "agent", agentID, "kind", kind)
		return nil, nil, errDrop
	}
	return sm, nil, nil
}

// taskStatuses applies a batch's run reports in one store transaction;
// a host may only report its own runs (the store checks).
func (s *Server) taskStatuses(ctx context.Context, sts []taskStatus) error {
	reps := make([]store.RunReport, 0, len(sts))
	for _, st := range sts {
		runID, err := strconv.ParseInt(st.msg.RunID, 10, 64)
		if err != nil {
			continue
		}
		reps = append(reps, store.RunReport{RunID: runID, HostID: st.hostID, Status: store.RunStatus(st.msg.Status), Error: st.msg.Error})
	}
	if _, err := s.Store.ApplyRunReports(ctx, reps); err != nil {
		s.log.Warn("task status; will be redelivered", "reports", len(reps), "err", err)
		return err
	}
	anyFinal := false
	for _, r := range reps {
		if r.Status.Final() {
			s.sentRuns.Delete(r.RunID) // re-sending it is pointless either way
			anyFinal = true
		}
	}
	if anyFinal {
		// Secret params (leaked-password queries) live only until every
		// run of their task has ended.
		s.secretParams.Range(func(k, _ any) bool {
			s.forgetSecretParams(ctx, k.(int64))
			return true
		})
	}
	return nil
}

// hostOf maps an agent (by its certificate id) to its host, cached.
func (s *Server) hostOf(ctx context.Context, agentID string) (int64, error) {
	if v, ok := s.agentHosts.Load(agentID); ok {
		return v.(int64), nil
	}
	a, err := s.Store.AgentByCredential(ctx, agentID)
	if err != nil {
		return 0, err
	}
	s.agentHosts.Store(agentID, a.HostID)
	return a.HostID, nil
}
