package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
)

// ErrTokenInvalid is returned for an enrollment or API token that is
// unknown, expired, used up or revoked; the wrapped message says which, for
// the log, not for the client.
var ErrTokenInvalid = errors.New("invalid token")

// Why an enrollment token was refused; each also matches ErrTokenInvalid.
// The enrollment endpoint answers 401 for unknown/revoked and 410 for
// expired/used up, so an operator can tell a typo from a spent token.
var (
	ErrTokenUnknown = fmt.Errorf("%w: unknown", ErrTokenInvalid)
	ErrTokenRevoked = fmt.Errorf("%w: revoked", ErrTokenInvalid)
	ErrTokenExpired = fmt.Errorf("%w: expired", ErrTokenInvalid)
	ErrTokenUsedUp  = fmt.Errorf("%w: used up", ErrTokenInvalid)
)

// Token secrets carry a prefix so that secret scanners recognise them.
const (
	enrollTokenPrefix = "ward_et_"
	apiTokenPrefix    = "ward_at_"
)

// newSecret returns a random token with prefix and the hash stored for it.
func newSecret(prefix string) (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("random token: %w", err)
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret), nil
}

// hashSecret is what is stored for a token: its SHA-256, hex. Tokens are
// 256 random bits, so a fast hash is enough.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// hashEqual compares two hashes in constant time.
func hashEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// EnrollmentToken is a token hosts enrol with (the secret is never stored).
type EnrollmentToken struct {
	ID          int64
	Description string
	// Labels are given to hosts enrolled with the token.
	Labels    map[string]string
	MaxUses   int
	Uses      int
	ExpiresAt time.Time
	CreatedBy string
	CreatedAt time.Time
	RevokedAt time.Time
}

// NewEnrollmentToken is what CreateEnrollmentToken records.
type NewEnrollmentToken struct {
	Description string
	Labels      map[string]string
	MaxUses     int           // at least 1
	TTL         time.Duration // from now
	CreatedBy   string
}

// CreateEnrollmentToken creates a token and returns its secret, which is
// not kept and cannot be shown again.
func (s *Store) CreateEnrollmentToken(ctx context.Context, n NewEnrollmentToken) (string, EnrollmentToken, error) {
	if n.MaxUses < 1 || n.TTL <= 0 || n.CreatedBy == "" {
		return "", EnrollmentToken{}, errors.New("create enrollment token: need max uses ≥ 1, a positive TTL and a creator")
	}
	secret, hash, err := newSecret(enrollTokenPrefix)
	if err != nil {
		return "", EnrollmentToken{}, err
	}
	t, err := s.CreateEnrollmentTokenHash(ctx, hash, n)
	return secret, t, err
}

