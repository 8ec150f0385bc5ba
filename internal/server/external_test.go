package server

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/transport"
)

// startExternalServer prepares a data directory the way an operator does
// (ward server --print-nats-config creates the CA and the nkeys), starts
// an in-process NATS server configured like the operator's cluster (TLS
// verify against the Ward CA, JetStream, the printed auth_callout block)
// and then the Ward server in external mode against it.
func startExternalServer(t *testing.T) *Server {
	t.Helper()
	dataDir := t.TempDir()
	pkiDir := filepath.Join(dataDir, "pki")
	sp, err := pki.LoadOrCreateServer(pkiDir, pki.ServerHosts())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := transport.LoadOrCreateCalloutKeys(pkiDir)
	if err != nil {
		t.Fatal(err)
	}
	url := startOperatorNATS(t, sp.CA, filepath.Join(pkiDir, pki.CACertFile),
		transport.CalloutConfigSnippet(keys.IssuerPublicKey(), keys.ServerUserPublicKey()))

	s, err := Start(context.Background(), Config{
		DataDir: dataDir, Listen: "127.0.0.1:0", NATSURL: url,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if s.nats != nil || s.AgentNATSURL() != url {
		t.Fatalf("external mode: embedded server %v, agents sent to %q, want %q", s.nats != nil, s.AgentNATSURL(), url)
	}
	return s
}

func startOperatorNATS(t *testing.T, ca *pki.CA, caFile, snippet string) string {
	t.Helper()
	dir := t.TempDir()
	cert, err := ca.IssueServerCert([]string{"127.0.0.1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certFile := write("nats.crt", pki.EncodeCertPEM(cert.Leaf.Raw))
	keyFile := write("nats.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	conf := write("nats.conf", fmt.Appendf(nil, `listen: "127.0.0.1:-1"
tls { cert_file: %q, key_file: %q, ca_file: %q, verify: true, timeout: 5 }
jetstream { store_dir: %q }
%s`, certFile, keyFile, caFile, filepath.Join(dir, "js"), snippet))
	opts, err := natsserver.ProcessConfigFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	opts.NoSigs = true
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("operator NATS not ready")
	}
	return ns.ClientURL()
}

// External mode: enrollment → task over the operator's NATS → results
// ingested, with agents admitted through Ward's auth callout.
func TestExternalNATSEnrollTaskResult(t *testing.T) {
	testEnrollTaskResult(t, startExternalServer(t))
}

// A revoked agent cannot come back through the callout.
func TestExternalNATSRevokedAgentRefused(t *testing.T) {
	s := startExternalServer(t)
	creds, res, nc := enrollAgent(t, s, newEnrollToken(t, s, 1), "m-ext")
	nc.Close()
	if err := s.RevokeAgent(context.Background(), creds.AgentID); err != nil {
		t.Fatal(err)
	}
	_, err := transport.ConnectAgent(res.NATSURLs, creds.Certificate, creds.CAPool, creds.AgentID, nats.NoReconnect(), nats.Timeout(5*time.Second))
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
		t.Fatalf("revoked agent: err = %v, want an authorization violation", err)
	}
}

// The operator may hand agents another address than the server uses.
func TestAgentNATSURLOverride(t *testing.T) {
	s, err := Start(context.Background(), Config{
		DataDir: t.TempDir(), Listen: "127.0.0.1:0", NATSListen: "127.0.0.1:0",
		AgentNATSURL: "tls://nats.example:4222", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.AgentNATSURL(); got != "tls://nats.example:4222" {
		t.Errorf("AgentNATSURL = %q", got)
	}
}
