package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Files of the agent's state directory. The key is created there and never
// leaves the host; the certificate and CA come back from enrollment.
const (
	AgentKeyFile  = "agent.key"
	AgentCertFile = "agent.crt"
	AgentCAFile   = "ca.crt"
)

// GenerateAgentKey returns a new ECDSA P-256 key.
func GenerateAgentKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate agent key: %w", err)
	}
	return k, nil
}

// LoadOrCreateAgentKey loads dir/agent.key, or generates and stores one
// (dir 0700, file 0600). A key others can read is refused.
func LoadOrCreateAgentKey(dir string) (crypto.Signer, error) {
	if err := ensurePrivateDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, AgentKeyFile)
	if fileExists(path) {
		return loadAgentKey(dir)
	}
	key, err := GenerateAgentKey()
	if err != nil {
		return nil, err
	}
	data, err := encodeKeyPEM(key)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, data, privateFileMode); err != nil {
		return nil, err
	}
	return key, nil
}

// NewAgentCSR returns a PEM certificate request for key. Its subject is a
// placeholder: the server decides the identity.
func NewAgentCSR(key crypto.Signer) ([]byte, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "ward-agent"},
	}, key)
	if err != nil {
		return nil, fmt.Errorf("create certificate request: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemCSR, Bytes: der}), nil
}

// AgentCredentials are what an enrolled agent connects with.
type AgentCredentials struct {
	AgentID string
	// Certificate is the client certificate with the agent key (Leaf set).
	Certificate tls.Certificate
	CA          *x509.Certificate
	CAPool      *x509.CertPool
}

// VerifyAgentCert checks that certPEM is an agent client certificate for
// key issued by the CA in caPEM, valid at now, and returns the credentials.
func VerifyAgentCert(key crypto.Signer, certPEM, caPEM []byte, now time.Time) (*AgentCredentials, error) {
	leaf, err := ParseCertPEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("agent certificate: %w", err)
	}
	ca, err := ParseCertPEM(caPEM)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	if !publicKeysEqual(key.Public(), leaf.PublicKey) {
		return nil, errors.New("agent certificate is not for this agent's key")
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{
		Roots:       pool,
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}); err != nil {
		return nil, fmt.Errorf("agent certificate does not verify against the CA: %w", err)
	}
	id, err := AgentIDFromCert(leaf)
	if err != nil {
		return nil, err
	}
	return &AgentCredentials{
		AgentID:     id,
		Certificate: tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf},
		CA:          ca,
		CAPool:      pool,
	}, nil
}

// SaveAgentCredentials checks the enrollment result against the key in dir
// and stores the certificate and CA next to it (0600).
func SaveAgentCredentials(dir string, certPEM, caPEM []byte) (*AgentCredentials, error) {
	key, err := loadAgentKey(dir)
	if err != nil {
		return nil, err
	}
	creds, err := VerifyAgentCert(key, certPEM, caPEM, time.Now())
	if err != nil {
		return nil, err
	}
	// CA first: a certificate on disk always has its CA beside it.
	if err := writeFileAtomic(filepath.Join(dir, AgentCAFile), caPEM, privateFileMode); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, AgentCertFile), certPEM, privateFileMode); err != nil {
		return nil, err
	}
	return creds, nil
}

// LoadAgentCredentials loads the key, certificate and CA from dir and
// checks they belong together.
func LoadAgentCredentials(dir string) (*AgentCredentials, error) {
	key, err := loadAgentKey(dir)
	if err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, AgentCertFile))
	if err != nil {
		return nil, fmt.Errorf("agent certificate (enrolled yet?): %w", err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, AgentCAFile))
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	return VerifyAgentCert(key, certPEM, caPEM, time.Now())
}

func loadAgentKey(dir string) (crypto.Signer, error) {
	if err := ensurePrivateDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, AgentKeyFile)
	data, err := readPrivateFile(path)
	if err != nil {
		return nil, fmt.Errorf("agent key: %w", err)
	}
	key, err := parseKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("agent key %s: %w", path, err)
	}
	return key, nil
}
