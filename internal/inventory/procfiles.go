package inventory

import (
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// AttributeFiles fills in the owning OS package of each process's code
// files (model.ProcessFile.Package) from the packages' file lists, which
// only exist in memory during a scan. With the owner recorded on the host,
// the server can tell which running processes a vulnerable package touches
// from the stored inventory alone.
//
// It costs one pass over the packages' files against the (small) set of
// paths processes run from, so memory stays bounded by the latter.
func AttributeFiles(inv *model.Inventory) {
	want := map[string]string{} // alias key -> owner ("" while unknown)
	exact := map[string]string{}
	for i := range inv.Processes {
		for _, f := range inv.Processes[i].Files {
			exact[f.Path] = ""
			want[usrAlias(f.Path)] = ""
		}
	}
	if len(want) == 0 {
		return
	}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		if !p.Type.IsOS() {
			continue
		}
		for _, f := range p.Files {
			if owner, ok := exact[f]; ok && owner == "" {
				exact[f] = p.Name
			}
			if owner, ok := want[usrAlias(f)]; ok && owner == "" {
				want[usrAlias(f)] = p.Name
			}
		}
	}
	for i := range inv.Processes {
		files := inv.Processes[i].Files
		for j := range files {
			if o := exact[files[j].Path]; o != "" {
				files[j].Package = o
			} else if o := want[usrAlias(files[j].Path)]; o != "" {
				files[j].Package = o
			}
		}
	}
}

// usrAlias folds merged-/usr paths: /proc shows /usr/lib/x/libc.so.6
// where dpkg lists /lib/x/libc.so.6 (Debian 12, Ubuntu, Fedora link /lib,
// /bin, /sbin to their /usr twins). An exact match is preferred.
func usrAlias(p string) string {
	rest, ok := strings.CutPrefix(p, "/usr/")
	if !ok {
		return p
	}
	for _, d := range []string{"lib/", "lib64/", "lib32/", "libx32/", "bin/", "sbin/"} {
		if strings.HasPrefix(rest, d) {
			return "/" + rest
		}
	}
	return p
}
