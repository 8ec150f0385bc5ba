package agent

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// heartbeatLoop sends a heartbeat every interval, and at once when the
// spool replay after a (re)connect is done. Heartbeats are not spooled: a
// missed one is replaced by the next.
func (a *Agent) heartbeatLoop(ctx context.Context) {
	t := time.NewTicker(a.opts.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.hbNow:
		}
		a.sendHeartbeat(ctx)
	}
}

func (a *Agent) heartbeat() Heartbeat {
	hb := Heartbeat{AgentID: a.opts.AgentID, Version: a.opts.Version, Time: a.opts.Now().UTC(), Spooled: a.spool.Len()}
	if u, err := a.sampler.Sample(); err != nil {
		a.log.Warn("agent: measuring own resource use", "err", err)
	} else {
		hb.CPUPercent, hb.RSSBytes = u.CPUPercent, u.RSSBytes
	}
	a.mu.Lock()
	hb.Running = slices.Clone(a.accepted)
	a.mu.Unlock()
	return hb
}

func (a *Agent) sendHeartbeat(ctx context.Context) {
	b, err := json.Marshal(a.heartbeat())
	if err != nil {
		a.log.Error("agent: encode heartbeat", "err", err)
		return
	}
	pctx, cancel := context.WithTimeout(ctx, a.opts.PublishTimeout)
	defer cancel()
	if err := a.opts.Publisher.PublishHeartbeat(pctx, b); err != nil && ctx.Err() == nil {
		a.log.Debug("agent: heartbeat not sent", "err", err)
	}
}
