package cli

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// errPin is a server certificate that the pinned CA does not vouch for.
var errPin = errors.New("server certificate not trusted")

// trust is how the server's certificate is checked.
type trust struct {
	caFile      string // PEM bundle to use as the only roots
	fingerprint string // lowercase hex SHA-256 of the CA certificate
}

// trustSettings resolves --ca and --ca-fingerprint, falling back to WARD_CA
// (a file or a fingerprint) and WARD_CA_FINGERPRINT.
func (a *app) trustSettings() (trust, error) {
	t := trust{caFile: a.caFile}
	fp, flagName := a.caFingerprint, "--ca-fingerprint"
	if t.caFile == "" && fp == "" {
		if v := a.getenv("WARD_CA"); v != "" {
			if _, err := normalizeFingerprint(v); err == nil {
				fp, flagName = v, "WARD_CA"
			} else {
				t.caFile = v
			}
		}
		if v := a.getenv("WARD_CA_FINGERPRINT"); v != "" && fp == "" {
			fp, flagName = v, "WARD_CA_FINGERPRINT"
		}
	}
	if fp != "" {
		n, err := normalizeFingerprint(fp)
		if err != nil {
			return trust{}, usageErr("%s: %v", flagName, err)
		}
		t.fingerprint = n
	}
	return t, nil
}

// normalizeFingerprint accepts hex with or without colons, any case.
func normalizeFingerprint(s string) (string, error) {
	h := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), ":", ""))
	if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("want the 64 hex digits of a SHA-256 fingerprint, got %q", s)
	}
	return h, nil
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// tlsConfig builds the client TLS configuration for host. A CA file
// replaces the system roots; a fingerprint pins the Ward CA: the server's
// chain must carry that CA and its certificate must chain to it for host,
// and nothing else is trusted. With neither, the system roots apply.
func (t trust) tlsConfig(host string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case t.caFile != "":
		certs, err := readCerts(t.caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		pool := x509.NewCertPool()
		pinned := t.fingerprint == ""
		for _, c := range certs {
			pool.AddCert(c)
			pinned = pinned || fingerprint(c) == t.fingerprint
		}
		if !pinned {
			return nil, fmt.Errorf("--ca %s does not hold the CA with fingerprint %s", t.caFile, t.fingerprint)
		}
		cfg.RootCAs = pool
	case t.fingerprint != "":
		// Go's own verification would consult the system roots; this
		// configuration trusts the pinned CA alone, in VerifyConnection
		// (which runs on every handshake, resumed ones included).
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = pinnedVerifier(t.fingerprint, host)
	}
	return cfg, nil
}

func pinnedVerifier(fp, host string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return fmt.Errorf("%w: the server sent no certificate", errPin)
		}
		var ca *x509.Certificate
		intermediates := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			if fingerprint(c) == fp {
				ca = c
			} else {
				intermediates.AddCert(c)
			}
		}
		if ca == nil || !ca.IsCA {
			return fmt.Errorf("%w: its chain does not include the CA with fingerprint %s (wrong server, or wrong --ca-fingerprint)", errPin, fp)
		}
		roots := x509.NewCertPool()
		roots.AddCert(ca)
		if _, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: intermediates}); err != nil {
			return fmt.Errorf("%w: it does not verify against the pinned CA: %v", errPin, err)
		}
		return nil
	}
}

func readCerts(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return out, nil
}
