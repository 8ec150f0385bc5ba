package langpkg

import (
	"cmp"
	"slices"

	"github.com/ward-sec/ward/internal/inventory/langpkg/python"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/purl"
)

// finish fills purls and sorts, so output does not depend on which worker
// finished first.
func finish(pkgs []model.Package) {
	for i := range pkgs {
		p := pkgs[i]
		if p.Type == model.PkgPyPI {
			p.Name = python.Normalize(p.Name) // PEP 503 form in the purl; Name keeps the original
		}
		pkgs[i].PURL = purl.For(p, nil)
	}
	slices.SortStableFunc(pkgs, comparePackages)
}

func comparePackages(a, b model.Package) int {
	return cmp.Or(
		cmp.Compare(a.Location, b.Location),
		cmp.Compare(a.Type, b.Type),
		cmp.Compare(a.Group, b.Group),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Version, b.Version),
		cmp.Compare(a.FoundBy, b.FoundBy),
	)
}