// CreateEnrollmentTokenHash records a token whose secret the caller made
// (the enrollment protocol's own token format); only hash, the hex SHA-256
// of the secret, is stored.
func (s *Store) CreateEnrollmentTokenHash(ctx context.Context, hash string, n NewEnrollmentToken) (EnrollmentToken, error) {
	if n.MaxUses < 1 || n.TTL <= 0 || n.CreatedBy == "" || len(hash) != 64 {
		return EnrollmentToken{}, errors.New("create enrollment token: need a SHA-256 hash, max uses ≥ 1, a positive TTL and a creator")
	}
	labels, err := jsonOrEmpty(n.Labels)
	if err != nil {
		return EnrollmentToken{}, fmt.Errorf("create enrollment token: %w", err)
	}
	now := s.clock()
	t := EnrollmentToken{Description: n.Description, Labels: maps.Clone(n.Labels), MaxUses: n.MaxUses,
		ExpiresAt: now.Add(n.TTL).Truncate(time.Microsecond), CreatedBy: n.CreatedBy, CreatedAt: now}
	err = s.writer().queryRow(ctx, `
		INSERT INTO enrollment_tokens (token_hash, description, labels, max_uses, expires_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		hash, n.Description, nullString(labels), n.MaxUses, t.ExpiresAt, n.CreatedBy, now).Scan(&t.ID)
	if err != nil {
		return EnrollmentToken{}, fmt.Errorf("create enrollment token: %w", err)
	}
	return t, nil
}

const enrollCols = `id, token_hash, description, labels, max_uses, uses, expires_at, created_by, created_at, revoked_at`

func scanEnrollmentToken(sc interface{ Scan(...any) error }) (EnrollmentToken, string, error) {
	var t EnrollmentToken
	var hash string
	var labels sql.NullString
	err := sc.Scan(&t.ID, &hash, &t.Description, &labels, &t.MaxUses, &t.Uses, ts(&t.ExpiresAt), &t.CreatedBy, ts(&t.CreatedAt), ts(&t.RevokedAt))
	if err == nil && labels.String != "" {
		err = json.Unmarshal([]byte(labels.String), &t.Labels)
	}
	return t, hash, err
}

// ConsumeEnrollmentToken uses the token once: atomically, so of N
// concurrent consumers of a token with U uses left exactly U succeed.
func (s *Store) ConsumeEnrollmentToken(ctx context.Context, secret string) (EnrollmentToken, error) {
	var t EnrollmentToken
	err := s.tx(ctx, func(tx db) error {
		var err error
		t, err = s.consume(ctx, tx, secret)
		return err
	})
	return t, err
}

// ConsumeEnrollmentTokenHash is ConsumeEnrollmentToken for a token known
// by the hash of its secret (see CreateEnrollmentTokenHash).
func (s *Store) ConsumeEnrollmentTokenHash(ctx context.Context, hash string) (EnrollmentToken, error) {
	var t EnrollmentToken
	err := s.tx(ctx, func(tx db) error {
		var err error
		t, err = s.consumeHash(ctx, tx, hash)
		return err
	})
	return t, err
}

func (s *Store) consume(ctx context.Context, tx db, secret string) (EnrollmentToken, error) {
	if !strings.HasPrefix(secret, enrollTokenPrefix) {
		return EnrollmentToken{}, fmt.Errorf("%w: not an enrollment token", ErrTokenUnknown)
	}
	return s.consumeHash(ctx, tx, hashSecret(secret))
}

func (s *Store) consumeHash(ctx context.Context, tx db, hash string) (EnrollmentToken, error) {
	now := s.clock()
	// One statement decides and counts: on PostgreSQL the row lock makes a
	// concurrent consumer re-check uses < max_uses after this one commits.
	t, stored, err := scanEnrollmentToken(tx.queryRow(ctx, `
		UPDATE enrollment_tokens SET uses = uses + 1
		WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ? AND uses < max_uses
		RETURNING `+enrollCols, hash, now))
	if err == nil && hashEqual(stored, hash) {
		return t, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return EnrollmentToken{}, fmt.Errorf("consume enrollment token: %w", err)
	}
	// Say why, for the server's log.
	t, _, err = scanEnrollmentToken(tx.queryRow(ctx, `SELECT `+enrollCols+` FROM enrollment_tokens WHERE token_hash = ?`, hash))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return EnrollmentToken{}, fmt.Errorf("%w enrollment token", ErrTokenUnknown)
	case err != nil:
		return EnrollmentToken{}, fmt.Errorf("consume enrollment token: %w", err)
	case !t.RevokedAt.IsZero():
		return EnrollmentToken{}, fmt.Errorf("%w: enrollment token %d", ErrTokenRevoked, t.ID)
	case !t.ExpiresAt.After(now):
		return EnrollmentToken{}, fmt.Errorf("%w: enrollment token %d at %s", ErrTokenExpired, t.ID, t.ExpiresAt.Format(time.RFC3339))
	default:
		return EnrollmentToken{}, fmt.Errorf("%w: enrollment token %d (%d of %d)", ErrTokenUsedUp, t.ID, t.Uses, t.MaxUses)
	}
}

// RevokeEnrollmentToken stops a token from being used.
func (s *Store) RevokeEnrollmentToken(ctx context.Context, id int64) error {
	res, err := s.writer().exec(ctx, `UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.clock(), id)
	if err != nil {
		return fmt.Errorf("revoke enrollment token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if err := mustExist(ctx, s.writer(), "enrollment_tokens", id); err != nil {
			return fmt.Errorf("revoke enrollment token: %w", err)
		}
	}
	return nil
}

// EnrollmentTokens lists all tokens, newest first.
func (s *Store) EnrollmentTokens(ctx context.Context) ([]EnrollmentToken, error) {
	rows, err := s.reader().query(ctx, `SELECT `+enrollCols+` FROM enrollment_tokens ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list enrollment tokens: %w", err)
	}
	defer rows.Close()
	var out []EnrollmentToken
	for rows.Next() {
		t, _, err := scanEnrollmentToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list enrollment tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// EnrollRequest is what an agent presents when it enrols.
type EnrollRequest struct {
	Host  HostInfo
	Agent NewAgent // HostID is filled in
}

// Enroll consumes the token, creates or updates the host (token labels
// under the host's own) and records the agent, in one transaction: a
// failure anywhere leaves the token unused.
func (s *Store) Enroll(ctx context.Context, secret string, req EnrollRequest) (Host, Agent, error) {
	var hostID int64
	var agent Agent
	err := s.tx(ctx, func(tx db) error {
		t, err := s.consume(ctx, tx, secret)
		if err != nil {
			return err
		}
		info := req.Host
		if len(t.Labels) > 0 || info.Labels != nil {
			labels := maps.Clone(t.Labels)
			if labels == nil {
				labels = map[string]string{}
			}
			maps.Copy(labels, info.Labels)
			info.Labels = labels
		}
		if hostID, err = s.upsertHost(ctx, tx, info); err != nil {
			return fmt.Errorf("host: %w", err)
		}
		a := req.Agent
		a.HostID = hostID
		agent, err = s.createAgent(ctx, tx, a)
		return err
	})
	if err != nil {
		return Host{}, Agent{}, fmt.Errorf("enroll %q: %w", req.Host.Hostname, err)
	}
	h, err := s.Host(ctx, hostID)
	return h, agent, err
}

func jsonOrEmpty(v any) (string, error) {
	switch x := v.(type) {
	case map[string]string:
		if len(x) == 0 {
			return "", nil
		}
	case nil:
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// nullString turns "" into NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
