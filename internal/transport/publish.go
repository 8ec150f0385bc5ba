package transport

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/pki"
)

const maxMsgIDLen = 128

// PublishResult publishes one result of agentID to JetStream on
// ward.result.<agentID>.<kind> with header Nats-Msg-Id = msgID, and waits
// for the stream's acknowledgement (bounded by ctx). Only after it returns
// without error may the agent drop the result from its spool. A replay
// with the same msgID inside the duplicate window is acked with
// Duplicate set and not stored again.
func PublishResult(ctx context.Context, js jetstream.JetStream, agentID, kind, msgID string, payload []byte) (*jetstream.PubAck, error) {
	if err := pki.ValidAgentID(agentID); err != nil {
		return nil, fmt.Errorf("publish result: %w", err)
	}
	if err := validKind(kind); err != nil {
		return nil, fmt.Errorf("publish result: %w", err)
	}
	if msgID == "" || len(msgID) > maxMsgIDLen || strings.ContainsAny(msgID, " \t\r\n") {
		return nil, fmt.Errorf("publish result: message id %q: want 1 to %d characters without white space", msgID, maxMsgIDLen)
	}
	if limit := js.Conn().MaxPayload(); limit > 0 && int64(len(payload)) > limit {
		return nil, fmt.Errorf("publish result %s: payload of %d bytes exceeds the bus maximum of %d; split it", msgID, len(payload), limit)
	}
	msg := &nats.Msg{Subject: ResultSubject(agentID, kind), Data: payload, Header: nats.Header{}}
	ack, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(msgID), jetstream.WithExpectStream(ResultsStream))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("publish result %s to %s: no acknowledgement from JetStream (denied or server unavailable): %w", msgID, msg.Subject, err)
		}
		return nil, fmt.Errorf("publish result %s to %s: %w", msgID, msg.Subject, err)
	}
	return ack, nil
}
