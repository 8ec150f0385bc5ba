package transport

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"

	"github.com/ward-sec/ward/internal/pki"
)

func TestCalloutKeysPersistPrivately(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	k1, err := LoadOrCreateCalloutKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !nkeys.IsValidPublicAccountKey(k1.IssuerPublicKey()) || !nkeys.IsValidPublicUserKey(k1.ServerUserPublicKey()) {
		t.Fatalf("keys %s %s", k1.IssuerPublicKey(), k1.ServerUserPublicKey())
	}
	for _, name := range []string{CalloutIssuerSeedFile, ServerUserSeedFile} {
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", name, info, err)
		}
	}
	k2, err := LoadOrCreateCalloutKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k2.IssuerPublicKey() != k1.IssuerPublicKey() || k2.ServerUserPublicKey() != k1.ServerUserPublicKey() {
		t.Error("keys changed on reload")
	}

	os.Chmod(filepath.Join(dir, CalloutIssuerSeedFile), 0o644)
	if _, err := LoadOrCreateCalloutKeys(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("readable seed: err = %v", err)
	}
	os.Chmod(filepath.Join(dir, CalloutIssuerSeedFile), 0o600)
	// A user seed where the issuer (account) key belongs.
	userSeed, _ := os.ReadFile(filepath.Join(dir, ServerUserSeedFile))
	os.WriteFile(filepath.Join(dir, CalloutIssuerSeedFile), userSeed, 0o600)
	if _, err := LoadOrCreateCalloutKeys(dir); err == nil {
		t.Error("user seed accepted as the issuer")
	}
}

// calloutRequest builds what a NATS server sends, signed by its key.
func calloutRequest(t *testing.T, issuer string, ct *jwt.ClientTLS) (*jwt.AuthorizationRequestClaims, nkeys.KeyPair) {
	t.Helper()
	srv, _ := nkeys.CreateServer()
	srvPub, _ := srv.PublicKey()
	user, _ := nkeys.CreateUser()
	userPub, _ := user.PublicKey()
	req := jwt.NewAuthorizationRequestClaims(issuer)
	req.Audience = "nats-authorization-request"
	req.UserNkey = userPub
	req.Server = jwt.ServerID{ID: srvPub, Name: "n1"}
	req.TLS = ct
	req.Expires = time.Now().Add(time.Minute).Unix()
	token, err := req.Encode(srv)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := jwt.DecodeAuthorizationRequestClaims(token)
	if err != nil {
		t.Fatal(err)
	}
	return decoded, user
}

func chainPEM(cert tls.Certificate) jwt.StringList {
	var out jwt.StringList
	for _, der := range cert.Certificate {
		out = append(out, string(pki.EncodeCertPEM(der)))
	}
	return out
}

func TestCalloutAuthorize(t *testing.T) {
	ca, _ := pki.NewCA("Ward CA", pki.CAValidity)
	other, _ := pki.NewCA("Other CA", pki.CAValidity)
	issuer, _ := nkeys.CreateAccount()
	newService := func(mod func(*CalloutConfig)) *CalloutService {
		cfg := CalloutConfig{Issuer: issuer, CAPool: ca.Pool()}
		mod(&cfg)
		svc, err := NewCalloutService(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	svc := newService(func(*CalloutConfig) {})
	id, cert := agentCertFrom(t, ca)
	_, foreign := agentCertFrom(t, other)
	srvCert, _ := ca.IssueServerClientCert("x", time.Hour)

	t.Run("verified chain", func(t *testing.T) {
		req, _ := calloutRequest(t, svc.IssuerPublicKey(), &jwt.ClientTLS{VerifiedChains: []jwt.StringList{chainPEM(cert)}})
		token, agent, reason := svc.authorize(req)
		if reason != "" || agent != id {
			t.Fatalf("authorize = %q, %q", agent, reason)
		}
		uc, err := jwt.DecodeUserClaims(token)
		if err != nil {
			t.Fatal(err)
		}
		want := jwtPermissions(AgentPermissions(id))
		if uc.Issuer != svc.IssuerPublicKey() || uc.Subject != req.UserNkey || uc.Audience != CalloutAccount || uc.Name != id ||
			!equal(uc.Pub.Allow, want.Pub.Allow) || !equal(uc.Sub.Allow, want.Sub.Allow) || len(uc.Pub.Deny)+len(uc.Sub.Deny) != 0 {
			t.Errorf("user claims %+v", uc)
		}
		if uc.Expires != cert.Leaf.NotAfter.Unix() {
			t.Errorf("expires %d, want the certificate's NotAfter %d", uc.Expires, cert.Leaf.NotAfter.Unix())
		}
	})

	refused := []struct {
		name, issuer string
		tls          *jwt.ClientTLS
		now          time.Time
		want         string
	}{
		{"presented certs only, another CA", svc.IssuerPublicKey(), &jwt.ClientTLS{Certs: chainPEM(foreign)}, time.Time{}, "not from the Ward CA"},
		{"verified by the cluster, another CA", svc.IssuerPublicKey(), &jwt.ClientTLS{VerifiedChains: []jwt.StringList{chainPEM(foreign)}}, time.Time{}, "not from the Ward CA"},
		{"server certificate", svc.IssuerPublicKey(), &jwt.ClientTLS{VerifiedChains: []jwt.StringList{chainPEM(srvCert)}}, time.Time{}, "not an agent"},
		{"expired certificate", svc.IssuerPublicKey(), &jwt.ClientTLS{Certs: chainPEM(cert)}, time.Now().Add(2 * time.Hour), "expired"},
		{"no TLS", svc.IssuerPublicKey(), nil, time.Time{}, "no TLS"},
		{"no certificate", svc.IssuerPublicKey(), &jwt.ClientTLS{}, time.Time{}, "no client certificate"},
		{"other issuer", func() string { k, _ := nkeys.CreateAccount(); p, _ := k.PublicKey(); return p }(), &jwt.ClientTLS{Certs: chainPEM(cert)}, time.Time{}, "issuer"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			s := newService(func(c *CalloutConfig) {
				if !tt.now.IsZero() {
					c.Now = func() time.Time { return tt.now }
				}
			})
			req, _ := calloutRequest(t, tt.issuer, tt.tls)
			token, _, reason := s.authorize(req)
			if token != "" || !strings.Contains(reason, tt.want) {
				t.Fatalf("authorize = token %v, reason %q; want refusal mentioning %q", token != "", reason, tt.want)
			}
		})
	}

	t.Run("session shorter than the certificate", func(t *testing.T) {
		s := newService(func(c *CalloutConfig) { c.MaxSession = time.Minute })
		req, _ := calloutRequest(t, svc.IssuerPublicKey(), &jwt.ClientTLS{Certs: chainPEM(cert)})
		token, _, _ := s.authorize(req)
		uc, err := jwt.DecodeUserClaims(token)
		if err != nil {
			t.Fatal(err)
		}
		if left := time.Until(time.Unix(uc.Expires, 0)); left < 40*time.Second || left > 61*time.Second {
			t.Errorf("session ends in %s, want about a minute (jittered over its last quarter)", left)
		}
	})
}
