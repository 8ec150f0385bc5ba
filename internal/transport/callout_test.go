package transport

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/pki"
)

// Through the auth callout, agent A publishes its heartbeat and a result
// on the operator's cluster, and the server gets both.
func TestCalloutAgentPublishesHeartbeatAndResult(t *testing.T) {
	c := startExtCluster(t)
	js := c.withWard(t)
	heartbeats, err := c.ward.SubscribeSync(AllHeartbeats)
	if err != nil {
		t.Fatal(err)
	}
	c.ward.Flush()

	id, cert := agentCertFrom(t, c.ca)
	errs := newAsyncErrors()
	agent := c.connectAgent(t, id, cert, errs.option())
	if err := agent.Publish(HeartbeatSubject(id), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if msg, err := heartbeats.NextMsg(5 * time.Second); err != nil || msg.Subject != HeartbeatSubject(id) {
		t.Fatalf("heartbeat: %v, %v", msg, err)
	}
	agentJS, err := jetstream.New(agent)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := PublishResult(ctxTimeout(t, 5*time.Second), agentJS, id, "inventory", "m-1", []byte(`{}`))
	if err != nil || ack.Stream != ResultsStream {
		t.Fatalf("PublishResult = %+v, %v", ack, err)
	}
	if n := streamMsgs(t, js); n != 1 {
		t.Errorf("stream holds %d messages, want 1", n)
	}
	select {
	case err := <-errs.ch:
		t.Errorf("agent got an asynchronous error: %v", err)
	default:
	}
}

// The callout hands out exactly AgentPermissions: the same violations as
// in embedded mode.
func TestCalloutAgentPermissionViolations(t *testing.T) {
	c := startExtCluster(t)
	js := c.withWard(t)
	idA, certA := agentCertFrom(t, c.ca)
	idB, _ := agentCertFrom(t, c.ca)
	errs := newAsyncErrors()
	agent := c.connectAgent(t, idA, certA, errs.option())

	pub := func(s string) error { return agent.Publish(s, []byte("x")) }
	sub := func(s string) error { _, err := agent.SubscribeSync(s); return err }
	tests := []struct {
		name    string
		subject string
		do      func(string) error
	}{
		{"publish B's result", ResultSubject(idB, "inventory"), pub},
		{"publish B's heartbeat", HeartbeatSubject(idB), pub},
		{"publish a task to itself", TaskSubject(idA), pub},
		{"delete the stream", "$JS.API.STREAM.DELETE." + ResultsStream, pub},
		{"answer auth callouts", "$SYS.REQ.USER.AUTH", pub},
		{"subscribe to B's tasks", TaskSubject(idB), sub},
		{"subscribe to all heartbeats", AllHeartbeats, sub},
		{"subscribe to B's inbox", InboxPrefix(idB) + ".>", sub},
		{"subscribe to auth callouts", "$SYS.REQ.USER.AUTH", sub},
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
	agentJS, _ := jetstream.New(agent)
	if _, err := agentJS.PublishMsg(ctxTimeout(t, time.Second), &nats.Msg{Subject: ResultSubject(idB, "inventory"), Data: []byte("forged")}); err == nil {
		t.Error("JetStream acked a result published under another agent's id")
	}
	if n := streamMsgs(t, js); n != 0 {
		t.Errorf("stream holds %d messages, want 0", n)
	}
	if _, err := PublishResult(ctxTimeout(t, 5*time.Second), agentJS, idA, "findings", "ok-1", []byte("{}")); err != nil {
		t.Errorf("own result after violations: %v", err)
	}
}

func TestCalloutRefusesRevokedAgents(t *testing.T) {
	c := startExtCluster(t)
	c.withWard(t)

	id, cert := agentCertFrom(t, c.ca)
	c.revoked.add(id) // in the store
	if _, err := c.dialAgent(id, cert); !isAuthorizationViolation(err) {
		t.Fatalf("agent revoked in the store: err = %v, want an authorization violation", err)
	}

	id2, cert2 := agentCertFrom(t, c.ca)
	c.connectAgent(t, id2, cert2).Close()
	if err := c.callout.Revoke(id2); err != nil { // through this server, before the store cache knows
		t.Fatal(err)
	}
	if _, err := c.dialAgent(id2, cert2); !isAuthorizationViolation(err) {
		t.Fatalf("agent revoked through the callout: err = %v, want an authorization violation", err)
	}
	if err := c.callout.Revoke("agt_.>"); err == nil {
		t.Error("Revoke accepted a malformed agent id")
	}
}

// The operator's cluster trusts another CA too (its own clients): TLS lets
// that CA's "agent" through, the callout does not.
func TestCalloutRefusesCertificatesOfAnotherCA(t *testing.T) {
	other, err := pki.NewCA("Other CA", pki.CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	c := startExtCluster(t, other)
	c.withWard(t)
	foreignID, foreignCert := agentCertFrom(t, other)
	_, err = c.dialAgent(foreignID, foreignCert)
	if !isAuthorizationViolation(err) {
		t.Fatalf("agent of another CA: err = %v, want an authorization violation", err)
	}

	// A Ward server certificate is not an agent's: only auth users (nkey)
	// get server rights.
	srvCert, _ := c.ca.IssueServerClientCert("rogue", time.Hour)
	if nc, err := ConnectServer([]string{c.url}, srvCert, c.ca.Pool(), nats.Timeout(5*time.Second)); err == nil {
		nc.Close()
		t.Fatal("server certificate without the auth user's nkey admitted")
	} else if !isAuthorizationViolation(err) {
		t.Fatalf("err = %v, want an authorization violation", err)
	}
}

// Without the Ward server answering, nobody gets in (fail closed).
func TestCalloutWithoutResponderRefuses(t *testing.T) {
	c := startExtCluster(t)
	id, cert := agentCertFrom(t, c.ca)
	if _, err := c.dialAgent(id, cert); err == nil {
		t.Fatal("agent admitted with no callout responder")
	}
}

// MaxSession ends the connection; the agent comes back through the
// callout, which is where a revocation bites on an external cluster.
func TestCalloutSessionExpiryReconnects(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a JWT expiry")
	}
	c := startExtCluster(t)
	c.withWard(t, func(cfg *CalloutConfig) { cfg.MaxSession = 2 * time.Second }) // JWT expiry has second resolution
	id, cert := agentCertFrom(t, c.ca)
	reconnected := make(chan struct{}, 4)
	agent := c.connectAgent(t, id, cert,
		nats.CustomReconnectDelay(func(int) time.Duration { return 50 * time.Millisecond }),
		nats.ReconnectHandler(func(*nats.Conn) { reconnected <- struct{}{} }))
	select {
	case <-reconnected:
	case <-time.After(10 * time.Second):
		t.Fatal("session did not end and come back")
	}
	if err := agent.Publish(HeartbeatSubject(id), nil); err != nil {
		t.Fatal(err)
	}
	c.revoked.add(id)
	waitForLong(t, "revoked agent's session to end", 10*time.Second, func() bool { return !agent.IsConnected() })
	time.Sleep(500 * time.Millisecond)
	if agent.IsConnected() {
		t.Fatal("revoked agent reconnected")
	}
}

func waitForLong(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
