package agent

import (
	"context"
	"encoding/json"

	"github.com/ward-sec/ward/internal/model"
)

// Publisher is the agent's way out to the server (internal/transport
// implements it over NATS). It must be safe for concurrent use.
type Publisher interface {
	// PublishResult publishes payload on ward.result.<agent>.<kind> with
	// header Nats-Msg-Id: msgID and returns nil only once JetStream has
	// acknowledged it (PubAck). An error means "not known to be stored":
	// the agent publishes the same message again later.
	PublishResult(ctx context.Context, kind, msgID string, payload []byte) error
	// PublishHeartbeat publishes payload on ward.hb.<agent> (core NATS).
	PublishHeartbeat(ctx context.Context, payload []byte) error
}

// TaskSource delivers the tasks sent to this agent (a subscription to
// ward.task.<agent>, which survives reconnects).
type TaskSource interface {
	// NextTask blocks until a task arrives or ctx ends. Errors other than
	// ctx's are retried after a pause.
	NextTask(ctx context.Context) (TaskMessage, error)
}

// Differ computes the delta that turns base into next, as the JSON the
// server's store applies (store.Diff, marshalled).
type Differ interface {
	Diff(base, next *model.Inventory) (json.RawMessage, error)
}

// DifferFunc adapts a function to Differ.
type DifferFunc func(base, next *model.Inventory) (json.RawMessage, error)

// Diff calls f.
func (f DifferFunc) Diff(base, next *model.Inventory) (json.RawMessage, error) { return f(base, next) }
