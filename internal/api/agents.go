package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/ward-sec/ward/internal/store"
)

// revokeAgent revokes an agent named by its numeric id or its credential
// id (agt_...). Revoking a revoked agent succeeds again and calls the hook
// again, so a retry after a failed disconnect can finish the job.
func (s *server) revokeAgent(w http.ResponseWriter, r *http.Request) error {
	ref := r.PathValue("id")
	a, err := s.agent(r, ref)
	if err != nil {
		return err
	}
	if err := s.store.RevokeAgent(r.Context(), a.ID); err != nil {
		return err
	}
	if a, err = s.store.Agent(r.Context(), a.ID); err != nil {
		return err
	}
	s.audit(r, auditAgentRevoke, "agent:"+strconv.FormatInt(a.ID, 10),
		map[string]any{"credential_id": a.CredentialID, "host_id": a.HostID})
	if s.opts.OnRevoke != nil {
		s.opts.OnRevoke(a.CredentialID)
	}
	return writeJSON(w, http.StatusOK, agentView(a))
}

// agent finds an agent by numeric id or credential id.
func (s *server) agent(r *http.Request, ref string) (store.Agent, error) {
	var a store.Agent
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		a, err = s.store.Agent(r.Context(), id)
	} else {
		a, err = s.store.AgentByCredential(r.Context(), ref)
		if errors.Is(err, store.ErrRevoked) {
			err = nil // found, merely revoked already
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return a, notFound("no agent %q", ref)
	}
	return a, err
}
