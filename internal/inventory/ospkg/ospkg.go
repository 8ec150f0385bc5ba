// Package ospkg holds what the OS package collectors (dpkg, rpm, apk) share.
// Each package manager has its own sub-package and collector.
package ospkg

import (
	"sort"

	"github.com/ward-sec/ward/internal/model"
)

// Sort orders packages by name, then arch, version and location, so output
// is deterministic whatever order the database stored them in.
func Sort(pkgs []model.Package) {
	sort.SliceStable(pkgs, func(i, j int) bool {
		a, b := &pkgs[i], &pkgs[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Arch != b.Arch {
			return a.Arch < b.Arch
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		if a.Release != b.Release {
			return a.Release < b.Release
		}
		return a.Location < b.Location
	})
}
