package transport

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/pki"
)

// extCluster plays an operator's NATS cluster configured for Ward: the
// snippet of CalloutConfigSnippet, TLS verify against the Ward CA and
// JetStream, loaded through the real config parser. The Ward side (auth
// user connection with the callout service) is started by withWard.
type extCluster struct {
	ca      *pki.CA
	keys    *CalloutKeys
	ns      *server.Server
	url     string
	revoked *revocationList
	callout *CalloutService
	ward    *nats.Conn
}

// startExtCluster starts the cluster. trustAlso are further CAs the
// cluster's TLS accepts (an operator's cluster may serve other clients):
// the callout must still admit only the Ward CA's agents.
func startExtCluster(t *testing.T, trustAlso ...*pki.CA) *extCluster {
	t.Helper()
	ca, err := pki.NewCA("Test Ward CA", pki.CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := LoadOrCreateCalloutKeys(filepath.Join(t.TempDir(), "pki"))
	if err != nil {
		t.Fatal(err)
	}
	c := &extCluster{ca: ca, keys: keys, revoked: &revocationList{ids: map[string]bool{}}}
	c.ns, c.url = startNATSFromConfig(t, ca, keys, trustAlso)
	return c
}

func startNATSFromConfig(t *testing.T, ca *pki.CA, keys *CalloutKeys, trustAlso []*pki.CA) (*server.Server, string) {
	t.Helper()
	dir := t.TempDir()
	caPEM := ca.CertPEM()
	for _, other := range trustAlso {
		caPEM = append(caPEM, other.CertPEM()...)
	}
	writeTestFile(t, filepath.Join(dir, "ca.crt"), caPEM)
	cert, err := ca.IssueServerCert([]string{"127.0.0.1", "localhost"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "nats.crt"), pki.EncodeCertPEM(cert.Leaf.Raw))
	writeTestFile(t, filepath.Join(dir, "nats.key"), keyPEM(t, cert))
	conf := fmt.Sprintf(`listen: "127.0.0.1:-1"
server_name: ext-test
tls {
  cert_file: %q
  key_file: %q
  ca_file: %q
  verify: true
  timeout: 5
}
jetstream { store_dir: %q }
`, filepath.Join(dir, "nats.crt"), filepath.Join(dir, "nats.key"), filepath.Join(dir, "ca.crt"), filepath.Join(dir, "js")) +
		CalloutConfigSnippet(keys.IssuerPublicKey(), keys.ServerUserPublicKey())
	confPath := filepath.Join(dir, "nats.conf")
	writeTestFile(t, confPath, []byte(conf))

	opts, err := server.ProcessConfigFile(confPath)
	if err != nil {
		t.Fatalf("operator config does not parse: %v\n%s", err, conf)
	}
	opts.NoSigs = true
	ns, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		ns.ConfigureLogger()
	}
	ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("external NATS not ready")
	}
	return ns, ns.ClientURL()
}

// withWard connects the Ward server side as the auth user, starts the
// callout and creates the streams, as server.Start does in external mode.
func (c *extCluster) withWard(t *testing.T, configure ...func(*CalloutConfig)) jetstream.JetStream {
	t.Helper()
	cert, err := c.ca.IssueServerClientCert("ward", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.ward, err = ConnectServer([]string{c.url}, cert, c.ca.Pool(), nats.Timeout(5*time.Second), c.keys.ServerUserOption())
	if err != nil {
		t.Fatalf("ward server connect as auth user: %v", err)
	}
	t.Cleanup(c.ward.Close)
	cfg := CalloutConfig{Issuer: c.keys.Issuer, CAPool: c.ca.Pool(), Revocations: c.revoked}
	for _, f := range configure {
		f(&cfg)
	}
	c.callout, err = NewCalloutService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.callout.Start(c.ward); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.callout.Stop() })
	js, err := jetstream.New(c.ward)
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureStreams(ctxTimeout(t, 10*time.Second), js); err != nil {
		t.Fatal(err)
	}
	return js
}

func (c *extCluster) connectAgent(t *testing.T, id string, cert tls.Certificate, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := c.dialAgent(id, cert, opts...)
	if err != nil {
		t.Fatalf("agent %s connect through the callout: %v", id, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func (c *extCluster) dialAgent(id string, cert tls.Certificate, opts ...nats.Option) (*nats.Conn, error) {
	opts = append([]nats.Option{nats.Timeout(5 * time.Second)}, opts...)
	return ConnectAgent([]string{c.url}, cert, c.ca.Pool(), id, opts...)
}

func isAuthorizationViolation(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "authorization violation")
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func keyPEM(t *testing.T, cert tls.Certificate) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
