package enroll

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/pki"
)

// startServer serves h over TLS with cert, counting requests that reach
// the handler (i.e. got past the TLS handshake).
func startServer(t *testing.T, h http.Handler, cert tls.Certificate) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point of some tests
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &hits
}

func serverCert(t *testing.T, ca *pki.CA) tls.Certificate {
	t.Helper()
	c, err := ca.IssueServerCert([]string{"ward.internal"}, time.Hour) // no 127.0.0.1: the pin, not the name, is checked
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEnrollOverTLS(t *testing.T) {
	e := newTestEnv(t)
	srv, hits := startServer(t, e.h, serverCert(t, e.ca))
	token := e.store.addToken(e.ca.Fingerprint(), fakeToken{expires: time.Now().Add(time.Hour), maxUses: 1})
	res, err := Enroll(context.Background(), srv.URL+"/", token, e.csr, e.facts, map[string]string{"role": "db"})
	if err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	if hits.Load() != 1 || res.AgentID == "" || res.NATSURLs[0] != "tls://127.0.0.1:4443" {
		t.Errorf("result %+v after %d requests", res, hits.Load())
	}
	// The same single-use token again: gone.
	if _, err := Enroll(context.Background(), srv.URL, token, e.csr, e.facts, nil); !errors.Is(err, ErrTokenGone) {
		t.Errorf("second use: err = %v, want ErrTokenGone", err)
	}
}

func TestEnrollTokenRefusals(t *testing.T) {
	e := newTestEnv(t)
	srv, _ := startServer(t, e.h, serverCert(t, e.ca))
	forged, _, _ := NewToken(e.ca.Fingerprint())
	expired := e.store.addToken(e.ca.Fingerprint(), fakeToken{expires: time.Now().Add(-time.Minute), maxUses: 5})
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"forged", forged, ErrTokenRejected},
		{"expired", expired, ErrTokenGone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Enroll(context.Background(), srv.URL, tt.token, e.csr, e.facts, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var se *ServerError
			if !errors.As(err, &se) || se.Message == "" {
				t.Errorf("err %v is not a *ServerError with a message", err)
			}
		})
	}
}

// TestEnrollRefusesUnpinnedServers: in each case the handshake fails, so
// the request carrying the token's secret is never sent.
func TestEnrollRefusesUnpinnedServers(t *testing.T) {
	e := newTestEnv(t)
	other, err := pki.NewCA("Impostor CA", pki.CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	good := serverCert(t, e.ca)
	agentKey, _ := pki.GenerateAgentKey()
	agentCSR, _ := pki.NewAgentCSR(agentKey)
	agentID, _ := pki.NewAgentID()
	agentPEM, err := e.ca.SignAgentCSR(agentCSR, agentID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	agentLeaf, _ := pki.ParseCertPEM(agentPEM)
	mixed := serverCert(t, other)
	tests := []struct {
		name string
		cert tls.Certificate
		want string
	}{
		{"server of another CA", serverCert(t, other), "does not include the CA pinned"},
		{"pinned CA not presented", tls.Certificate{Certificate: good.Certificate[:1], PrivateKey: good.PrivateKey}, "does not include the CA pinned"},
		{"pinned CA with a leaf of another CA", tls.Certificate{
			Certificate: [][]byte{mixed.Certificate[0], e.ca.Certificate().Raw}, PrivateKey: mixed.PrivateKey,
		}, "does not verify against the pinned CA"},
		{"agent certificate posing as the server", tls.Certificate{
			Certificate: [][]byte{agentLeaf.Raw, e.ca.Certificate().Raw}, PrivateKey: agentKey,
		}, "does not verify against the pinned CA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := startServer(t, e.h, tt.cert)
			token := e.validToken()
			_, err := Enroll(context.Background(), srv.URL, token, e.csr, e.facts, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			if hits.Load() != 0 || e.store.consume != 0 {
				t.Fatalf("request reached the server (%d hits, %d consumes): the secret was sent", hits.Load(), e.store.consume)
			}
		})
	}
}

func TestEnrollChecksInputsBeforeConnecting(t *testing.T) {
	e := newTestEnv(t)
	srv, hits := startServer(t, e.h, serverCert(t, e.ca))
	tok := e.validToken()
	tests := []struct {
		name, url, token string
		csr              []byte
		want             string
	}{
		{"bad token", srv.URL, "ward1.x", e.csr, "dot-separated parts"},
		{"plain http", strings.Replace(srv.URL, "https", "http", 1), tok, e.csr, "want https"},
		{"bad csr", srv.URL, tok, []byte("x"), "certificate request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Enroll(context.Background(), tt.url, tt.token, tt.csr, e.facts, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests reached the server", hits.Load())
	}
}

// A server that answers with a certificate for another key, or another CA,
// is caught by the client.
func TestEnrollChecksTheAnswer(t *testing.T) {
	e := newTestEnv(t)
	otherKey, _ := pki.GenerateAgentKey()
	otherCSR, _ := pki.NewAgentCSR(otherKey)
	liar := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := pki.NewAgentID()
		certPEM, _ := e.ca.SignAgentCSR(otherCSR, id, time.Hour)
		writeJSON(w, 200, Result{AgentID: id, HostID: "h", CertPEM: string(certPEM), CAPEM: string(e.ca.CertPEM()), NATSURLs: []string{"tls://x:1"}})
	})
	srv, _ := startServer(t, liar, serverCert(t, e.ca))
	_, err := Enroll(context.Background(), srv.URL, e.validToken(), e.csr, e.facts, nil)
	if err == nil || !strings.Contains(err.Error(), "not for this agent's key") {
		t.Fatalf("err = %v, want the key mismatch caught", err)
	}
}
