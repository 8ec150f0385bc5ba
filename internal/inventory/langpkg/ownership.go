package langpkg

import (
	"strings"

	"github.com/ward-sec/ward/internal/inventory/langpkg/python"
	"github.com/ward-sec/ward/internal/model"
)

// dropOSOwned removes language packages whose files an OS package
// installed (Debian's python3-yaml dist-info, liblog4j2-java's jars): the
// OS collectors report those, with the distribution's version and fixes.
// Go executables are kept even when an OS package owns them: OS scanners
// do not see the modules compiled into them.
//
// Only the few candidate paths found here go into a map; the (much
// longer) OS file lists are streamed past it once.
func dropOSOwned(pkgs []model.Package, prior *model.Inventory) ([]model.Package, int) {
	if prior == nil || len(pkgs) == 0 {
		return pkgs, 0
	}
	owned := map[string]bool{}
	for i := range pkgs {
		for _, p := range ownerPaths(pkgs[i]) {
			owned[p] = false
		}
	}
	if len(owned) == 0 {
		return pkgs, 0
	}
	for i := range prior.Packages {
		op := &prior.Packages[i]
		if !op.Type.IsOS() {
			continue
		}
		for _, f := range op.Files {
			if _, ok := owned[f]; ok {
				owned[f] = true
			}
		}
	}
	kept := pkgs[:0]
	dropped := 0
	for _, p := range pkgs {
		if isOwned(p, owned) {
			dropped++
			continue
		}
		kept = append(kept, p)
	}
	return kept, dropped
}

func isOwned(p model.Package, owned map[string]bool) bool {
	for _, path := range ownerPaths(p) {
		if owned[path] {
			return true
		}
	}
	return false
}

// ownerPaths are the paths an OS file list would name for p: the outer
// file of a nested archive, the metadata file or its dist-info/egg-info
// directory (dpkg lists directories too), the package.json. Each comes
// with its /usr-merge twin (/lib/x for /usr/lib/x), since file lists keep
// the path the package was built with.
func ownerPaths(p model.Package) []string {
	if p.Type == model.PkgGo {
		return nil
	}
	var paths []string
	switch p.Type {
	case model.PkgPyPI:
		paths = python.OwnerPaths(p.Location)
	default:
		outer, _, _ := strings.Cut(p.Location, "!/")
		paths = []string{outer}
	}
	for _, q := range paths {
		if twin := usrMergeTwin(q); twin != "" {
			paths = append(paths, twin)
		}
	}
	return paths
}

var mergedDirs = []string{"/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/"}

func usrMergeTwin(p string) string {
	for _, d := range mergedDirs {
		if strings.HasPrefix(p, "/usr"+d) {
			return p[len("/usr"):]
		}
		if strings.HasPrefix(p, d) {
			return "/usr" + p
		}
	}
	return ""
}
