package enroll

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/pki"
)

// PinnedTLSConfig trusts exactly one thing: a server certificate (server
// auth EKU) that chains to a CA certificate, presented by the server in
// its chain, whose SHA-256 fingerprint is caFingerprint. System roots are
// never consulted.
//
// The host name is deliberately not checked: agents reach the server by
// whatever name or address the operator gave them (an IP, a load balancer,
// a NAT address) and the certificate cannot list them all in advance. The
// pinned CA is private to this Ward server and the token's fingerprint was
// handed over out of band, so a chain to it already proves we talk to a
// certificate that server issued; the server-auth EKU check keeps agent
// and server-client certificates, which the same CA issues, from passing
// themselves off as the server.
func PinnedTLSConfig(caFingerprint string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		// Standard verification (system roots + host name) is replaced by
		// VerifyConnection, which Go runs on every handshake regardless.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			return verifyPinnedChain(cs.PeerCertificates, caFingerprint, time.Now())
		},
	}
}

// verifyPinnedChain checks that certs[0] is a server certificate issued
// (possibly through the other presented certificates) by the presented CA
// whose fingerprint is pin.
func verifyPinnedChain(certs []*x509.Certificate, pin string, now time.Time) error {
	if len(certs) == 0 {
		return errors.New("server presented no certificate")
	}
	pin = strings.ToLower(pin)
	roots := x509.NewCertPool()
	intermediates := x509.NewCertPool()
	var found bool
	var seen []string
	for _, c := range certs[1:] {
		fp := pki.CAFingerprint(c)
		if fp == pin {
			roots.AddCert(c)
			found = true
		} else {
			intermediates.AddCert(c)
			seen = append(seen, fp)
		}
	}
	if !found {
		return fmt.Errorf("server's certificate chain does not include the CA pinned by the token (fingerprint %s; chain has %s): wrong server, or a token from another Ward server", pin, describeFingerprints(seen))
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return fmt.Errorf("server certificate does not verify against the pinned CA %s: %w", pin, err)
	}
	return nil
}

func describeFingerprints(fps []string) string {
	if len(fps) == 0 {
		return "no CA certificate"
	}
	return strings.Join(fps, ", ")
}
