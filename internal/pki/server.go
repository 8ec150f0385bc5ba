package pki

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Files of the server's PKI directory (DIR/pki).
const (
	CACertFile     = "ca.crt"
	CAKeyFile      = "ca.key"
	ServerCertFile = "server.crt"
	ServerKeyFile  = "server.key"
)

// serverRenewBefore: a server certificate closer than this to expiry is
// reissued at start.
const serverRenewBefore = 60 * 24 * time.Hour

// ServerPKI is what the server loads from its PKI directory.
type ServerPKI struct {
	CA *CA
	// ServerCert is the HTTPS and NATS certificate, chain [leaf, CA].
	ServerCert tls.Certificate
}

// ServerHosts are the names every server certificate carries — localhost,
// 127.0.0.1, ::1 and this machine's hostname — followed by extra.
func ServerHosts(extra ...string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	for _, e := range extra {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(hosts, e) {
			hosts = append(hosts, e)
		}
	}
	return hosts
}

// LoadOrCreateServer opens the PKI directory dir (created 0700 if absent):
// it loads the CA, or creates one on first start, and loads the server
// certificate for hosts, issuing a new one when it is missing, does not
// cover every host, does not chain to the CA or is about to expire.
// Key files readable by group or others are refused.
func LoadOrCreateServer(dir string, hosts []string) (*ServerPKI, error) {
	if len(hosts) == 0 {
		return nil, errors.New("server PKI: no host names for the server certificate")
	}
	if err := ensurePrivateDir(dir); err != nil {
		return nil, err
	}
	ca, err := loadOrCreateCA(dir)
	if err != nil {
		return nil, err
	}
	cert, err := loadOrIssueServerCert(dir, ca, hosts)
	if err != nil {
		return nil, err
	}
	return &ServerPKI{CA: ca, ServerCert: cert}, nil
}

func loadOrCreateCA(dir string) (*CA, error) {
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	haveCert, haveKey := fileExists(certPath), fileExists(keyPath)
	if haveCert != haveKey {
		return nil, fmt.Errorf("CA in %s: found only one of %s and %s; restore the other or remove both to create a new CA (which invalidates every agent)", dir, CACertFile, CAKeyFile)
	}
	if haveCert {
		keyPEM, err := readPrivateFile(keyPath)
		if err != nil {
			return nil, fmt.Errorf("CA key: %w", err)
		}
		certPEM, err := os.ReadFile(certPath)
		if err != nil {
			return nil, fmt.Errorf("CA certificate: %w", err)
		}
		ca, err := LoadCA(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("CA in %s: %w", dir, err)
		}
		return ca, nil
	}
	ca, err := NewCA("Ward CA", CAValidity)
	if err != nil {
		return nil, err
	}
	keyPEM, err := ca.keyPEM()
	if err != nil {
		return nil, err
	}
	// Key first: a crash between the two writes leaves a key without a
	// certificate, which is refused above rather than silently replaced.
	if err := writeFileAtomic(keyPath, keyPEM, privateFileMode); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(certPath, ca.CertPEM(), privateFileMode); err != nil {
		return nil, err
	}
	return ca, nil
}

func loadOrIssueServerCert(dir string, ca *CA, hosts []string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile)
	if fileExists(certPath) || fileExists(keyPath) {
		cert, ok, err := loadServerCert(certPath, keyPath, ca)
		if err != nil {
			return tls.Certificate{}, err
		}
		if ok && usable(cert.Leaf, ca, hosts) {
			return cert, nil
		}
	}
	cert, err := ca.IssueServerCert(hosts, ServerCertValidity)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := encodeKeyPEM(cert.PrivateKey.(crypto.Signer))
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(keyPath, keyPEM, privateFileMode); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(certPath, EncodeCertPEM(cert.Leaf.Raw), privateFileMode); err != nil {
		return tls.Certificate{}, err
	}
	return cert, nil
}

// loadServerCert reads the server certificate and key. A key others can
// read is an error; anything else wrong (missing, corrupt, mismatched)
// returns ok=false: the caller issues a new certificate.
func loadServerCert(certPath, keyPath string, ca *CA) (cert tls.Certificate, ok bool, err error) {
	keyPEM, err := readPrivateFile(keyPath)
	if errors.Is(err, ErrInsecureKeyFile) {
		return tls.Certificate{}, false, fmt.Errorf("server key: %w", err)
	}
	if err != nil {
		return tls.Certificate{}, false, nil
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return tls.Certificate{}, false, nil
	}
	leaf, certErr := ParseCertPEM(certPEM)
	key, keyErr := parseKeyPEM(keyPEM)
	if certErr != nil || keyErr != nil || !publicKeysEqual(key.Public(), leaf.PublicKey) {
		return tls.Certificate{}, false, nil
	}
	return tls.Certificate{Certificate: [][]byte{leaf.Raw, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}, true, nil
}

// usable reports whether a loaded server certificate can be kept.
func usable(leaf *x509.Certificate, ca *CA, hosts []string) bool {
	if leaf == nil {
		return false
	}
	now := ca.now()
	if now.Add(serverRenewBefore).After(leaf.NotAfter) {
		return false
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:       ca.Pool(),
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return false
	}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(leaf.IPAddresses, ip.Equal) {
				return false
			}
		} else if h != "" && !slices.Contains(leaf.DNSNames, h) {
			return false
		}
	}
	return true
}
