package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrRevoked is returned, with the record, for a revoked agent or token.
var ErrRevoked = errors.New("revoked")

// Agent is the enrolled agent of a host.
type Agent struct {
	ID     int64
	HostID int64
	// CredentialID is what the agent authenticates with on the message bus
	// (its NATS nkey public key).
	CredentialID    string
	CertFingerprint string
	CertSerial      string
	Version         string
	EnrolledAt      time.Time
	RevokedAt       time.Time // zero: active
	LastHeartbeat   time.Time
	CPUPercent      float64
	RSSBytes        int64
}

// Revoked reports whether the agent has been revoked.
func (a Agent) Revoked() bool { return !a.RevokedAt.IsZero() }

// NewAgent is what CreateAgent records.
type NewAgent struct {
	HostID          int64
	CredentialID    string
	CertFingerprint string
	CertSerial      string
	Version         string
}

// CreateAgent records an enrolled agent of an existing host. A credential
// or certificate already in use is ErrConflict.
func (s *Store) CreateAgent(ctx context.Context, a NewAgent) (Agent, error) {
	var out Agent
	err := s.tx(ctx, func(tx db) error {
		var err error
		out, err = s.createAgent(ctx, tx, a)
		return err
	})
	if err != nil {
		return Agent{}, fmt.Errorf("create agent for host %d: %w", a.HostID, err)
	}
	return out, nil
}

func (s *Store) createAgent(ctx context.Context, tx db, a NewAgent) (Agent, error) {
	if a.CredentialID == "" {
		return Agent{}, errors.New("empty credential id")
	}
	now := s.clock()
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO agents (host_id, credential_id, cert_fingerprint, cert_serial, version, enrolled_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		a.HostID, a.CredentialID, a.CertFingerprint, a.CertSerial, a.Version, now).Scan(&id)
	if uniqueViolation(err) {
		return Agent{}, fmt.Errorf("credential or certificate: %w", ErrConflict)
	}
	if err != nil {
		return Agent{}, err
	}
	if _, err := tx.exec(ctx, `UPDATE hosts SET agent_status = 'enrolled', last_seen = ? WHERE id = ?`, now, a.HostID); err != nil {
		return Agent{}, err
	}
	return Agent{ID: id, HostID: a.HostID, CredentialID: a.CredentialID, CertFingerprint: a.CertFingerprint,
		CertSerial: a.CertSerial, Version: a.Version, EnrolledAt: now}, nil
}

// RevokeAgent revokes an agent; its credential stops being accepted.
// Revoking a revoked agent is a no-op.
func (s *Store) RevokeAgent(ctx context.Context, agentID int64) error {
	err := s.tx(ctx, func(tx db) error {
		var hostID int64
		err := tx.queryRow(ctx, `SELECT host_id FROM agents WHERE id = ?`, agentID).Scan(&hostID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.clock(), agentID); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `
			UPDATE hosts SET agent_status = 'revoked'
			WHERE id = ? AND NOT EXISTS (SELECT 1 FROM agents WHERE host_id = ? AND revoked_at IS NULL)`, hostID, hostID)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke agent %d: %w", agentID, err)
	}
	return nil
}

const agentCols = `id, host_id, credential_id, cert_fingerprint, cert_serial, version, enrolled_at, revoked_at, last_heartbeat, cpu_percent, rss_bytes`

func scanAgent(sc interface{ Scan(...any) error }) (Agent, error) {
	var a Agent
	err := sc.Scan(&a.ID, &a.HostID, &a.CredentialID, &a.CertFingerprint, &a.CertSerial, &a.Version,
		ts(&a.EnrolledAt), ts(&a.RevokedAt), ts(&a.LastHeartbeat), &a.CPUPercent, &a.RSSBytes)
	return a, err
}

// AgentByCredential finds the agent using a credential. A revoked agent is
// returned together with ErrRevoked, so a caller that only checks err
// cannot let it in.
func (s *Store) AgentByCredential(ctx context.Context, credentialID string) (Agent, error) {
	a, err := scanAgent(s.reader().queryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE credential_id = ?`, credentialID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Agent{}, fmt.Errorf("agent by credential: %w", ErrNotFound)
	case err != nil:
		return Agent{}, fmt.Errorf("agent by credential: %w", err)
	case a.Revoked():
		return a, fmt.Errorf("agent %d: %w", a.ID, ErrRevoked)
	}
	return a, nil
}

// Agent returns one agent, revoked or not.
func (s *Store) Agent(ctx context.Context, agentID int64) (Agent, error) {
	a, err := scanAgent(s.reader().queryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE id = ?`, agentID))
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, fmt.Errorf("agent %d: %w", agentID, ErrNotFound)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("agent %d: %w", agentID, err)
	}
	return a, nil
}

// HostAgents lists a host's agents, newest first.
func (s *Store) HostAgents(ctx context.Context, hostID int64) ([]Agent, error) {
	rows, err := s.reader().query(ctx, `SELECT `+agentCols+` FROM agents WHERE host_id = ? ORDER BY id DESC`, hostID)
	if err != nil {
		return nil, fmt.Errorf("agents of host %d: %w", hostID, err)
	}
	defer rows.Close()
	var out []Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, fmt.Errorf("agents of host %d: %w", hostID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Heartbeat is what an agent reports about itself periodically.
type Heartbeat struct {
	Version    string
	CPUPercent float64
	RSSBytes   int64
}

// RecordHeartbeat stores an active agent's heartbeat and marks its host
// seen. A revoked agent's heartbeat is refused with ErrRevoked.
func (s *Store) RecordHeartbeat(ctx context.Context, agentID int64, hb Heartbeat) error {
	err := s.tx(ctx, func(tx db) error {
		now := s.clock()
		var hostID int64
		err := tx.queryRow(ctx, `
			UPDATE agents SET last_heartbeat = ?, cpu_percent = ?, rss_bytes = ?,
				version = CASE WHEN ? <> '' THEN ? ELSE version END
			WHERE id = ? AND revoked_at IS NULL RETURNING host_id`,
			now, hb.CPUPercent, hb.RSSBytes, hb.Version, hb.Version, agentID).Scan(&hostID)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := s.Agent(ctx, agentID); err != nil {
				return err
			}
			return ErrRevoked
		}
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE hosts SET last_seen = ? WHERE id = ?`, now, hostID)
		return err
	})
	if err != nil {
		return fmt.Errorf("heartbeat of agent %d: %w", agentID, err)
	}
	return nil
}
