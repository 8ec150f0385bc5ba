// Package all lists every inventory collector Ward ships, in one place, so
// the CLI and the agent run the same set.
package all

import (
	"github.com/ward-sec/ward/internal/inventory"
)

// Collectors returns a fresh set of collectors. Collectors may keep caches
// (e.g. executable hashes), so a long-running agent keeps one set.
func Collectors() []inventory.Collector {
	return []inventory.Collector{}
}
