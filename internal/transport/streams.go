package transport

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DuplicateWindow is how long JetStream remembers Nats-Msg-Id values: a
// result replayed from an agent's spool within it is stored once (the
// store dedups on message id beyond it).
const DuplicateWindow = 2 * time.Minute

// Ingest consumer settings: batches of up to IngestBatch messages, which
// the server acks after its store commit.
const (
	IngestBatch      = 500
	ingestAckWait    = 2 * time.Minute
	ingestMaxPending = 4 * IngestBatch
)

// ResultsStreamConfig is the WARD_RESULTS stream: every result subject,
// on disk, each message kept until the server's ingest acks it.
func ResultsStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        ResultsStream,
		Description: "Ward agent results, removed once ingested",
		Subjects:    []string{AllResults},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		Duplicates:  DuplicateWindow,
		MaxMsgSize:  MaxPayload,
		Replicas:    1,
	}
}

// EnsureStreams creates the fleet's streams or brings them to the wanted
// configuration; calling it again changes nothing.
func EnsureStreams(ctx context.Context, js jetstream.JetStream) error {
	return EnsureStream(ctx, js, ResultsStreamConfig())
}

// EnsureStream creates or updates one stream. JetStream refuses some
// changes to an existing stream (retention, storage); the error says so.
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) error {
	if _, err := js.CreateOrUpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("ensure stream %s: %w", cfg.Name, err)
	}
	return nil
}

// IngestConsumerConfig is the server's durable pull consumer of results.
func IngestConsumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:         IngestConsumer,
		Description:     "Ward server ingest",
		AckPolicy:       jetstream.AckExplicitPolicy,
		AckWait:         ingestAckWait,
		MaxAckPending:   ingestMaxPending,
		MaxRequestBatch: IngestBatch,
		DeliverPolicy:   jetstream.DeliverAllPolicy,
	}
}

// EnsureIngestConsumer creates or updates the ward-ingest consumer on
// the results stream.
func EnsureIngestConsumer(ctx context.Context, js jetstream.JetStream) (jetstream.Consumer, error) {
	c, err := js.CreateOrUpdateConsumer(ctx, ResultsStream, IngestConsumerConfig())
	if err != nil {
		return nil, fmt.Errorf("ensure consumer %s on %s: %w", IngestConsumer, ResultsStream, err)
	}
	return c, nil
}
