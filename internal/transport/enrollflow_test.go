package transport

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/pki"
)

// oneTokenStore accepts a single token hash once.
type oneTokenStore struct{ hash string }

func (s *oneTokenStore) ConsumeToken(_ context.Context, hash string) (map[string]string, error) {
	if hash != s.hash {
		return nil, enroll.ErrTokenUnknown
	}
	s.hash = ""
	return nil, nil
}

func (s *oneTokenStore) RegisterAgent(context.Context, enroll.HostFacts, map[string]string) (string, string, error) {
	id, err := pki.NewAgentID()
	return id, "host-1", err
}

// The whole path of docs/fleet.md: server PKI on disk, embedded NATS,
// enrollment over pinned TLS, agent credentials on disk, then a result
// published under the agent's own identity.
func TestEnrollThenPublish(t *testing.T) {
	dataDir := t.TempDir()
	srvPKI, err := pki.LoadOrCreateServer(filepath.Join(dataDir, "pki"), pki.ServerHosts())
	if err != nil {
		t.Fatal(err)
	}
	bus, err := NewEmbeddedServer(EmbeddedConfig{Host: "127.0.0.1", StoreDir: filepath.Join(dataDir, "jetstream"),
		ServerCert: srvPKI.ServerCert, ClientCAs: srvPKI.CA.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Shutdown)

	serverClient, err := srvPKI.CA.IssueServerClientCert("main", pki.ServerClientCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	srvConn, err := ConnectServer([]string{bus.ClientURL()}, serverClient, srvPKI.CA.Pool())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srvConn.Close)
	srvJS, _ := jetstream.New(srvConn)
	if err := EnsureStreams(ctxTimeout(t, 5*time.Second), srvJS); err != nil {
		t.Fatal(err)
	}

	token, hash, err := enroll.NewToken(srvPKI.CA.Fingerprint())
	if err != nil {
		t.Fatal(err)
	}
	h, err := enroll.NewHandler(enroll.HandlerConfig{Store: &oneTokenStore{hash: hash}, CA: srvPKI.CA, NATSURLs: []string{bus.ClientURL()}})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewUnstartedServer(h)
	web.TLS = &tls.Config{Certificates: []tls.Certificate{srvPKI.ServerCert}}
	web.Config.ErrorLog = log.New(io.Discard, "", 0)
	web.StartTLS()
	t.Cleanup(web.Close)

	agentDir := filepath.Join(t.TempDir(), "agent")
	key, err := pki.LoadOrCreateAgentKey(agentDir)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewAgentCSR(key)
	if err != nil {
		t.Fatal(err)
	}
	facts := enroll.HostFacts{Hostname: "db-1", IdentityKey: enroll.IdentityKey("", "", "abc")}
	res, err := enroll.Enroll(ctxTimeout(t, 10*time.Second), web.URL, token, csr, facts, nil)
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	if _, err := pki.SaveAgentCredentials(agentDir, []byte(res.CertPEM), []byte(res.CAPEM)); err != nil {
		t.Fatal(err)
	}
	creds, err := pki.LoadAgentCredentials(agentDir)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := ConnectAgent(res.NATSURLs, creds.Certificate, creds.CAPool, creds.AgentID)
	if err != nil {
		t.Fatalf("agent connect: %v", err)
	}
	t.Cleanup(agent.Close)
	agentJS, _ := jetstream.New(agent)
	if _, err := PublishResult(ctxTimeout(t, 5*time.Second), agentJS, creds.AgentID, "inventory", "first", []byte("{}")); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if n := streamMsgs(t, srvJS); n != 1 {
		t.Errorf("stream holds %d results, want 1", n)
	}
}
