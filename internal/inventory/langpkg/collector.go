// Package langpkg is the inventory's whole-filesystem walk: it visits the
// root once and identifies language packages on the way — Java archives
// (nested too), Python distributions, npm packages and Go executables —
// leaving out those an OS package installed (the OS collectors report them).
package langpkg

import (
	"context"
	"sync"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// Collector implements inventory.Collector. It keeps the statistics of its
// last run for benchmarks and progress reports.
type Collector struct {
	mu   sync.Mutex
	last WalkStats
}

// New returns the language package collector.
func New() inventory.Collector { return &Collector{} }

// Name implements inventory.Collector.
func (*Collector) Name() string { return "lang/packages" }

// Phase is 1: the OS package file lists (phase 0) tell which language
// packages an OS package owns.
func (*Collector) Phase() int { return 1 }

// NeedsLive implements inventory.Collector: the walk works on any root.
func (*Collector) NeedsLive() bool { return false }

// Stats returns the statistics of the last Collect.
func (c *Collector) Stats() WalkStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Collect walks env.FS once and returns the language packages found.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	s := newScan(env)
	pkgs, err := s.run(ctx)
	if err != nil {
		return nil, err
	}
	pkgs, dropped := dropOSOwned(pkgs, env.Prior)
	finish(pkgs)
	s.stats.Packages = int64(len(pkgs))
	s.stats.DroppedOSOwned = int64(dropped)
	c.mu.Lock()
	c.last = s.stats.snapshot()
	c.mu.Unlock()
	return &model.Inventory{Packages: pkgs}, nil
}
