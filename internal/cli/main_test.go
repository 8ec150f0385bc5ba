package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
)

// testCA is a CA with a server certificate for 127.0.0.1 and localhost.
type testCA struct {
	cert        *x509.Certificate
	key         *ecdsa.PrivateKey
	fingerprint string
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	sum := sha256.Sum256(der)
	return &testCA{cert: cert, key: key, fingerprint: hex.EncodeToString(sum[:])}
}

// serverCert issues a server certificate; chain lists what the server
// presents after the leaf.
func (ca *testCA) serverCert(t *testing.T, chain ...*x509.Certificate) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "ward-server"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	out := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	for _, c := range chain {
		out.Certificate = append(out.Certificate, c.Raw)
	}
	return out
}

func (ca *testCA) pemFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fixture is a TLS API server over a seeded SQLite store.
type fixture struct {
	ca     *testCA
	st     *store.Store
	url    string
	tokens map[store.Role]string
	hosts  map[string]int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{ca: newTestCA(t, "Ward test CA"), st: st, tokens: map[store.Role]string{}, hosts: map[string]int64{}}
	for _, role := range []store.Role{store.RoleAdmin, store.RoleOperator, store.RoleViewer} {
		u, err := st.CreateUser(ctx, string(role)+"-user", role)
		if err != nil {
			t.Fatal(err)
		}
		if f.tokens[role], _, err = st.CreateAPIToken(ctx, u.ID, string(role), role, 0); err != nil {
			t.Fatal(err)
		}
	}
	f.seed(t)
	srv := httptest.NewUnstartedServer(api.New(st, api.Options{CAFingerprint: f.ca.fingerprint}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{f.ca.serverCert(t, f.ca.cert)}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// seed: web-1 (env=prod) with log4j-core 2.14.1 and redis on 0.0.0.0:6379
// and a finding; web-2 (env=prod) with log4j-core 2.17.1 and redis on
// loopback; db-1 (env=staging) with nothing reported.
func (f *fixture) seed(t *testing.T) {
	ctx := context.Background()
	for _, h := range []struct{ name, env, log4j, addr string }{
		{"web-1", "prod", "2.14.1", "0.0.0.0"}, {"web-2", "prod", "2.17.1", "127.0.0.1"}, {"db-1", "staging", "", ""},
	} {
		id, err := f.st.UpsertHost(ctx, store.HostInfo{IdentityKey: "key-" + h.name, Hostname: h.name, OSID: "debian", OSVersion: "12",
			Labels: map[string]string{"env": h.env}})
		if err != nil {
			t.Fatal(err)
		}
		f.hosts[h.name] = id
		if h.log4j == "" {
			continue
		}
		inv := &model.Inventory{SchemaVersion: model.SchemaVersion, ScannedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Root: "/", Live: true,
			Host:         &model.Host{Hostname: h.name, OS: model.OSRelease{ID: "debian", Version: "12"}},
			Users:        []model.User{{Name: "root", UID: 0, Shell: "/bin/bash", CanLogin: true, Password: model.PasswordSet}},
			Packages:     []model.Package{{Type: model.PkgMaven, Name: "log4j-core", Group: "org.apache.logging.log4j", Version: h.log4j, Location: "/opt/app.jar"}},
			Sockets:      []model.Socket{{Protocol: "tcp", State: "LISTEN", LocalAddr: h.addr, LocalPort: 6379, PID: 7, ProcessName: "redis-server"}},
			Applications: []model.Application{{Name: "redis", Category: "cache", Version: "7.0.15", Running: true}},
		}
		if _, err := f.st.IngestInventory(ctx, "inv-"+h.name, id, inv); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.st.IngestFindings(ctx, "f-web-1", f.hosts["web-1"], "posture", []model.Finding{{ID: "exposed-redis",
		Kind: model.KindExposure, Rule: "inventory/wildcard-listener", Severity: model.SevHigh, Title: "redis listens on all addresses",
		Asset: model.AssetRef{Type: "socket", ID: "tcp/0.0.0.0:6379"}}})
	if err != nil {
		t.Fatal(err)
	}
}

// run runs a command as role against the fixture, pinned to its CA,
// with an empty environment.
func (f *fixture) run(t *testing.T, role store.Role, args ...string) (int, string, string) {
	t.Helper()
	args = append(args, "--server", f.url, "--token", f.tokens[role], "--ca-fingerprint", f.ca.fingerprint)
	return runEnv(t, nil, args...)
}

// runEnv runs a command with exactly the given environment.
func runEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, func(k string) string { return env[k] })
	return code, stdout.String(), stderr.String()
}
