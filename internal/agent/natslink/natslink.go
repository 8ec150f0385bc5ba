// Package natslink connects the agent daemon to the fleet's NATS bus
// through internal/transport: it is the agent.Publisher and
// agent.TaskSource of a connected agent.
package natslink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/transport"
)

// taskBuffer holds tasks that arrive while the agent is busy receiving;
// the agent's own queue is behind it. NATS drops messages past it (a slow
// consumer), and the server re-sends queued runs on the next heartbeat.
const taskBuffer = 256

const flushTimeout = 5 * time.Second

// Link is one agent's NATS connection seen as the daemon needs it.
type Link struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	agentID string
	log     *slog.Logger
	msgs    chan *nats.Msg
	sub     *nats.Subscription
}

var (
	_ agent.Publisher  = (*Link)(nil)
	_ agent.TaskSource = (*Link)(nil)
)

// New subscribes to the agent's task subject on nc (a connection made
// with transport.ConnectAgent). The subscription survives reconnects.
func New(nc *nats.Conn, agentID string, log *slog.Logger) (*Link, error) {
	if log == nil {
		log = slog.Default()
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("natslink: jetstream: %w", err)
	}
	l := &Link{nc: nc, js: js, agentID: agentID, log: log, msgs: make(chan *nats.Msg, taskBuffer)}
	l.sub, err = nc.ChanSubscribe(transport.TaskSubject(agentID), l.msgs)
	if err != nil {
		return nil, fmt.Errorf("natslink: subscribe to tasks: %w", err)
	}
	// Tasks are core NATS: one published before the server has our
	// subscription is lost (until the server re-sends queued runs). Wait
	// for the server to have it; when not connected yet, the subscription
	// goes out on connect.
	if nc.IsConnected() {
		if err := nc.FlushTimeout(flushTimeout); err != nil {
			log.Warn("natslink: task subscription not confirmed", "err", err)
		}
	}
	return l, nil
}

// PublishResult publishes to JetStream and waits for the PubAck.
func (l *Link) PublishResult(ctx context.Context, kind, msgID string, payload []byte) error {
	_, err := transport.PublishResult(ctx, l.js, l.agentID, kind, msgID, payload)
	return err
}

// PublishHeartbeat publishes on core NATS. While disconnected nats.go
// buffers it for the reconnect; a stale heartbeat is harmless.
func (l *Link) PublishHeartbeat(_ context.Context, payload []byte) error {
	if !l.nc.IsConnected() {
		return nats.ErrConnectionClosed
	}
	return l.nc.Publish(transport.HeartbeatSubject(l.agentID), payload)
}

// NextTask returns the next well-formed task; malformed ones are logged
// and skipped (there is no run id to report them against).
func (l *Link) NextTask(ctx context.Context) (agent.TaskMessage, error) {
	for {
		select {
		case <-ctx.Done():
			return agent.TaskMessage{}, ctx.Err()
		case m, ok := <-l.msgs:
			if !ok {
				return agent.TaskMessage{}, errors.New("natslink: task subscription closed")
			}
			var t agent.TaskMessage
			if err := json.Unmarshal(m.Data, &t); err != nil {
				l.log.Warn("natslink: ignoring malformed task", "subject", m.Subject, "err", err)
				continue
			}
			return t, nil
		}
	}
}

// Close ends the task subscription (the connection is the caller's).
func (l *Link) Close() error { return l.sub.Unsubscribe() }

// Reconnects forwards the connection's (re)connect events to the agent,
// which is built after the connection: pass Option() to
// transport.ConnectAgent, then Notify(a.Reconnected).
type Reconnects struct{ f atomic.Pointer[func()] }

// Option sets the connect and reconnect callbacks (the connect one fires
// when nats.RetryOnFailedConnect connects in the background).
func (r *Reconnects) Option() nats.Option {
	return func(o *nats.Options) error {
		cb := func(*nats.Conn) {
			if f := r.f.Load(); f != nil {
				(*f)()
			}
		}
		o.ConnectedCB, o.ReconnectedCB = cb, cb
		return nil
	}
}

// Notify sets the function called on (re)connect.
func (r *Reconnects) Notify(f func()) { r.f.Store(&f) }
