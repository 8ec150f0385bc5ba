package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/store"
)

// enrollStore adapts the store to what the enrollment handler needs.
type enrollStore struct{ st *store.Store }

func (e enrollStore) ConsumeToken(ctx context.Context, secretHash string) (map[string]string, error) {
	t, err := e.st.ConsumeEnrollmentTokenHash(ctx, secretHash)
	switch {
	case err == nil:
		return t.Labels, nil
	case errors.Is(err, store.ErrTokenExpired):
		return nil, fmt.Errorf("%w: %v", enroll.ErrTokenExpired, err)
	case errors.Is(err, store.ErrTokenUsedUp):
		return nil, fmt.Errorf("%w: %v", enroll.ErrTokenUsedUp, err)
	case errors.Is(err, store.ErrTokenRevoked):
		return nil, fmt.Errorf("%w: %v", enroll.ErrTokenRevoked, err)
	case errors.Is(err, store.ErrTokenInvalid):
		return nil, fmt.Errorf("%w: %v", enroll.ErrTokenUnknown, err)
	}
	return nil, err
}

// RegisterAgent creates (or finds, by identity key) the host and records a
// new agent for it. A re-installed agent gets a new agent id; the host stays.
func (e enrollStore) RegisterAgent(ctx context.Context, facts enroll.HostFacts, labels map[string]string) (string, string, error) {
	hostID, err := e.st.UpsertHost(ctx, store.HostInfo{
		IdentityKey: facts.IdentityKey, Hostname: facts.Hostname, OSID: facts.OS, Kernel: facts.Kernel, Labels: labels,
	})
	if err != nil {
		return "", "", err
	}
	agentID, err := pki.NewAgentID()
	if err != nil {
		return "", "", err
	}
	if _, err := e.st.CreateAgent(ctx, store.NewAgent{HostID: hostID, CredentialID: agentID}); err != nil {
		return "", "", err
	}
	return agentID, strconv.FormatInt(hostID, 10), nil
}

// revocations answers the NATS layer from the store: an unknown or revoked
// agent id is refused.
type revocations struct{ st *store.Store }

func (r revocations) Revoked(agentID string) bool {
	// NATS calls this while a client connects: a stalled database must
	// refuse the agent (it retries), not hang the connection handshake.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, err := r.st.AgentByCredential(ctx, agentID)
	return err != nil || a.Revoked()
}
