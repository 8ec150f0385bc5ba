// Package accounts collects local accounts from a root filesystem: users
// and groups (passwd, shadow, group), sudo rules, SSH authorized keys and
// recent logins (wtmp, lastlog). Password hashes are reduced to a state
// and a scheme inside the shadow parser and never leave it.
package accounts

import (
	"context"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// Collector is the "accounts/local" collector.
type Collector struct {
	// Now is the clock password and account expiry are judged against;
	// tests set a fixed time. nil means time.Now.
	Now func() time.Time
}

// New returns the local accounts collector.
func New() inventory.Collector { return &Collector{Now: time.Now} }

func (c *Collector) Name() string    { return "accounts/local" }
func (c *Collector) Phase() int      { return 0 }
func (c *Collector) NeedsLive() bool { return false }

func (c *Collector) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Collect reads every source; a missing or broken file is a warning and
// the other sources are still collected.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	inv := &model.Inventory{}
	db := readAccounts(env, c.now())
	inv.Users, inv.Groups = db.users, db.groups
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	inv.Sudoers = collectSudoers(env)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	inv.AuthorizedKeys = collectAuthorizedKeys(ctx, env, db)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	inv.Logins = collectLogins(env, db)
	return inv, nil
}
