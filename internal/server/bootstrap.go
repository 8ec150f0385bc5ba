package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ward-sec/ward/internal/store"
)

// AdminTokenFile holds the bootstrap admin API token (0600 in the data dir)
// so the operator on the server machine can use the CLI straight away.
const AdminTokenFile = "admin.token"

// BootstrapAdmin creates the "admin" user and an API token for it on the
// first start. It returns the token when it created one; later starts
// return "" (the token is not stored, only its hash and the 0600 file).
func (s *Server) BootstrapAdmin(ctx context.Context) (string, error) {
	if _, err := s.Store.UserByName(ctx, "admin"); err == nil {
		return "", nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	u, err := s.Store.CreateUser(ctx, "admin", store.RoleAdmin)
	if err != nil {
		return "", err
	}
	token, _, err := s.Store.CreateAPIToken(ctx, u.ID, "bootstrap", store.RoleAdmin, 0)
	if err != nil {
		return "", err
	}
	p := filepath.Join(s.cfg.DataDir, AdminTokenFile)
	if err := os.WriteFile(p, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	_, _ = s.Store.AppendAudit(ctx, store.AuditEntry{Actor: "system", Action: "user.bootstrap", Target: "admin"})
	return token, nil
}
