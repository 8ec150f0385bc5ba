package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/ward-sec/ward/internal/agent/spool"
)

// sendLoop publishes the spool in order, forever. After start and after
// each reconnect it replays everything spooled (same message ids: JetStream
// and the store drop what they already have), then asks for a heartbeat.
// While publishing fails it backs off; a reconnect cuts the wait short.
func (a *Agent) sendLoop(ctx context.Context) {
	bo := newBackoff(a.opts.RetryMin, a.opts.RetryMax)
	announce := true // heartbeat once the replay after (re)connecting is done
	for ctx.Err() == nil {
		err := a.drain(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			bo.reset()
			if announce {
				announce = false
				signal(a.hbNow)
			}
			select {
			case <-ctx.Done():
				return
			case <-a.wake:
			case <-a.reconnect:
				announce = true
			}
			continue
		}
		pause := bo.pause()
		a.log.Warn("agent: publishing results failed; will retry", "err", err, "in", pause, "spooled", a.spool.Len())
		reconnected, alive := sleep(ctx, pause, a.reconnect)
		if !alive {
			return
		}
		if reconnected {
			announce = true
			bo.reset()
		}
	}
}

// drain publishes spooled messages oldest first until none is left or one
// fails. Each is removed from the spool only after its PubAck.
func (a *Agent) drain(ctx context.Context) error {
	for {
		pending := a.spool.Pending()
		if len(pending) == 0 {
			return nil
		}
		for _, e := range pending {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			m, err := a.spool.Get(e.ID)
			if errors.Is(err, spool.ErrCorrupt) || errors.Is(err, spool.ErrUnknownID) {
				// Quarantined, or dropped to make room meanwhile.
				a.log.Warn("agent: skipping spooled message", "id", e.ID, "err", err)
				continue
			}
			if err != nil {
				return err
			}
			pctx, cancel := context.WithTimeout(ctx, a.opts.PublishTimeout)
			err = a.opts.Publisher.PublishResult(pctx, m.Kind, m.ID, m.Payload)
			cancel()
			if err != nil {
				return fmt.Errorf("publish %s %s: %w", m.Kind, m.ID, err)
			}
			if err := a.spool.Ack(m.ID); err != nil && !errors.Is(err, spool.ErrUnknownID) {
				// It stays spooled and is published again after a pause: a
				// duplicate the server drops, not a loss.
				return fmt.Errorf("remove published message from the spool: %w", err)
			}
		}
	}
}
