package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Default validities of issued certificates.
const (
	AgentCertValidity        = 365 * 24 * time.Hour
	ServerCertValidity       = 2 * 365 * 24 * time.Hour
	ServerClientCertValidity = 365 * 24 * time.Hour
)

// IssueServerCert issues the TLS certificate the server presents on HTTPS
// and NATS, for hosts (DNS names or IP addresses), with a new P-256 key.
// The returned chain includes the CA certificate so that enrolling agents,
// which know only the CA's fingerprint, can pin it.
func (ca *CA) IssueServerCert(hosts []string, validity time.Duration) (tls.Certificate, error) {
	if len(hosts) == 0 {
		return tls.Certificate{}, fmt.Errorf("server certificate: no host names")
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: hosts[0], Organization: []string{"Ward"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return ca.issueWithNewKey(tmpl, validity)
}

// IssueServerClientCert issues the client certificate of a server replica's
// own NATS connection: CN ward-server, URI SAN ward:server:<name>.
func (ca *CA) IssueServerClientCert(name string, validity time.Duration) (tls.Certificate, error) {
	if err := ValidServerName(name); err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: ServerCommonName},
		URIs:        []*url.URL{ServerURI(name)},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return ca.issueWithNewKey(tmpl, validity)
}

func (ca *CA) issueWithNewKey(tmpl *x509.Certificate, validity time.Duration) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate key for %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := ca.sign(tmpl, key.Public(), validity)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{
		Certificate: [][]byte{cert.Raw, ca.cert.Raw},
		PrivateKey:  key,
		Leaf:        cert,
	}, nil
}
