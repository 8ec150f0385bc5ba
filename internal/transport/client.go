package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ward-sec/ward/internal/pki"
)

// Reconnect backoff: doubling from reconnectMin up to reconnectMax, with
// jitter so a fleet that lost the server does not return all at once.
const (
	reconnectMin = time.Second
	reconnectMax = 2 * time.Minute
)

// ConnectAgent connects an agent with its client certificate. It sets the
// agent's own inbox prefix (the only one it may subscribe to), TLS 1.3
// with only caPool trusted, and reconnects forever with jittered backoff.
// opts come last and override these. By default the first connect fails
// fast; add nats.RetryOnFailedConnect(true) to keep trying in the background.
func ConnectAgent(urls []string, cert tls.Certificate, caPool *x509.CertPool, agentID string, opts ...nats.Option) (*nats.Conn, error) {
	leaf, err := leafOf(cert)
	if err != nil {
		return nil, err
	}
	id, err := pki.AgentIDFromCert(leaf)
	if err != nil {
		return nil, fmt.Errorf("connect agent: %w", err)
	}
	if id != agentID {
		return nil, fmt.Errorf("connect agent %s: certificate is agent %s's", agentID, id)
	}
	base := []nats.Option{
		nats.Name("ward-agent " + agentID),
		nats.CustomInboxPrefix(InboxPrefix(agentID)),
	}
	return connect(urls, cert, caPool, append(base, opts...))
}

// ConnectServer connects a Ward server replica with its ward-server client
// certificate (pki.CA.IssueServerClientCert); same TLS and reconnect
// behaviour as ConnectAgent.
func ConnectServer(urls []string, cert tls.Certificate, caPool *x509.CertPool, opts ...nats.Option) (*nats.Conn, error) {
	leaf, err := leafOf(cert)
	if err != nil {
		return nil, err
	}
	id, err := pki.IdentityFromCert(leaf)
	if err != nil {
		return nil, fmt.Errorf("connect server: %w", err)
	}
	if id.Kind != pki.KindServer {
		return nil, fmt.Errorf("connect server: certificate is a %s's (%s)", id.Kind, id.Name)
	}
	base := []nats.Option{nats.Name("ward-server " + id.Name)}
	return connect(urls, cert, caPool, append(base, opts...))
}

func connect(urls []string, cert tls.Certificate, caPool *x509.CertPool, opts []nats.Option) (*nats.Conn, error) {
	if len(urls) == 0 {
		return nil, errors.New("connect: no NATS URLs")
	}
	if caPool == nil {
		return nil, errors.New("connect: no CA pool")
	}
	base := []nats.Option{
		nats.Secure(ClientTLSConfig(cert, caPool)),
		nats.MaxReconnects(-1),
		nats.CustomReconnectDelay(ReconnectDelay),
	}
	nc, err := nats.Connect(strings.Join(urls, ","), append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", strings.Join(urls, ","), err)
	}
	return nc, nil
}

// ClientTLSConfig presents cert and trusts only a server certificate
// issued by caPool with the server-auth EKU. As in enrollment, the host
// name is not checked: the Ward CA is private and issues server-auth
// certificates only to Ward servers, and agents reach the server by
// names and addresses its certificate cannot all list.
func ClientTLSConfig(cert tls.Certificate, caPool *x509.CertPool) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		// Replaced by VerifyConnection, which Go always runs.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("NATS server presented no certificate")
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
				Roots:         caPool,
				Intermediates: inter,
				KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if err != nil {
				return fmt.Errorf("NATS server certificate is not from the Ward CA: %w", err)
			}
			return nil
		},
	}
}

// ReconnectDelay is the wait before reconnect round attempts (1, 2, ...):
// exponential from 1 s, capped at 2 min, uniformly jittered over its
// upper half.
func ReconnectDelay(attempts int) time.Duration {
	d := reconnectMax
	if attempts < 1 {
		attempts = 1
	}
	if attempts <= 8 { // 2^7 s > 2 min
		d = min(reconnectMin<<(attempts-1), reconnectMax)
	}
	half := d / 2
	return half + rand.N(half+1)
}

func leafOf(cert tls.Certificate) (*x509.Certificate, error) {
	if cert.Leaf != nil {
		return cert.Leaf, nil
	}
	if len(cert.Certificate) == 0 {
		return nil, errors.New("connect: no client certificate")
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("connect: client certificate: %w", err)
	}
	return leaf, nil
}
