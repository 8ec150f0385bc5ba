package transport

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/ward-sec/ward/internal/pki"
)

// clientCertificate returns the client's leaf certificate and the rest of
// its chain as the NATS server reported them. With `verify: true` the
// server fills VerifiedChains (leaf first, then up to the root it
// trusted); it falls back to the presented Certs only when it verified
// nothing. Either way the caller verifies again against the Ward CA: the
// cluster may trust other CAs too.
func clientCertificate(t *jwt.ClientTLS) (*x509.Certificate, []*x509.Certificate, error) {
	if t == nil {
		return nil, nil, errors.New("no TLS on the connection")
	}
	chain := []string(t.Certs)
	if len(t.VerifiedChains) > 0 {
		chain = t.VerifiedChains[0]
	}
	if len(chain) == 0 {
		return nil, nil, errors.New("no client certificate")
	}
	certs := make([]*x509.Certificate, 0, len(chain))
	for i, p := range chain {
		c, err := pki.ParseCertPEM([]byte(p))
		if err != nil {
			return nil, nil, fmt.Errorf("client certificate %d: %w", i, err)
		}
		certs = append(certs, c)
	}
	return certs[0], certs[1:], nil
}

// verifyAgentCert checks that leaf is a client certificate of the Ward CA
// valid at now, and returns the agent id it names.
func verifyAgentCert(leaf *x509.Certificate, rest []*x509.Certificate, roots *x509.CertPool, now time.Time) (string, error) {
	inter := x509.NewCertPool()
	for _, c := range rest {
		// A foreign root in the chain cannot help: only roots anchor it.
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}); err != nil {
		return "", fmt.Errorf("client certificate is not from the Ward CA: %w", err)
	}
	return pki.AgentIDFromCert(leaf)
}

// agentUserClaims is the NATS user the callout hands back for an agent:
// AgentPermissions as JWT permissions, placed in account, standard
// (non-websocket, non-leaf) connections only, expiring with the
// certificate or at sessionEnd when that comes first (zero: none).
func agentUserClaims(userNkey, account, agentID string, certNotAfter, sessionEnd time.Time) *jwt.UserClaims {
	uc := jwt.NewUserClaims(userNkey)
	// Outside operator mode the server places the user in the account
	// named by the audience.
	uc.Audience = account
	// Shown as the connection's user name (connz, logs).
	uc.Name = agentID
	uc.Permissions = jwtPermissions(AgentPermissions(agentID))
	uc.AllowedConnectionTypes = jwt.StringList{jwt.ConnectionTypeStandard}
	end := certNotAfter
	if !sessionEnd.IsZero() && sessionEnd.Before(end) {
		end = sessionEnd
	}
	// The server closes the connection when the JWT expires; TLS alone
	// checks the certificate only at the handshake.
	uc.Expires = end.Unix()
	return uc
}

// jwtPermissions converts the embedded server's permissions (the single
// definition of what an agent may do) to their JWT form.
func jwtPermissions(p *server.Permissions) jwt.Permissions {
	var out jwt.Permissions
	if p == nil {
		return out
	}
	if p.Publish != nil {
		out.Pub.Allow = append(jwt.StringList(nil), p.Publish.Allow...)
		out.Pub.Deny = append(jwt.StringList(nil), p.Publish.Deny...)
	}
	if p.Subscribe != nil {
		out.Sub.Allow = append(jwt.StringList(nil), p.Subscribe.Allow...)
		out.Sub.Deny = append(jwt.StringList(nil), p.Subscribe.Deny...)
	}
	if p.Response != nil {
		out.Resp = &jwt.ResponsePermission{MaxMsgs: p.Response.MaxMsgs, Expires: p.Response.Expires}
	}
	return out
}
