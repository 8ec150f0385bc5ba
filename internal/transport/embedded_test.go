package transport

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/pki"
)

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func serverJetStream(t *testing.T, f *fleet) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc := f.connectServer(t)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureStreams(ctxTimeout(t, 10*time.Second), js); err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// Agent A, with its own certificate, publishes its heartbeat and a result;
// the server receives the heartbeat and consumes the result from the stream.
func TestAgentPublishesHeartbeatAndResult(t *testing.T) {
	f := startFleet(t)
	srvConn, srvJS := serverJetStream(t, f)
	heartbeats, err := srvConn.SubscribeSync(AllHeartbeats)
	if err != nil {
		t.Fatal(err)
	}
	if err := srvConn.Flush(); err != nil {
		t.Fatal(err)
	}

	id, cert := f.agentCert(t)
	errs := newAsyncErrors()
	agent := f.connectAgent(t, id, cert, errs.option())

	if err := agent.Publish(HeartbeatSubject(id), []byte(`{"agent_id":"`+id+`"}`)); err != nil {
		t.Fatal(err)
	}
	msg, err := heartbeats.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatalf("server got no heartbeat: %v", err)
	}
	if got, err := AgentFromHeartbeatSubject(msg.Subject); err != nil || got != id {
		t.Errorf("heartbeat subject %q → %q, %v", msg.Subject, got, err)
	}

	agentJS, err := jetstream.New(agent)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := PublishResult(ctxTimeout(t, 5*time.Second), agentJS, id, "inventory", "msg-1", []byte(`{"kind":"inventory"}`))
	if err != nil {
		t.Fatalf("PublishResult: %v", err)
	}
	if ack.Stream != ResultsStream || ack.Duplicate {
		t.Errorf("PubAck %+v", ack)
	}

	cons, err := EnsureIngestConsumer(ctxTimeout(t, 5*time.Second), srvJS)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(IngestBatch, jetstream.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var got []jetstream.Msg
	for m := range batch.Messages() {
		got = append(got, m)
	}
	if len(got) != 1 {
		t.Fatalf("consumed %d results, want 1", len(got))
	}
	m := got[0]
	agentID, kind, err := ParseResultSubject(m.Subject())
	if err != nil || agentID != id || kind != "inventory" || m.Headers().Get(jetstream.MsgIDHeader) != "msg-1" {
		t.Errorf("result on %q (%q %q %v) with Nats-Msg-Id %q", m.Subject(), agentID, kind, err, m.Headers().Get(jetstream.MsgIDHeader))
	}
	if err := m.DoubleAck(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	// Work-queue retention: acked means gone.
	waitFor(t, "stream to drain after ack", func() bool { return streamMsgs(t, srvJS) == 0 })

	select {
	case err := <-errs.ch:
		t.Errorf("agent got an asynchronous error: %v", err)
	default:
	}
}

// Agent A may not act as agent B, nor touch anything beyond its subjects.
func TestAgentPermissionViolations(t *testing.T) {
	f := startFleet(t)
	_, srvJS := serverJetStream(t, f)
	idA, certA := f.agentCert(t)
	idB, _ := f.agentCert(t)
	errs := newAsyncErrors()
	agent := f.connectAgent(t, idA, certA, errs.option())

	tests := []struct {
		name    string
		subject string
		do      func(subject string) error
	}{
		{"publish B's result", ResultSubject(idB, "inventory"), func(s string) error { return agent.Publish(s, []byte("x")) }},
		{"publish B's heartbeat", HeartbeatSubject(idB), func(s string) error { return agent.Publish(s, []byte("x")) }},
		{"publish a task to itself", TaskSubject(idA), func(s string) error { return agent.Publish(s, []byte("x")) }},
		{"delete the stream", "$JS.API.STREAM.DELETE." + ResultsStream, func(s string) error { return agent.Publish(s, nil) }},
		{"subscribe to B's tasks", TaskSubject(idB), func(s string) error { _, err := agent.SubscribeSync(s); return err }},
		{"subscribe to all heartbeats", AllHeartbeats, func(s string) error { _, err := agent.SubscribeSync(s); return err }},
		{"subscribe to B's inbox", InboxPrefix(idB) + ".>", func(s string) error { _, err := agent.SubscribeSync(s); return err }},
		{"subscribe to the default inbox", "_INBOX.>", func(s string) error { _, err := agent.SubscribeSync(s); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(tt.subject); err != nil {
				t.Fatal(err)
			}
			err := errs.next(t)
			if !isPermissionViolation(err) {
				t.Fatalf("err = %v, want a permissions violation", err)
			}
			if !strings.Contains(err.Error(), tt.subject) {
				t.Errorf("violation %q does not name subject %q", err, tt.subject)
			}
		})
	}

	// Through JetStream too: B's subject gets no PubAck, and nothing is stored.
	agentJS, _ := jetstream.New(agent)
	msg := &nats.Msg{Subject: ResultSubject(idB, "inventory"), Data: []byte("forged")}
	if _, err := agentJS.PublishMsg(ctxTimeout(t, time.Second), msg); err == nil {
		t.Error("JetStream acked a result published under another agent's id")
	}
	if n := streamMsgs(t, srvJS); n != 0 {
		t.Errorf("stream holds %d messages, want 0", n)
	}
	// The violations did not cost A its connection or its own rights.
	if !agent.IsConnected() {
		t.Fatal("agent disconnected by permission violations")
	}
	if _, err := PublishResult(ctxTimeout(t, 5*time.Second), agentJS, idA, "findings", "ok-1", []byte("{}")); err != nil {
		t.Errorf("own result after violations: %v", err)
	}
}

func TestUntrustedClientsRefusedAtTLS(t *testing.T) {
	f := startFleet(t)
	other, err := pki.NewCA("Other CA", pki.CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	foreignID, foreignCert := agentCertFrom(t, other)
	serverTLS, err := f.ca.IssueServerCert([]string{"localhost"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		config func() *nats.Conn
	}{
		{"agent cert from another CA", func() *nats.Conn {
			// Trust the real server, present a foreign certificate.
			nc, err := nats.Connect(f.srv.ClientURL(), nats.Secure(ClientTLSConfig(foreignCert, f.ca.Pool())),
				nats.CustomInboxPrefix(InboxPrefix(foreignID)), nats.Timeout(3*time.Second))
			if err == nil {
				return nc
			}
			t.Logf("refused: %v", err)
			return nil
		}},
		{"server TLS certificate used as a client certificate", func() *nats.Conn {
			nc, err := nats.Connect(f.srv.ClientURL(), nats.Secure(ClientTLSConfig(serverTLS, f.ca.Pool())), nats.Timeout(3*time.Second))
			if err == nil {
				return nc
			}
			t.Logf("refused: %v", err)
			return nil
		}},
		{"no client certificate", func() *nats.Conn {
			cfg := ClientTLSConfig(serverTLS, f.ca.Pool())
			cfg.Certificates = nil
			nc, err := nats.Connect(f.srv.ClientURL(), nats.Secure(cfg), nats.Timeout(3*time.Second))
			if err == nil {
				return nc
			}
			t.Logf("refused: %v", err)
			return nil
		}},
		{"plain text", func() *nats.Conn {
			nc, err := nats.Connect(strings.Replace(f.srv.ClientURL(), "tls://", "nats://", 1), nats.Timeout(3*time.Second))
			if err == nil {
				return nc
			}
			t.Logf("refused: %v", err)
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if nc := tt.config(); nc != nil {
				nc.Close()
				t.Fatal("connection accepted")
			}
		})
	}
	// And the agent helper refuses a server outside the CA it trusts.
	id, cert := f.agentCert(t)
	if _, err := ConnectAgent([]string{f.srv.ClientURL()}, cert, other.Pool(), id, nats.Timeout(3*time.Second)); err == nil ||
		!strings.Contains(err.Error(), "not from the Ward CA") {
		t.Errorf("agent trusting another CA: err = %v, want the server certificate refused", err)
	}
}

func TestRevocation(t *testing.T) {
	f := startFleet(t)

	t.Run("revoked agent refused on connect", func(t *testing.T) {
		id, cert := f.agentCert(t)
		f.revoked.add(id)
		_, err := ConnectAgent([]string{f.srv.ClientURL()}, cert, f.ca.Pool(), id, nats.Timeout(3*time.Second))
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
			t.Fatalf("err = %v, want an authorization violation", err)
		}
	})

	t.Run("connected agent disconnected on revoke", func(t *testing.T) {
		id, cert := f.agentCert(t)
		otherID, otherCert := f.agentCert(t)
		disconnected := make(chan struct{}, 1)
		errs := newAsyncErrors()
		agent := f.connectAgent(t, id, cert, errs.option(),
			nats.CustomReconnectDelay(func(int) time.Duration { return 20 * time.Millisecond }),
			nats.DisconnectErrHandler(func(*nats.Conn, error) {
				select {
				case disconnected <- struct{}{}:
				default:
				}
			}))
		bystander := f.connectAgent(t, otherID, otherCert)
		// Two connections of the same agent are both closed.
		second := f.connectAgent(t, id, cert, nats.NoReconnect())

		n, err := f.srv.Revoke(id)
		if err != nil || n != 2 {
			t.Fatalf("Revoke = %d, %v; want 2 connections closed", n, err)
		}
		select {
		case <-disconnected:
		case <-time.After(5 * time.Second):
			t.Fatal("agent not disconnected")
		}
		waitFor(t, "second connection closed", second.IsClosed)
		// It keeps trying and keeps being refused.
		time.Sleep(300 * time.Millisecond)
		if agent.IsConnected() {
			t.Fatal("revoked agent reconnected")
		}
		if !bystander.IsConnected() {
			t.Error("another agent was disconnected")
		}
		if n, err := f.srv.Revoke(id); err != nil || n != 0 {
			t.Errorf("second Revoke = %d, %v; want 0, nil", n, err)
		}
	})

	if _, err := f.srv.Revoke("agt_.>"); err == nil {
		t.Error("Revoke accepted a malformed agent id")
	}
}

func TestDuplicateMsgIDStoredOnce(t *testing.T) {
	f := startFleet(t)
	_, srvJS := serverJetStream(t, f)
	id, cert := f.agentCert(t)
	agentJS, err := jetstream.New(f.connectAgent(t, id, cert))
	if err != nil {
		t.Fatal(err)
	}
	for i, wantDup := range []bool{false, true, true} {
		ack, err := PublishResult(ctxTimeout(t, 5*time.Second), agentJS, id, "inventory", "same-id", []byte("payload"))
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if ack.Duplicate != wantDup {
			t.Errorf("publish %d: Duplicate = %v, want %v", i, ack.Duplicate, wantDup)
		}
	}
	if _, err := PublishResult(ctxTimeout(t, 5*time.Second), agentJS, id, "inventory", "other-id", []byte("payload")); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, srvJS); n != 2 {
		t.Errorf("stream holds %d messages, want 2", n)
	}
}

func TestEnsureStreamsIsIdempotent(t *testing.T) {
	f := startFleet(t)
	_, js := serverJetStream(t, f)
	for range 2 {
		if err := EnsureStreams(ctxTimeout(t, 5*time.Second), js); err != nil {
			t.Fatal(err)
		}
		if _, err := EnsureIngestConsumer(ctxTimeout(t, 5*time.Second), js); err != nil {
			t.Fatal(err)
		}
	}
	s, err := js.Stream(ctxTimeout(t, 5*time.Second), ResultsStream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.CachedInfo().Config
	if cfg.Retention != jetstream.WorkQueuePolicy || cfg.Storage != jetstream.FileStorage ||
		cfg.Duplicates != DuplicateWindow || len(cfg.Subjects) != 1 || cfg.Subjects[0] != AllResults {
		t.Errorf("stream config %+v", cfg)
	}
}

func TestPublishResultChecksArguments(t *testing.T) {
	f := startFleet(t)
	id, cert := f.agentCert(t)
	js, _ := jetstream.New(f.connectAgent(t, id, cert))
	tests := []struct {
		name, agent, kind, msgID string
		payload                  []byte
		want                     string
	}{
		{"bad agent", "agt_x", "inventory", "m", nil, "agent id"},
		{"wildcard kind", id, ">", "m", nil, "result kind"},
		{"dotted kind", id, "a.b", "m", nil, "result kind"},
		{"empty msg id", id, "inventory", "", nil, "message id"},
		{"too big", id, "inventory", "m", make([]byte, MaxPayload+1), "exceeds the bus maximum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PublishResult(ctxTimeout(t, time.Second), js, tt.agent, tt.kind, tt.msgID, tt.payload)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestConnectAgentChecksItsCertificate(t *testing.T) {
	f := startFleet(t)
	id, cert := f.agentCert(t)
	otherID, _ := f.agentCert(t)
	if _, err := ConnectAgent([]string{f.srv.ClientURL()}, cert, f.ca.Pool(), otherID); err == nil || !strings.Contains(err.Error(), id) {
		t.Errorf("connecting as %s with %s's certificate: err = %v", otherID, id, err)
	}
	srvCert, _ := f.ca.IssueServerClientCert("x", time.Hour)
	if _, err := ConnectAgent([]string{f.srv.ClientURL()}, srvCert, f.ca.Pool(), id); err == nil {
		t.Error("ConnectAgent accepted the server's certificate")
	}
	if _, err := ConnectServer([]string{f.srv.ClientURL()}, cert, f.ca.Pool()); err == nil {
		t.Error("ConnectServer accepted an agent certificate")
	}
}

func TestEmbeddedServerStartFailures(t *testing.T) {
	f := startFleet(t)
	cert, _ := f.ca.IssueServerCert([]string{"127.0.0.1"}, time.Hour)
	port := f.srv.srvPort(t)
	busy, err := NewEmbeddedServer(EmbeddedConfig{Host: "127.0.0.1", Port: port, StoreDir: t.TempDir(),
		ServerCert: cert, ClientCAs: f.ca.Pool(), StartTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := busy.Start(); err == nil {
		busy.Shutdown()
		t.Fatal("second server started on a busy port")
	} else {
		t.Logf("busy port: %v", err)
	}

	bad := []EmbeddedConfig{
		{ServerCert: cert, ClientCAs: f.ca.Pool()},      // no store dir
		{StoreDir: t.TempDir(), ClientCAs: f.ca.Pool()}, // no cert
		{StoreDir: t.TempDir(), ServerCert: cert},       // no CA
		{StoreDir: t.TempDir(), ServerCert: cert, ClientCAs: f.ca.Pool(), Port: 70000},
	}
	for i, cfg := range bad {
		if _, err := NewEmbeddedServer(cfg); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
}
