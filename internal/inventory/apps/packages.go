package apps

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// pkgGroup is one install as the package manager sees it: the packages of
// one fingerprint built from the same source at the same version (nginx and
// nginx-core; mariadb-server and mariadb-server-core) are one install,
// while postgresql-13 and postgresql-15 are two.
type pkgGroup struct {
	fp   *Fingerprint
	key  string
	pkg  *model.Package // the package that names the install
	rank int            // index of the expression pkg matched; lower wins
	// members are all packages of the group that the fingerprint names.
	members []*model.Package
}

// groupKey identifies the source build a package comes from.
func groupKey(p *model.Package) string {
	src := p.SourceName
	if src == "" {
		src = p.Name
	}
	return string(p.Type) + "|" + src + "|" + fullVersion(p)
}

// fullVersion is the package manager's complete version string.
func fullVersion(p *model.Package) string {
	v := p.Version
	if p.Type == model.PkgRPM {
		if p.Release != "" {
			v += "-" + p.Release
		}
		if p.Epoch > 0 {
			v = strconv.Itoa(p.Epoch) + ":" + v
		}
	}
	return v
}

var (
	debEpoch  = regexp.MustCompile(`^\d+:`)
	repackTag = regexp.MustCompile(`[+~.](?:dfsg|ds|repack)\d*$`)
	apkRel    = regexp.MustCompile(`-r\d+$`)
)

// upstreamVersion strips what the distribution added: the epoch, the
// Debian revision or Alpine -rN, and repack tags ("+dfsg").
func upstreamVersion(p *model.Package) string {
	v := p.Version
	switch p.Type {
	case model.PkgDeb:
		v = debEpoch.ReplaceAllString(v, "")
		if i := strings.LastIndexByte(v, '-'); i > 0 {
			v = v[:i]
		}
		v = repackTag.ReplaceAllString(v, "")
	case model.PkgAPK:
		v = apkRel.ReplaceAllString(v, "")
	case model.PkgRPM:
		// Version and Release are separate fields already.
	}
	return v
}

// packageGroups finds the OS packages of every fingerprint and groups them.
func packageGroups(set *Set, pkgs []model.Package) map[*Fingerprint][]*pkgGroup {
	out := map[*Fingerprint][]*pkgGroup{}
	byKey := map[*Fingerprint]map[string]*pkgGroup{}
	for i := range pkgs {
		p := &pkgs[i]
		if !p.Type.IsOS() {
			continue
		}
		for _, fp := range set.fps {
			rank := fp.matchesPackage(string(p.Type), p.Name)
			if rank < 0 {
				continue
			}
			if byKey[fp] == nil {
				byKey[fp] = map[string]*pkgGroup{}
			}
			k := groupKey(p)
			g := byKey[fp][k]
			if g == nil {
				g = &pkgGroup{fp: fp, key: k, pkg: p, rank: rank}
				byKey[fp][k] = g
				out[fp] = append(out[fp], g)
			} else if rank < g.rank || (rank == g.rank && p.Name < g.pkg.Name) {
				g.pkg, g.rank = p, rank
			}
			g.members = append(g.members, p)
		}
	}
	for _, gs := range out {
		sort.Slice(gs, func(i, j int) bool { return gs[i].key < gs[j].key })
	}
	return out
}

// ownerIndex maps file paths to the OS package that installed them, for
// just the paths asked about: scanning every package's file list once is
// cheap, holding an index of all of them is not.
type ownerIndex struct {
	owners   map[string]*model.Package
	hasFiles bool // the package collector recorded file lists at all
}

func newOwnerIndex(pkgs []model.Package, paths map[string]bool) *ownerIndex {
	idx := &ownerIndex{owners: map[string]*model.Package{}}
	want := map[string]string{} // lookup form -> path asked about
	for p := range paths {
		for _, alt := range usrMergeForms(p) {
			want[alt] = p
		}
	}
	for i := range pkgs {
		p := &pkgs[i]
		if !p.Type.IsOS() {
			continue
		}
		if len(p.Files) > 0 {
			idx.hasFiles = true
		}
		for _, f := range p.Files {
			if orig, ok := want[f]; ok {
				if _, seen := idx.owners[orig]; !seen {
					idx.owners[orig] = p
				}
			}
		}
	}
	return idx
}

// owner returns the package that installed path, or nil.
func (o *ownerIndex) owner(path string) *model.Package {
	if o == nil || path == "" {
		return nil
	}
	return o.owners[path]
}

// usrMergeForms: on merged-/usr systems a file listed as /bin/x by its
// package is reached as /usr/bin/x (and the other way round).
func usrMergeForms(p string) []string {
	out := []string{p}
	for _, d := range []string{"/bin/", "/sbin/", "/lib/", "/lib64/"} {
		if strings.HasPrefix(p, "/usr"+d) {
			out = append(out, strings.TrimPrefix(p, "/usr"))
		} else if strings.HasPrefix(p, d) {
			out = append(out, "/usr"+p)
		}
	}
	return out
}
