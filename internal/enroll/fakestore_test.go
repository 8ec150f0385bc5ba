package enroll

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/ward-sec/ward/internal/pki"
)

// fakeStore keeps tokens by secret hash, as the real store does.
type fakeStore struct {
	mu      sync.Mutex
	now     time.Time
	tokens  map[string]*fakeToken
	agents  map[string]HostFacts
	labels  map[string]map[string]string
	certs   map[string]string // agent id -> cert fingerprint
	consume int               // ConsumeToken calls
}

type fakeToken struct {
	labels  map[string]string
	expires time.Time
	maxUses int
	uses    int
	revoked bool
}

func newFakeStore() *fakeStore {
	return &fakeStore{now: time.Now(), tokens: map[string]*fakeToken{}, agents: map[string]HostFacts{},
		labels: map[string]map[string]string{}, certs: map[string]string{}}
}

// addToken creates a token for the CA and returns its text.
func (s *fakeStore) addToken(caFingerprint string, t fakeToken) string {
	text, hash, err := NewToken(caFingerprint)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[hash] = &t
	return text
}

func (s *fakeStore) ConsumeToken(_ context.Context, secretHash string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consume++
	t, ok := s.tokens[secretHash]
	switch {
	case !ok:
		return nil, ErrTokenUnknown
	case t.revoked:
		return nil, ErrTokenRevoked
	case !s.now.Before(t.expires):
		return nil, fmt.Errorf("token expired at %s: %w", t.expires, ErrTokenExpired)
	case t.uses >= t.maxUses:
		return nil, fmt.Errorf("%d of %d uses: %w", t.uses, t.maxUses, ErrTokenUsedUp)
	}
	t.uses++
	return maps.Clone(t.labels), nil
}

func (s *fakeStore) RegisterAgent(_ context.Context, facts HostFacts, labels map[string]string) (string, string, error) {
	id, err := pki.NewAgentID()
	if err != nil {
		return "", "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.agents[id] = facts
	s.labels[id] = labels
	return id, "host-" + facts.IdentityKey[:8], nil
}

func (s *fakeStore) RecordAgentCert(_ context.Context, agentID, fp, serial string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certs[agentID] = fp
	return nil
}

func (s *fakeStore) uses(text string) int {
	tok, err := ParseToken(text)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[tok.SecretHash()].uses
}
