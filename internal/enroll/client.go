package enroll

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/pki"
)

// maxResponseBytes bounds what the client reads back: a certificate, the
// CA and a few URLs.
const maxResponseBytes = 1 << 20

// Client-side errors for the token refusals, matched with errors.Is
// against the *ServerError Enroll returns.
var (
	// ErrTokenRejected: the server does not know the token (401).
	ErrTokenRejected = errors.New("enrollment token rejected by the server")
	// ErrTokenGone: the token expired or was used up (410).
	ErrTokenGone = errors.New("enrollment token expired or used up")
)

// ServerError is a non-200 answer from the enrollment endpoint.
type ServerError struct {
	Status  int
	Message string
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("enrollment refused: %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// Is lets errors.Is(err, ErrTokenRejected) and ErrTokenGone work.
func (e *ServerError) Is(target error) bool {
	switch target {
	case ErrTokenRejected:
		return e.Status == http.StatusUnauthorized
	case ErrTokenGone:
		return e.Status == http.StatusGone
	}
	return false
}

// Enroll asks the server at serverURL (https://host:port) to enrol this
// host with the key behind csrPEM. The connection trusts only a server
// certificate chaining to the CA the token pins (see PinnedTLSConfig), so
// the token's secret is never sent to anyone else. The answer is checked:
// the CA must be the pinned one and the certificate must be an agent
// certificate for the CSR's key, issued by it.
func Enroll(ctx context.Context, serverURL, token string, csrPEM []byte, facts HostFacts, labels map[string]string) (*Result, error) {
	tok, err := ParseToken(token)
	if err != nil {
		return nil, err
	}
	endpoint, err := enrollURL(serverURL)
	if err != nil {
		return nil, err
	}
	csr, err := pki.ParseCSR(csrPEM)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(Request{Token: tok.String(), CSRPEM: string(csrPEM), Host: facts, Labels: labels})
	if err != nil {
		return nil, fmt.Errorf("encode enrollment request: %w", err)
	}
	client := &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			TLSClientConfig:     PinnedTLSConfig(tok.CAFingerprint),
			TLSHandshakeTimeout: 15 * time.Second,
			ForceAttemptHTTP2:   true,
		},
		// A redirect could lead anywhere; the pin would still hold, but
		// there is no reason to follow one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("enrollment request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("enroll at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("read enrollment response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var eb errorBody
		if json.Unmarshal(data, &eb) != nil || eb.Error == "" {
			eb.Error = strings.TrimSpace(string(data))
		}
		return nil, &ServerError{Status: resp.StatusCode, Message: eb.Error}
	}
	var res Result
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("decode enrollment response: %w", err)
	}
	if err := checkResult(&res, tok.CAFingerprint, csr); err != nil {
		return nil, fmt.Errorf("enrollment response: %w", err)
	}
	return &res, nil
}

// enrollURL turns the server's base URL into the endpoint URL.
func enrollURL(serverURL string) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("server URL %q: %w", serverURL, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("server URL %q: want https://host[:port]", serverURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + Path
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// checkResult verifies the server's answer against what the agent knows.
func checkResult(res *Result, pin string, csr *x509.CertificateRequest) error {
	ca, err := pki.ParseCertPEM([]byte(res.CAPEM))
	if err != nil {
		return fmt.Errorf("ca_pem: %w", err)
	}
	if fp := pki.CAFingerprint(ca); fp != pin {
		return fmt.Errorf("ca_pem has fingerprint %s, not the pinned %s", fp, pin)
	}
	cert, err := pki.ParseCertPEM([]byte(res.CertPEM))
	if err != nil {
		return fmt.Errorf("cert_pem: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return fmt.Errorf("cert_pem does not verify against the CA: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(cert.PublicKey)
	if err != nil || !bytes.Equal(pub, csr.RawSubjectPublicKeyInfo) {
		return errors.New("cert_pem is not for this agent's key")
	}
	id, err := pki.AgentIDFromCert(cert)
	if err != nil {
		return fmt.Errorf("cert_pem: %w", err)
	}
	if id != res.AgentID {
		return fmt.Errorf("cert_pem is for agent %s, response says %s", id, res.AgentID)
	}
	if len(res.NATSURLs) == 0 {
		return errors.New("no nats_urls")
	}
	return nil
}
