package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestCA(t *testing.T) *CA {
	t.Helper()
	ca, err := NewCA("Test CA", CAValidity)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func newKey(t *testing.T, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func csrFor(t *testing.T, key crypto.Signer, tmpl *x509.CertificateRequest) []byte {
	t.Helper()
	if tmpl == nil {
		tmpl = &x509.CertificateRequest{Subject: pkix.Name{CommonName: "whatever"}}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemCSR, Bytes: der})
}

// rawCSR mirrors the ASN.1 structure of a PKCS #10 request, to forge one.
type rawCSR struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

// resignCSR re-signs the request body of csrPEM (which names the original
// key) with signer, as an attacker holding only signer would.
func resignCSR(t *testing.T, csrPEM []byte, signer crypto.Signer) []byte {
	t.Helper()
	block, _ := pem.Decode(csrPEM)
	var r rawCSR
	if _, err := asn1.Unmarshal(block.Bytes, &r); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(r.TBS.FullBytes)
	sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	r.Signature = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	der, err := asn1.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemCSR, Bytes: der})
}

// flipSignature corrupts the last byte of the request's signature.
func flipSignature(t *testing.T, csrPEM []byte) []byte {
	t.Helper()
	block, _ := pem.Decode(csrPEM)
	var r rawCSR
	if _, err := asn1.Unmarshal(block.Bytes, &r); err != nil {
		t.Fatal(err)
	}
	r.Signature.Bytes[len(r.Signature.Bytes)-1] ^= 0xff
	der, err := asn1.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemCSR, Bytes: der})
}

const testAgentID = "agt_abcdefghijklmnopqrstuvwxyz"

