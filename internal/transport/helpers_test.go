package transport

import (
	"crypto/tls"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ward-sec/ward/internal/pki"
)

// fleet is an embedded server with its CA, for tests.
type fleet struct {
	ca      *pki.CA
	srv     *EmbeddedServer
	revoked *revocationList
}

type revocationList struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (r *revocationList) Revoked(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[id]
}

func (r *revocationList) add(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids[id] = true
}

func startFleet(t *testing.T) *fleet {
	t.Helper()
	ca, err := pki.NewCA("Test CA", pki.CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueServerCert([]string{"localhost", "127.0.0.1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f := &fleet{ca: ca, revoked: &revocationList{ids: map[string]bool{}}}
	f.srv, err = NewEmbeddedServer(EmbeddedConfig{
		Host:        "127.0.0.1",
		StoreDir:    t.TempDir(),
		ServerCert:  cert,
		ClientCAs:   ca.Pool(),
		Revocations: f.revoked,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.srv.Shutdown)
	return f
}

// agentCert enrols a fresh agent the way enrollment does: own key, CSR,
// signed by the CA.
func (f *fleet) agentCert(t *testing.T) (string, tls.Certificate) {
	t.Helper()
	return agentCertFrom(t, f.ca)
}

func agentCertFrom(t *testing.T, ca *pki.CA) (string, tls.Certificate) {
	t.Helper()
	id, err := pki.NewAgentID()
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.GenerateAgentKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewAgentCSR(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := ca.SignAgentCSR(csr, id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := pki.VerifyAgentCert(key, certPEM, ca.CertPEM(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id, creds.Certificate
}

// asyncErrors collects a connection's asynchronous errors.
type asyncErrors struct {
	ch chan error
}

func newAsyncErrors() *asyncErrors { return &asyncErrors{ch: make(chan error, 64)} }

func (a *asyncErrors) option() nats.Option {
	return nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		select {
		case a.ch <- err:
		default:
		}
	})
}

// next waits for the next asynchronous error.
func (a *asyncErrors) next(t *testing.T) error {
	t.Helper()
	select {
	case err := <-a.ch:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("no asynchronous error within 5 s")
		return nil
	}
}

func (f *fleet) connectAgent(t *testing.T, id string, cert tls.Certificate, opts ...nats.Option) *nats.Conn {
	t.Helper()
	opts = append([]nats.Option{nats.Timeout(5 * time.Second)}, opts...)
	nc, err := ConnectAgent([]string{f.srv.ClientURL()}, cert, f.ca.Pool(), id, opts...)
	if err != nil {
		t.Fatalf("agent %s connect: %v", id, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func (f *fleet) connectServer(t *testing.T) *nats.Conn {
	t.Helper()
	cert, err := f.ca.IssueServerClientCert("test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := ConnectServer([]string{f.srv.ClientURL()}, cert, f.ca.Pool(), nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatalf("server connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func isPermissionViolation(err error) bool { return errors.Is(err, nats.ErrPermissionViolation) }
