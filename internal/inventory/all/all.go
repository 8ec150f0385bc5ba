// Package all lists every inventory collector Ward ships, in one place, so
// the CLI and the agent run the same set.
package all

import (
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/accounts"
	"github.com/ward-sec/ward/internal/inventory/apps"
	"github.com/ward-sec/ward/internal/inventory/container"
	"github.com/ward-sec/ward/internal/inventory/host"
	"github.com/ward-sec/ward/internal/inventory/kmod"
	"github.com/ward-sec/ward/internal/inventory/langpkg"
	"github.com/ward-sec/ward/internal/inventory/netconn"
	"github.com/ward-sec/ward/internal/inventory/ospkg/apk"
	"github.com/ward-sec/ward/internal/inventory/ospkg/dpkg"
	"github.com/ward-sec/ward/internal/inventory/ospkg/rpm"
	"github.com/ward-sec/ward/internal/inventory/process"
	"github.com/ward-sec/ward/internal/inventory/services"
	"github.com/ward-sec/ward/internal/inventory/startup"
	"github.com/ward-sec/ward/internal/inventory/websites"
)

// Collectors returns a fresh set of collectors. Collectors may keep caches
// (the process collector's executable hashes), so a long-running agent
// keeps one set and reuses it across scans.
func Collectors() []inventory.Collector {
	return []inventory.Collector{
		// Phase 0: the root's files and the live system.
		host.New(),
		accounts.New(),
		dpkg.New(),
		rpm.New(),
		apk.New(),
		services.New(),
		startup.New(),
		kmod.New(),
		process.New(),
		netconn.New(),
		// Phase 1: uses packages, processes and sockets.
		langpkg.New(),
		apps.New(),
		container.New(),
		// Phase 2: uses applications and language packages.
		websites.New(),
	}
}
