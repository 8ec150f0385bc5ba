package enroll

import (
	"context"
	"errors"
	"time"
)

// Path is where the server serves enrollment.
const Path = "/api/v1/enroll"

// MaxRequestBytes bounds an enrollment request body.
const MaxRequestBytes = 64 << 10

// HostFacts is what an enrolling agent says about its host.
type HostFacts struct {
	Hostname  string `json:"hostname"`
	MachineID string `json:"machine_id,omitempty"`
	OS        string `json:"os,omitempty"`
	Kernel    string `json:"kernel,omitempty"`
	// IdentityKey is IdentityKey(...) of the host: hex SHA-256.
	IdentityKey string `json:"identity_key"`
}

// Request is the body of POST /api/v1/enroll.
type Request struct {
	Token  string            `json:"token"`
	CSRPEM string            `json:"csr_pem"`
	Host   HostFacts         `json:"host"`
	Labels map[string]string `json:"labels,omitempty"`
}

// Result is the server's answer to a successful enrollment.
type Result struct {
	AgentID  string   `json:"agent_id"`
	HostID   string   `json:"host_id"`
	CertPEM  string   `json:"cert_pem"`
	CAPEM    string   `json:"ca_pem"`
	NATSURLs []string `json:"nats_urls"`
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error string `json:"error"`
}

// Errors the store returns from ConsumeToken (possibly wrapped); the
// handler maps them to HTTP statuses: unknown and revoked to 401, expired
// and used up to 410.
var (
	ErrTokenUnknown = errors.New("enrollment token unknown")
	ErrTokenRevoked = errors.New("enrollment token revoked")
	ErrTokenExpired = errors.New("enrollment token expired")
	ErrTokenUsedUp  = errors.New("enrollment token used up")
)

// TokenConsumer uses an enrollment token once, atomically: of N concurrent
// calls for a token with U uses left exactly U succeed. It returns the
// token's labels, or one of the ErrToken* errors.
type TokenConsumer interface {
	ConsumeToken(ctx context.Context, secretHash string) (labels map[string]string, err error)
}

// AgentRegistrar creates or updates the host by facts.IdentityKey and
// creates its agent, returning the new agent id (pki.ValidAgentID shape).
type AgentRegistrar interface {
	RegisterAgent(ctx context.Context, facts HostFacts, labels map[string]string) (agentID, hostID string, err error)
}

// Store is what the handler needs from the server's store.
type Store interface {
	TokenConsumer
	AgentRegistrar
}

// AgentCertRecorder is optional: a Store that implements it is told the
// fingerprint (hex SHA-256 of the DER) and serial (hex) of each issued
// agent certificate.
type AgentCertRecorder interface {
	RecordAgentCert(ctx context.Context, agentID, certFingerprint, serialHex string) error
}

// Signer issues agent certificates; *pki.CA is one.
type Signer interface {
	SignAgentCSR(csrPEM []byte, agentID string, validity time.Duration) ([]byte, error)
	CertPEM() []byte
	Fingerprint() string
}

// AuditEvent records one enrollment attempt.
type AuditEvent struct {
	Time       time.Time
	RemoteAddr string
	// Outcome is "enrolled", "denied" (token refused), "rejected" (bad
	// request) or "error" (server failure).
	Outcome  string
	Status   int
	Reason   string // why, for the log; never contains the secret
	Hostname string
	AgentID  string
	HostID   string
}

// Audit outcomes.
const (
	OutcomeEnrolled = "enrolled"
	OutcomeDenied   = "denied"
	OutcomeRejected = "rejected"
	OutcomeError    = "error"
)
