package pki

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// maxCSRBytes bounds the CSR we parse; a P-256 request is well under 1 KiB.
const maxCSRBytes = 16 << 10

// ParseCSR decodes a PEM certificate request, checks that it is signed by
// the key it carries (proof that the requester holds the private key) and
// that the key is one Ward accepts: ECDSA P-256/P-384 or Ed25519.
func ParseCSR(csrPEM []byte) (*x509.CertificateRequest, error) {
	if len(csrPEM) > maxCSRBytes {
		return nil, fmt.Errorf("certificate request is %d bytes, more than %d", len(csrPEM), maxCSRBytes)
	}
	block, _ := pem.Decode(csrPEM)
	if block == nil {
		return nil, errors.New("certificate request: no PEM block found")
	}
	if block.Type != pemCSR {
		return nil, fmt.Errorf("certificate request: PEM block is %q, want %q", block.Type, pemCSR)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("certificate request signature does not verify with its public key: %w", err)
	}
	switch k := csr.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return nil, fmt.Errorf("certificate request: ECDSA curve %s not accepted (want P-256 or P-384)", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("certificate request: %s key not accepted (want ECDSA P-256/P-384 or Ed25519)", csr.PublicKeyAlgorithm)
	}
	return csr, nil
}

// SignAgentCSR issues an agent's client certificate for the key in csrPEM.
// Everything the request asks for (names, extensions) is ignored: the
// certificate says only CN=agentID and URI SAN ward:agent:<agentID>, and is
// good for client authentication only. It returns the certificate in PEM.
func (ca *CA) SignAgentCSR(csrPEM []byte, agentID string, validity time.Duration) ([]byte, error) {
	if err := ValidAgentID(agentID); err != nil {
		return nil, err
	}
	csr, err := ParseCSR(csrPEM)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: agentID},
		URIs:        []*url.URL{AgentURI(agentID)},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	cert, err := ca.sign(tmpl, csr.PublicKey, validity)
	if err != nil {
		return nil, fmt.Errorf("agent %s: %w", agentID, err)
	}
	return EncodeCertPEM(cert.Raw), nil
}
