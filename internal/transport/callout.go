package transport

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/ward-sec/ward/internal/pki"
)

// calloutQueue lets several Ward server replicas share the callout:
// each request is answered by one of them.
const calloutQueue = "ward-auth-callout"

// CalloutConfig configures the auth callout responder of external mode.
type CalloutConfig struct {
	// Issuer is the account key pair whose public key the cluster's
	// auth_callout names as issuer; it signs responses and user JWTs.
	Issuer nkeys.KeyPair
	// Account is where admitted agents are placed; default CalloutAccount.
	Account string
	// CAPool is the Ward CA: a client certificate must chain to it,
	// whatever the cluster itself trusts.
	CAPool *x509.CertPool
	// Revocations is asked on every connection; may be nil.
	Revocations RevocationChecker
	// MaxSession, when positive, ends an agent's connection after about
	// that long (jittered over its last quarter, so a fleet does not
	// reconnect at once); it then reconnects through the callout, which
	// is when a revocation takes effect on the external cluster. Zero:
	// the connection lasts until the certificate expires.
	MaxSession time.Duration
	// Logger; nil discards.
	Logger *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// CalloutService answers the NATS cluster's $SYS.REQ.USER.AUTH requests:
// it maps the client certificate to an agent and returns a user with
// that agent's permissions, or refuses.
type CalloutService struct {
	cfg       CalloutConfig
	issuerPub string
	log       *slog.Logger
	revoked   *revokedSet

	mu  sync.Mutex
	sub *nats.Subscription
}

// NewCalloutService checks cfg; Start subscribes.
func NewCalloutService(cfg CalloutConfig) (*CalloutService, error) {
	if cfg.Issuer == nil {
		return nil, errors.New("auth callout: no issuer key")
	}
	pub, err := cfg.Issuer.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("auth callout: issuer key: %w", err)
	}
	if !nkeys.IsValidPublicAccountKey(pub) {
		return nil, fmt.Errorf("auth callout: issuer %s is not an account key", pub)
	}
	if _, err := cfg.Issuer.Seed(); err != nil {
		return nil, errors.New("auth callout: issuer key has no seed, cannot sign")
	}
	if cfg.CAPool == nil {
		return nil, errors.New("auth callout: no CA pool")
	}
	if cfg.Account == "" {
		cfg.Account = CalloutAccount
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &CalloutService{cfg: cfg, issuerPub: pub, log: logger, revoked: newRevokedSet()}, nil
}

// IssuerPublicKey is the auth_callout issuer the cluster must name.
func (s *CalloutService) IssuerPublicKey() string { return s.issuerPub }

// Start answers callout requests arriving on nc, which must be connected
// as one of the cluster's auth_users in the callout account. Until it
// returns, the cluster refuses every agent (the requests time out).
func (s *CalloutService) Start(nc *nats.Conn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sub != nil {
		return errors.New("auth callout: already started")
	}
	sub, err := nc.QueueSubscribe(server.AuthCalloutSubject, calloutQueue, s.handle)
	if err != nil {
		return fmt.Errorf("auth callout: subscribe %s: %w", server.AuthCalloutSubject, err)
	}
	// Flush: the subscription is in place on the cluster when Start returns.
	if err := nc.Flush(); err != nil {
		sub.Unsubscribe()
		return fmt.Errorf("auth callout: subscribe %s: %w", server.AuthCalloutSubject, err)
	}
	if err := nc.LastError(); err != nil {
		sub.Unsubscribe()
		return fmt.Errorf("auth callout: subscribe %s: %w", server.AuthCalloutSubject, err)
	}
	s.sub = sub
	return nil
}

// Stop stops answering; safe to call more than once.
func (s *CalloutService) Stop() error {
	s.mu.Lock()
	sub := s.sub
	s.sub = nil
	s.mu.Unlock()
	if sub == nil || !sub.IsValid() {
		return nil
	}
	return sub.Unsubscribe()
}

// Revoke refuses agentID from now on, even before the RevocationChecker
// learns of it. Live connections on the external cluster are not closed
// (that needs the cluster's system account): they end at their JWT's
// expiry (see MaxSession).
func (s *CalloutService) Revoke(agentID string) error {
	if err := pki.ValidAgentID(agentID); err != nil {
		return err
	}
	s.revoked.add(agentID)
	return nil
}

func (s *CalloutService) handle(m *nats.Msg) {
	if m.Reply == "" {
		return
	}
	if m.Header.Get(server.AuthRequestXKeyHeader) != "" {
		// An encrypted request cannot be read; answering nothing makes the
		// server refuse the client after its auth timeout.
		s.log.Error("auth callout request is encrypted (xkey in auth_callout); Ward does not configure one: remove it")
		return
	}
	req, err := jwt.DecodeAuthorizationRequestClaims(string(m.Data))
	if err != nil {
		s.log.Warn("auth callout: undecodable request", "err", err)
		return
	}
	userJWT, agentID, reason := s.authorize(req)
	resp := jwt.NewAuthorizationResponseClaims(req.UserNkey)
	resp.Audience = req.Server.ID
	if reason != "" {
		resp.Error = reason
		s.log.Warn("NATS connection refused", "remote", req.ClientInformation.Host, "agent", agentID, "reason", reason, "nats_server", req.Server.Name)
	} else {
		resp.Jwt = userJWT
	}
	token, err := resp.Encode(s.cfg.Issuer)
	if err != nil {
		s.log.Error("auth callout: sign response", "err", err)
		return
	}
	if err := m.Respond([]byte(token)); err != nil {
		s.log.Warn("auth callout: respond", "err", err)
	}
}

// authorize decides on one request: a user JWT for the agent, or the
// reason for refusing (agentID is set when it was learned).
func (s *CalloutService) authorize(req *jwt.AuthorizationRequestClaims) (userJWT, agentID, reason string) {
	vr := jwt.CreateValidationResults()
	req.Validate(vr)
	if len(vr.Issues) > 0 {
		return "", "", "invalid authorization request: " + vr.Issues[0].Description
	}
	// The server addresses requests to its configured issuer: anything
	// else means the cluster expects another responder.
	if req.Subject != s.issuerPub {
		return "", "", fmt.Sprintf("request for issuer %s, this Ward server's is %s", req.Subject, s.issuerPub)
	}
	if !nkeys.IsValidPublicUserKey(req.UserNkey) || !nkeys.IsValidPublicServerKey(req.Server.ID) {
		return "", "", "request without a valid user nkey or server id"
	}
	leaf, rest, err := clientCertificate(req.TLS)
	if err != nil {
		return "", "", err.Error()
	}
	now := s.cfg.Now()
	agentID, err = verifyAgentCert(leaf, rest, s.cfg.CAPool, now)
	if err != nil {
		return "", "", err.Error()
	}
	if s.isRevoked(agentID) {
		return "", agentID, "agent is revoked"
	}
	uc := agentUserClaims(req.UserNkey, s.cfg.Account, agentID, leaf.NotAfter, s.sessionEnd(now))
	userJWT, err = uc.Encode(s.cfg.Issuer)
	if err != nil {
		s.log.Error("auth callout: sign user JWT", "agent", agentID, "err", err)
		return "", agentID, "internal error"
	}
	return userJWT, agentID, ""
}

func (s *CalloutService) sessionEnd(now time.Time) time.Time {
	if s.cfg.MaxSession <= 0 {
		return time.Time{}
	}
	quarter := s.cfg.MaxSession / 4
	return now.Add(s.cfg.MaxSession - quarter + rand.N(quarter+1))
}

func (s *CalloutService) isRevoked(agentID string) bool {
	return s.revoked.has(agentID) || (s.cfg.Revocations != nil && s.cfg.Revocations.Revoked(agentID))
}

// revokedSet is the agents revoked through this process, refused at once.
type revokedSet struct {
	mu  sync.RWMutex
	ids map[string]struct{}
}

func newRevokedSet() *revokedSet { return &revokedSet{ids: map[string]struct{}{}} }

func (r *revokedSet) add(id string) {
	r.mu.Lock()
	r.ids[id] = struct{}{}
	r.mu.Unlock()
}

func (r *revokedSet) has(id string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.ids[id]
	return ok
}
