package transport

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// externalNATS is the shared JetStream server for external-mode tests.
const externalNATS = "nats://127.0.0.1:4222"

// External mode (--nats-url): the operator's NATS, reached with a plain
// connection; stream setup, publish with dedup and consume must work the
// same. The stream and subjects are unique to this run, so the shared
// server's other users are not disturbed, and are deleted afterwards.
// Per-agent permissions there come from the auth callout: callout_test.go
// runs them against an in-process cluster configured like the operator's.
func TestExternalModeStreams(t *testing.T) {
	nc, err := nats.Connect(externalNATS, nats.Timeout(2*time.Second), nats.MaxReconnects(0))
	if err != nil {
		t.Skipf("external NATS at %s unreachable (%v): skipping external-mode test", externalNATS, err)
	}
	t.Cleanup(nc.Close) // registered first, so it runs after the stream is deleted
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AccountInfo(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Skipf("external NATS at %s has no JetStream (%v): skipping", externalNATS, err)
	}

	suffix := fmt.Sprintf("%d_%08x", time.Now().UnixNano(), rand.Uint32())
	cfg := ResultsStreamConfig()
	cfg.Name = "WARD_TEST_RESULTS_" + suffix
	subjectRoot := "wardtest." + suffix + ".result"
	cfg.Subjects = []string{subjectRoot + ".>"}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := js.DeleteStream(ctx, cfg.Name); err != nil {
			t.Logf("delete test stream %s: %v", cfg.Name, err)
		}
	})
	for range 2 { // idempotent
		if err := EnsureStream(ctxTimeout(t, 5*time.Second), js, cfg); err != nil {
			t.Fatal(err)
		}
	}

	subject := subjectRoot + ".agt_abcdefghijklmnopqrstuvwxyz.inventory"
	for i, wantDup := range []bool{false, true} {
		ack, err := js.PublishMsg(ctxTimeout(t, 5*time.Second), &nats.Msg{Subject: subject, Data: []byte("inv")},
			jetstream.WithMsgID("ext-1"), jetstream.WithExpectStream(cfg.Name))
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if ack.Duplicate != wantDup {
			t.Errorf("publish %d: Duplicate = %v, want %v", i, ack.Duplicate, wantDup)
		}
	}

	ccfg := IngestConsumerConfig()
	cons, err := js.CreateOrUpdateConsumer(ctxTimeout(t, 5*time.Second), cfg.Name, ccfg)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(IngestBatch, jetstream.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for m := range batch.Messages() {
		n++
		if m.Headers().Get(jetstream.MsgIDHeader) != "ext-1" || string(m.Data()) != "inv" {
			t.Errorf("consumed %q with id %q", m.Data(), m.Headers().Get(jetstream.MsgIDHeader))
		}
		if err := m.DoubleAck(ctxTimeout(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if n != 1 {
		t.Errorf("consumed %d messages, want 1", n)
	}
}
