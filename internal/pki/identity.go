package pki

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Agent ids are "agt_" followed by 26 characters; they end up in NATS
// subjects, so anything but letters and digits (".", "*", ">") is refused.
const (
	agentIDPrefix = "agt_"
	agentIDChars  = 26
	// ServerCommonName is the CommonName of the server's own NATS client
	// certificate.
	ServerCommonName = "ward-server"
	maxServerNameLen = 64
)

// Identity is who a Ward-issued certificate says its holder is.
type Identity struct {
	Kind IdentityKind
	// Name is the agent id or the server replica name.
	Name string
}

// IdentityKind tells agents from server replicas.
type IdentityKind int

const (
	KindAgent IdentityKind = iota + 1
	KindServer
)

func (k IdentityKind) String() string {
	switch k {
	case KindAgent:
		return "agent"
	case KindServer:
		return "server"
	}
	return fmt.Sprintf("IdentityKind(%d)", int(k))
}

// NewAgentID returns a fresh random agent id: "agt_" and 26 lowercase
// base32 characters (128 random bits).
func NewAgentID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random agent id: %w", err)
	}
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	return agentIDPrefix + strings.ToLower(enc.EncodeToString(b)), nil
}

// ValidAgentID checks the shape of an agent id: "agt_" and 26 ASCII
// letters or digits (any base32 alphabet, either case).
func ValidAgentID(id string) error {
	rest, ok := strings.CutPrefix(id, agentIDPrefix)
	if !ok {
		return fmt.Errorf("agent id %q does not start with %q", id, agentIDPrefix)
	}
	if len(rest) != agentIDChars {
		return fmt.Errorf("agent id %q: want %d characters after %q, got %d", id, agentIDChars, agentIDPrefix, len(rest))
	}
	if !alnum(rest) {
		return fmt.Errorf("agent id %q: only letters and digits may follow %q", id, agentIDPrefix)
	}
	return nil
}

// ValidServerName checks a server replica name: 1..64 letters, digits,
// "-" or "_".
func ValidServerName(name string) error {
	if name == "" || len(name) > maxServerNameLen {
		return fmt.Errorf("server name %q: want 1 to %d characters", name, maxServerNameLen)
	}
	for _, r := range name {
		if !isAlnum(r) && r != '-' && r != '_' {
			return fmt.Errorf("server name %q: only letters, digits, '-' and '_' are allowed", name)
		}
	}
	return nil
}

func alnum(s string) bool {
	for _, r := range s {
		if !isAlnum(r) {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// AgentURI is the URI SAN of an agent certificate: ward:agent:<id>.
func AgentURI(agentID string) *url.URL { return &url.URL{Scheme: "ward", Opaque: "agent:" + agentID} }

// ServerURI is the URI SAN of a server client certificate: ward:server:<name>.
func ServerURI(name string) *url.URL { return &url.URL{Scheme: "ward", Opaque: "server:" + name} }

// IdentityFromCert reads the Ward identity of a certificate: exactly one
// ward: URI SAN, naming an agent or a server, with the CommonName agreeing.
// It does not verify the certificate: callers do that against the CA first.
func IdentityFromCert(cert *x509.Certificate) (Identity, error) {
	if cert == nil {
		return Identity{}, errors.New("no certificate")
	}
	var ids []Identity
	for _, u := range cert.URIs {
		if u.Scheme != "ward" {
			continue
		}
		kind, name, ok := strings.Cut(u.Opaque, ":")
		if !ok {
			return Identity{}, fmt.Errorf("certificate URI %q is not ward:<kind>:<name>", u.String())
		}
		switch kind {
		case "agent":
			if err := ValidAgentID(name); err != nil {
				return Identity{}, fmt.Errorf("certificate URI %q: %w", u.String(), err)
			}
			ids = append(ids, Identity{Kind: KindAgent, Name: name})
		case "server":
			if err := ValidServerName(name); err != nil {
				return Identity{}, fmt.Errorf("certificate URI %q: %w", u.String(), err)
			}
			ids = append(ids, Identity{Kind: KindServer, Name: name})
		default:
			return Identity{}, fmt.Errorf("certificate URI %q: unknown kind %q", u.String(), kind)
		}
	}
	switch len(ids) {
	case 0:
		return Identity{}, fmt.Errorf("certificate %q has no ward: URI SAN", cert.Subject.CommonName)
	case 1:
	default:
		return Identity{}, fmt.Errorf("certificate %q has %d ward: URI SANs, want exactly one", cert.Subject.CommonName, len(ids))
	}
	id := ids[0]
	wantCN := id.Name
	if id.Kind == KindServer {
		wantCN = ServerCommonName
	}
	if cert.Subject.CommonName != wantCN {
		return Identity{}, fmt.Errorf("certificate CommonName %q does not match its %s identity %q", cert.Subject.CommonName, id.Kind, id.Name)
	}
	return id, nil
}

// AgentIDFromCert returns the agent id of an agent certificate, or an
// error if the certificate is not an agent's.
func AgentIDFromCert(cert *x509.Certificate) (string, error) {
	id, err := IdentityFromCert(cert)
	if err != nil {
		return "", err
	}
	if id.Kind != KindAgent {
		return "", fmt.Errorf("certificate is a %s certificate (%q), not an agent's", id.Kind, id.Name)
	}
	return id.Name, nil
}
