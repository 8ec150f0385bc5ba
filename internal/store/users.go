package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is what a user or API token may do.
type Role string

const (
	RoleViewer   Role = "viewer"   // read
	RoleOperator Role = "operator" // read, run tasks, triage findings
	RoleAdmin    Role = "admin"    // everything, including users and tokens
)

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleOperator:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// Allows reports whether r includes everything need may do.
func (r Role) Allows(need Role) bool { return r.Valid() && r.rank() >= need.rank() }

// User is a person (or service) using the API.
type User struct {
	ID         int64
	Name       string
	Role       Role
	CreatedAt  time.Time
	DisabledAt time.Time
}

// CreateUser adds a user; an existing name is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, name string, role Role) (User, error) {
	if name == "" || !role.Valid() {
		return User{}, fmt.Errorf("create user %q: need a name and a role (admin, operator, viewer), got %q", name, role)
	}
	u := User{Name: name, Role: role, CreatedAt: s.clock()}
	err := s.writer().queryRow(ctx, `INSERT INTO users (name, role, created_at) VALUES (?, ?, ?) RETURNING id`,
		name, string(role), u.CreatedAt).Scan(&u.ID)
	if uniqueViolation(err) {
		return User{}, fmt.Errorf("create user %q: %w", name, ErrConflict)
	}
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", name, err)
	}
	return u, nil
}

// UserByName finds a user.
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	var u User
	err := s.reader().queryRow(ctx, `SELECT id, name, role, created_at, disabled_at FROM users WHERE name = ?`, name).
		Scan(&u.ID, &u.Name, &u.Role, ts(&u.CreatedAt), ts(&u.DisabledAt))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// Users lists all users by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.reader().query(ctx, `SELECT id, name, role, created_at, disabled_at FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Name, &u.Role, ts(&u.CreatedAt), ts(&u.DisabledAt)); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DisableUser stops a user and all their tokens from being accepted.
func (s *Store) DisableUser(ctx context.Context, userID int64) error {
	res, err := s.writer().exec(ctx, `UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL`, s.clock(), userID)
	if err != nil {
		return fmt.Errorf("disable user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if err := mustExist(ctx, s.writer(), "users", userID); err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
	}
	return nil
}

// APIToken is a bearer token of a user (the secret is never stored).
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Role       Role
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// CreateAPIToken creates a token for a user with at most the user's role;
// ttl 0 never expires. The secret is returned once and not kept.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string, role Role, ttl time.Duration) (string, APIToken, error) {
	secret, hash, err := newSecret(apiTokenPrefix)
	if err != nil {
		return "", APIToken{}, err
	}
	now := s.clock()
	t := APIToken{UserID: userID, Name: name, Role: role, CreatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl).Truncate(time.Microsecond)
	}
	err = s.tx(ctx, func(tx db) error {
		var userRole Role
		var disabled time.Time
		err := tx.queryRow(ctx, `SELECT role, disabled_at FROM users WHERE id = ?`, userID).Scan(&userRole, ts(&disabled))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("user %d: %w", userID, ErrNotFound)
		case err != nil:
			return err
		case !disabled.IsZero():
			return fmt.Errorf("user %d is disabled", userID)
		case !role.Valid() || !userRole.Allows(role):
			return fmt.Errorf("role %q is not within the user's role %q", role, userRole)
		}
		return tx.queryRow(ctx, `
			INSERT INTO api_tokens (user_id, name, token_hash, role, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			userID, name, hash, string(role), now, t.ExpiresAt).Scan(&t.ID)
	})
	if err != nil {
		return "", APIToken{}, fmt.Errorf("create API token %q: %w", name, err)
	}
	return secret, t, nil
}

// Principal is who a verified API token acts for.
type Principal struct {
	UserID   int64
	UserName string
	TokenID  int64
	// Role is the token's role (never more than the user's).
	Role Role
}

// lastUsedResolution: last_used_at is written at most this often per token.
const lastUsedResolution = time.Minute

// VerifyAPIToken checks a bearer token: known by hash (compared in constant
// time), not revoked or expired, its user not disabled.
func (s *Store) VerifyAPIToken(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, apiTokenPrefix) {
		return Principal{}, fmt.Errorf("%w: not an API token", ErrTokenInvalid)
	}
	hash := hashSecret(secret)
	var p Principal
	var stored string
	var userRole Role
	var expires, lastUsed, revoked, disabled time.Time
	err := s.reader().queryRow(ctx, `
		SELECT t.id, t.token_hash, t.role, t.expires_at, t.last_used_at, t.revoked_at, u.id, u.name, u.role, u.disabled_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ?`, hash).
		Scan(&p.TokenID, &stored, &p.Role, ts(&expires), ts(&lastUsed), ts(&revoked), &p.UserID, &p.UserName, &userRole, ts(&disabled))
	now := s.clock()
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Principal{}, fmt.Errorf("%w: unknown API token", ErrTokenInvalid)
	case err != nil:
		return Principal{}, fmt.Errorf("verify API token: %w", err)
	case !hashEqual(stored, hash):
		return Principal{}, fmt.Errorf("%w: unknown API token", ErrTokenInvalid)
	case !revoked.IsZero():
		return Principal{}, fmt.Errorf("%w: API token %d is revoked", ErrTokenInvalid, p.TokenID)
	case !expires.IsZero() && !expires.After(now):
		return Principal{}, fmt.Errorf("%w: API token %d expired", ErrTokenInvalid, p.TokenID)
	case !disabled.IsZero():
		return Principal{}, fmt.Errorf("%w: user %q is disabled", ErrTokenInvalid, p.UserName)
	}
	if !userRole.Allows(p.Role) { // the user was demoted since
		p.Role = userRole
	}
	if now.Sub(lastUsed) >= lastUsedResolution {
		if _, err := s.writer().exec(ctx, `
			UPDATE api_tokens SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			now, p.TokenID, now.Add(-lastUsedResolution)); err != nil {
			s.log.Warn("store: record API token use", "token", p.TokenID, "err", err)
		}
	}
	return p, nil
}

// RevokeAPIToken revokes a token.
func (s *Store) RevokeAPIToken(ctx context.Context, tokenID int64) error {
	res, err := s.writer().exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.clock(), tokenID)
	if err != nil {
		return fmt.Errorf("revoke API token %d: %w", tokenID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if err := mustExist(ctx, s.writer(), "api_tokens", tokenID); err != nil {
			return fmt.Errorf("revoke API token: %w", err)
		}
	}
	return nil
}

// APITokens lists a user's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.reader().query(ctx, `
		SELECT id, user_id, name, role, created_at, expires_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("API tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Role, ts(&t.CreatedAt), ts(&t.ExpiresAt), ts(&t.LastUsedAt), ts(&t.RevokedAt)); err != nil {
			return nil, fmt.Errorf("API tokens of user %d: %w", userID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
