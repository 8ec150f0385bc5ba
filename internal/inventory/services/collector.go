// Package services inventories system services: systemd units (with their
// enablement worked out from the unit files and links, as `systemctl
// is-enabled` would), SysV init scripts and OpenRC services. Nothing is
// executed; on the live host the cgroup tree tells which units are running.
package services

import (
	"context"
	"sort"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// Collector is the "system/services" collector.
type Collector struct {
	// CgroupRoot is the host path of the cgroup filesystem, read for active
	// state on the live host only (tests point it at a fixture tree).
	CgroupRoot string
}

// New returns the services collector.
func New() *Collector { return &Collector{CgroupRoot: "/sys/fs/cgroup"} }

var _ inventory.Collector = (*Collector)(nil)

func (*Collector) Name() string    { return "system/services" }
func (*Collector) Phase() int      { return 0 }
func (*Collector) NeedsLive() bool { return false }

// Collect lists systemd, SysV and OpenRC services.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	units := LoadUnits(env.FS, env.Warn)
	svcs, err := systemdServices(ctx, env, units)
	if err != nil {
		return nil, err
	}
	if env.Live {
		if tree, ok := findCgroupTree(c.CgroupRoot); ok {
			setActive(svcs, tree)
		}
	}
	out := make([]model.Service, 0, len(svcs))
	for _, s := range svcs {
		out = append(out, s.Service)
	}
	initd, err := initScripts(ctx, env, units)
	if err != nil {
		return nil, err
	}
	out = append(out, initd...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Manager < out[j].Manager
	})
	return &model.Inventory{Services: out}, nil
}