func TestSignAgentCSRIssuesClientCertOnlyForTheAgent(t *testing.T) {
	ca := newTestCA(t)
	key := newKey(t, elliptic.P256())
	// The request asks for much more than it may have; all of it is ignored.
	greedy := &x509.CertificateRequest{
		Subject:     pkix.Name{CommonName: ServerCommonName, Organization: []string{"Evil"}},
		DNSNames:    []string{"ward.example.com"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		URIs:        []*url.URL{ServerURI("main"), AgentURI("agt_zzzzzzzzzzzzzzzzzzzzzzzzzz")},
	}
	certPEM, err := ca.SignAgentCSR(csrFor(t, key, greedy), testAgentID, AgentCertValidity)
	if err != nil {
		t.Fatalf("SignAgentCSR: %v", err)
	}
	cert, err := ParseCertPEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("agent certificate does not verify for client auth: %v", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("agent certificate verifies for server auth; want client auth only")
	}
	if cert.Subject.String() != "CN="+testAgentID {
		t.Errorf("subject = %q, want only CN=%s", cert.Subject, testAgentID)
	}
	if len(cert.DNSNames)+len(cert.IPAddresses)+len(cert.EmailAddresses) != 0 || len(cert.URIs) != 1 {
		t.Errorf("certificate carries requested names: dns=%v ip=%v uris=%v", cert.DNSNames, cert.IPAddresses, cert.URIs)
	}
	if cert.IsCA {
		t.Error("agent certificate is a CA")
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		t.Error("certificate is not for the requested key")
	}
	id, err := AgentIDFromCert(cert)
	if err != nil || id != testAgentID {
		t.Errorf("AgentIDFromCert = %q, %v; want %q", id, err, testAgentID)
	}
	if got := cert.NotAfter.Sub(cert.NotBefore); got != AgentCertValidity+backdate {
		t.Errorf("validity %s, want %s (+%s backdating)", got, AgentCertValidity, backdate)
	}
}

func TestSignedCertificatesNeverOutliveTheCA(t *testing.T) {
	ca, err := NewCA("Short CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := ca.SignAgentCSR(csrFor(t, newKey(t, elliptic.P256()), nil), testAgentID, AgentCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := ParseCertPEM(certPEM)
	if !cert.NotAfter.Equal(ca.Certificate().NotAfter) {
		t.Errorf("agent certificate expires %s, after its CA (%s)", cert.NotAfter, ca.Certificate().NotAfter)
	}
	ca.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if _, err := ca.SignAgentCSR(csrFor(t, newKey(t, elliptic.P256()), nil), testAgentID, AgentCertValidity); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired CA signed: err = %v", err)
	}
}

func TestSignAgentCSRRefusesBadRequests(t *testing.T) {
	ca := newTestCA(t)
	key := newKey(t, elliptic.P256())
	other := newKey(t, elliptic.P256())
	good := csrFor(t, key, nil)
	tests := []struct {
		name    string
		csr     []byte
		agentID string
		want    string
	}{
		{"request for another key", resignCSR(t, good, other), testAgentID, "signature"},
		{"corrupted signature", flipSignature(t, good), testAgentID, "signature"},
		{"not PEM", []byte("hello"), testAgentID, "no PEM block"},
		{"certificate instead of request", ca.CertPEM(), testAgentID, `"CERTIFICATE"`},
		{"garbage DER", pem.EncodeToMemory(&pem.Block{Type: pemCSR, Bytes: []byte{1, 2, 3}}), testAgentID, "certificate request"},
		{"P-521 key", csrFor(t, newKey(t, elliptic.P521()), nil), testAgentID, "P-521"},
		{"oversized", append(good, make([]byte, maxCSRBytes)...), testAgentID, "more than"},
		{"agent id with subject wildcard", good, "agt_abcdefghijklmnopqrstuvwx.>", "letters and digits"},
		{"agent id without prefix", good, "abcdefghijklmnopqrstuvwxyz", "does not start"},
		{"empty agent id", good, "", "does not start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certPEM, err := ca.SignAgentCSR(tt.csr, tt.agentID, AgentCertValidity)
			if err == nil {
				t.Fatalf("SignAgentCSR accepted it: %s", certPEM)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestServerCertificates(t *testing.T) {
	ca := newTestCA(t)
	srv, err := ca.IssueServerCert(ServerHosts("ward.example.com", "10.1.2.3"), ServerCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Certificate) != 2 || string(srv.Certificate[1]) != string(ca.Certificate().Raw) {
		t.Error("server chain does not end with the CA certificate (agents pin it)")
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "ward.example.com", "10.1.2.3"} {
		if _, err := srv.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: host}); err != nil {
			t.Errorf("server certificate for %s: %v", host, err)
		}
	}
	if _, err := srv.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("server TLS certificate is usable for client auth")
	}
	if _, err := IdentityFromCert(srv.Leaf); err == nil {
		t.Error("server TLS certificate carries a Ward identity")
	}

	cli, err := ca.IssueServerClientCert("replica-1", ServerClientCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("server client certificate: %v", err)
	}
	id, err := IdentityFromCert(cli.Leaf)
	if err != nil || id != (Identity{Kind: KindServer, Name: "replica-1"}) {
		t.Errorf("IdentityFromCert = %+v, %v", id, err)
	}
	if _, err := AgentIDFromCert(cli.Leaf); err == nil {
		t.Error("AgentIDFromCert accepted the server's certificate")
	}
	if _, err := ca.IssueServerClientCert("bad.name", time.Hour); err == nil {
		t.Error("server name with a dot accepted")
	}
}

func TestIdentityFromCert(t *testing.T) {
	ca := newTestCA(t)
	key := newKey(t, elliptic.P256())
	issue := func(cn string, uris ...string) *x509.Certificate {
		tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: cn}}
		for _, u := range uris {
			parsed, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			tmpl.URIs = append(tmpl.URIs, parsed)
		}
		c, err := ca.sign(tmpl, key.Public(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name    string
		cert    *x509.Certificate
		want    Identity
		wantErr string
	}{
		{"agent", issue(testAgentID, "ward:agent:"+testAgentID), Identity{KindAgent, testAgentID}, ""},
		{"server", issue(ServerCommonName, "ward:server:a"), Identity{KindServer, "a"}, ""},
		{"other URIs ignored", issue(testAgentID, "https://example.com", "ward:agent:"+testAgentID), Identity{KindAgent, testAgentID}, ""},
		{"no URI", issue(testAgentID), Identity{}, "no ward: URI"},
		{"two identities", issue(testAgentID, "ward:agent:"+testAgentID, "ward:server:a"), Identity{}, "exactly one"},
		{"CN disagrees", issue("agt_zzzzzzzzzzzzzzzzzzzzzzzzzz", "ward:agent:"+testAgentID), Identity{}, "does not match"},
		{"unknown kind", issue("x", "ward:admin:x"), Identity{}, "unknown kind"},
		{"malformed", issue("x", "ward:agent"), Identity{}, "not ward:<kind>:<name>"},
		{"agent id with wildcard", issue("agt_*", "ward:agent:agt_*"), Identity{}, "agent id"},
		{"nil", nil, Identity{}, "no certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := IdentityFromCert(tt.cert)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestAgentIDs(t *testing.T) {
	for range 20 {
		id, err := NewAgentID()
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidAgentID(id); err != nil {
			t.Fatalf("NewAgentID() = %q: %v", id, err)
		}
	}
	tests := []struct {
		id string
		ok bool
	}{
		{testAgentID, true},
		{"agt_01HZX3K5V9QW7T2M8N4P6R0SAB", true}, // ULID-style, upper case
		{"agt_abc", false},
		{"agt_abcdefghijklmnopqrstuvwxy.", false},
		{"agt_abcdefghijklmnopqrstuvwx>", false},
		{"agt_abcdefghijklmnopqrstuvwxyzz", false},
		{"AGT_abcdefghijklmnopqrstuvwxyz", false},
	}
	for _, tt := range tests {
		if err := ValidAgentID(tt.id); (err == nil) != tt.ok {
			t.Errorf("ValidAgentID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
		}
	}
}

func TestCAFingerprint(t *testing.T) {
	ca := newTestCA(t)
	sum := sha256.Sum256(ca.Certificate().Raw)
	want := hex.EncodeToString(sum[:])
	if got := CAFingerprint(ca.Certificate()); got != want || ca.Fingerprint() != want {
		t.Fatalf("fingerprint %q, want %q", got, want)
	}
	if len(want) != 64 || strings.ToLower(want) != want {
		t.Fatalf("fingerprint %q is not 64 lowercase hex characters", want)
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func TestLoadOrCreateServer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	first, err := LoadOrCreateServer(dir, ServerHosts())
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("pki dir mode %04o, want 0700", m)
	}
	for _, f := range []string{CACertFile, CAKeyFile, ServerCertFile, ServerKeyFile} {
		if m := mode(t, filepath.Join(dir, f)); m != 0o600 {
			t.Errorf("%s mode %04o, want 0600", f, m)
		}
	}

	again, err := LoadOrCreateServer(dir, ServerHosts())
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	if again.CA.Fingerprint() != first.CA.Fingerprint() {
		t.Error("CA changed between starts")
	}
	if string(again.ServerCert.Leaf.Raw) != string(first.ServerCert.Leaf.Raw) {
		t.Error("server certificate reissued although still good")
	}

	withSAN, err := LoadOrCreateServer(dir, ServerHosts("ward.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if withSAN.CA.Fingerprint() != first.CA.Fingerprint() {
		t.Error("CA changed when a SAN was added")
	}
	if _, err := withSAN.ServerCert.Leaf.Verify(x509.VerifyOptions{Roots: first.CA.Pool(), DNSName: "ward.example.com"}); err != nil {
		t.Errorf("new SAN not in the reissued certificate: %v", err)
	}
}

func TestLoadOrCreateServerRefusesExposedKeys(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"world-readable CA key", func(t *testing.T, dir string) { chmod(t, filepath.Join(dir, CAKeyFile), 0o644) }},
		{"group-readable CA key", func(t *testing.T, dir string) { chmod(t, filepath.Join(dir, CAKeyFile), 0o640) }},
		{"world-readable server key", func(t *testing.T, dir string) { chmod(t, filepath.Join(dir, ServerKeyFile), 0o604) }},
		{"open directory", func(t *testing.T, dir string) { chmod(t, dir, 0o755) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pki")
			if _, err := LoadOrCreateServer(dir, ServerHosts()); err != nil {
				t.Fatal(err)
			}
			tt.damage(t, dir)
			_, err := LoadOrCreateServer(dir, ServerHosts())
			if !errors.Is(err, ErrInsecureKeyFile) {
				t.Fatalf("err = %v, want ErrInsecureKeyFile", err)
			}
		})
	}
}

func TestLoadOrCreateServerRefusesHalfACA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	if _, err := LoadOrCreateServer(dir, ServerHosts()); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, CACertFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateServer(dir, ServerHosts()); err == nil || !strings.Contains(err.Error(), "only one of") {
		t.Fatalf("err = %v, want a refusal to replace the CA silently", err)
	}
}

func chmod(t *testing.T, path string, m os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, m); err != nil {
		t.Fatal(err)
	}
}

func TestAgentKeyAndCredentials(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "agent")
	key, err := LoadOrCreateAgentKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("agent dir mode %04o, want 0700", m)
	}
	if m := mode(t, filepath.Join(dir, AgentKeyFile)); m != 0o600 {
		t.Errorf("agent key mode %04o, want 0600", m)
	}
	again, err := LoadOrCreateAgentKey(dir)
	if err != nil || !publicKeysEqual(key.Public(), again.Public()) {
		t.Fatalf("reloaded key differs (err %v)", err)
	}
	if k, ok := key.(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("agent key is %T, want ECDSA P-256", key)
	}

	ca := newTestCA(t)
	csr, err := NewAgentCSR(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := ca.SignAgentCSR(csr, testAgentID, AgentCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	// A certificate for someone else's key is not saved.
	otherPEM, err := ca.SignAgentCSR(csrFor(t, newKey(t, elliptic.P256()), nil), testAgentID, AgentCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SaveAgentCredentials(dir, otherPEM, ca.CertPEM()); err == nil {
		t.Error("saved a certificate for another key")
	}
	// Nor one from another CA.
	if _, err := SaveAgentCredentials(dir, certPEM, newTestCA(t).CertPEM()); err == nil {
		t.Error("saved a certificate with the wrong CA")
	}
	if _, err := SaveAgentCredentials(dir, certPEM, ca.CertPEM()); err != nil {
		t.Fatal(err)
	}
	creds, err := LoadAgentCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AgentID != testAgentID || creds.Certificate.Leaf == nil {
		t.Errorf("credentials = %+v", creds)
	}
	for _, f := range []string{AgentCertFile, AgentCAFile} {
		if m := mode(t, filepath.Join(dir, f)); m != 0o600 {
			t.Errorf("%s mode %04o, want 0600", f, m)
		}
	}

	chmod(t, filepath.Join(dir, AgentKeyFile), 0o644)
	if _, err := LoadAgentCredentials(dir); !errors.Is(err, ErrInsecureKeyFile) {
		t.Errorf("world-readable agent key: err = %v, want ErrInsecureKeyFile", err)
	}
	if _, err := LoadOrCreateAgentKey(dir); !errors.Is(err, ErrInsecureKeyFile) {
		t.Errorf("world-readable agent key: err = %v, want ErrInsecureKeyFile", err)
	}
}
