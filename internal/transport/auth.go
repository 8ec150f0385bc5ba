package transport

import (
	"crypto/x509"
	"log/slog"
	"sync"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/ward-sec/ward/internal/pki"
)

// RevocationChecker says whether an agent has been revoked. It is asked
// on every connection, so it must answer from memory (the store's list,
// cached and refreshed on revoke).
type RevocationChecker interface {
	Revoked(agentID string) bool
}

// certAuth is the embedded server's CustomClientAuthentication: TLS has
// already verified the client certificate against the Ward CA (with the
// client-auth EKU); certAuth maps it to a user and its permissions.
type certAuth struct {
	checker RevocationChecker // may be nil
	log     *slog.Logger

	mu      sync.RWMutex
	revoked map[string]struct{} // revoked through EmbeddedServer.Revoke
}

func newCertAuth(checker RevocationChecker, log *slog.Logger) *certAuth {
	return &certAuth{checker: checker, log: log, revoked: map[string]struct{}{}}
}

// Check implements server.Authentication.
func (a *certAuth) Check(c server.ClientAuthentication) bool {
	if c.Kind() != server.CLIENT {
		return false
	}
	leaf := verifiedLeaf(c)
	if leaf == nil {
		a.refuse(c, "", "no verified client certificate")
		return false
	}
	id, err := pki.IdentityFromCert(leaf)
	if err != nil {
		a.refuse(c, "", err.Error())
		return false
	}
	// The connection ends when the certificate does; TLS only checked
	// validity at the handshake.
	user := &server.User{ConnectionDeadline: leaf.NotAfter}
	switch id.Kind {
	case pki.KindServer:
		user.Username = "server:" + id.Name
		// Permissions nil: the server may use every subject.
	case pki.KindAgent:
		if a.isRevoked(id.Name) {
			a.refuse(c, id.Name, "agent is revoked")
			return false
		}
		user.Username = id.Name
		user.Permissions = AgentPermissions(id.Name)
	default:
		a.refuse(c, id.Name, "unknown identity kind")
		return false
	}
	c.RegisterUser(user)
	// Revoke may have run between the check above and registration; it
	// marks first and then disconnects, so checking again closes the gap.
	if id.Kind == pki.KindAgent && a.isRevoked(id.Name) {
		a.refuse(c, id.Name, "agent is revoked")
		return false
	}
	return true
}

func verifiedLeaf(c server.ClientAuthentication) *x509.Certificate {
	cs := c.GetTLSConnectionState()
	if cs == nil || len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
		return nil
	}
	return cs.VerifiedChains[0][0]
}

func (a *certAuth) refuse(c server.ClientAuthentication, agentID, reason string) {
	remote := ""
	if addr := c.RemoteAddress(); addr != nil {
		remote = addr.String()
	}
	a.log.Warn("NATS connection refused", "remote", remote, "agent", agentID, "reason", reason)
}

func (a *certAuth) isRevoked(agentID string) bool {
	a.mu.RLock()
	_, local := a.revoked[agentID]
	a.mu.RUnlock()
	return local || (a.checker != nil && a.checker.Revoked(agentID))
}

func (a *certAuth) markRevoked(agentID string) {
	a.mu.Lock()
	a.revoked[agentID] = struct{}{}
	a.mu.Unlock()
}
