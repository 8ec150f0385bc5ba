// Package apps recognises middleware, databases, web servers, big-data
// components, container engines and language runtimes on a host, from its
// running processes, OS packages and well-known install locations, using
// fingerprints kept as data (fingerprints/*.yaml).
package apps

import (
	"context"
	"fmt"
	"path"
	"sort"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

type collector struct {
	set *Set
	err error
}

// New returns the application collector with the built-in fingerprints.
func New() inventory.Collector {
	set, err := Default()
	return &collector{set: set, err: err}
}

// NewWithSet returns the collector using the given fingerprints (for
// example Default().With(Load(os.DirFS(userDir)))).
func NewWithSet(set *Set) inventory.Collector {
	if set == nil {
		return &collector{err: fmt.Errorf("no fingerprints")}
	}
	return &collector{set: set}
}

func (c *collector) Name() string { return "apps/fingerprint" }

// Phase 1: it reads the processes, sockets and packages phase 0 found.
func (c *collector) Phase() int { return 1 }

// NeedsLive is false: on an image there are no processes, but packages
// and install directories still identify applications.
func (c *collector) NeedsLive() bool { return false }

func (c *collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	if c.err != nil {
		return nil, fmt.Errorf("fingerprints: %w", c.err)
	}
	prior := env.Prior
	if prior == nil {
		prior = &model.Inventory{}
	}
	groups := packageGroups(c.set, prior.Packages)

	// Sightings from processes, then from files at well-known places.
	var procObs []*observation
	order := c.set.matchOrder()
	for i := range prior.Processes {
		procObs = append(procObs, matchProcess(order, &prior.Processes[i])...)
	}
	for _, o := range procObs {
		c.locateProcess(env, o)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fileObs := c.observeFiles(ctx, env)

	// Who installed the files the sightings rest on.
	want := map[string]bool{}
	for _, o := range append(append([]*observation{}, procObs...), fileObs...) {
		want[o.idPath] = true
		want[o.binary] = true
	}
	owners := newOwnerIndex(prior.Packages, want)
	byPkg := c.fingerprintOfPackages(prior.Packages)
	for _, o := range append(append([]*observation{}, procObs...), fileObs...) {
		c.reassign(o, owners, byPkg)
		o.group = link(o, groups[o.fp], owners)
	}

	m := newMerger()
	roots, children, parentOf := processOrder(procObs)
	for _, o := range roots {
		m.offer(o)
	}
	for _, o := range children {
		if r := m.recordOf(parentOf[o].proc.PID, o.fp); r != nil {
			m.join(o, r)
		} else {
			m.offer(o)
		}
	}
	for _, o := range fileObs {
		m.offer(o)
	}
	for _, fp := range c.set.fps {
		for _, g := range groups[fp] {
			m.offer(&observation{fp: fp, evidence: evPackage, group: g})
		}
	}

	frag := &model.Inventory{}
	for _, r := range m.records {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		frag.Applications = append(frag.Applications, c.build(env, r, prior.Sockets))
	}
	sortApplications(frag.Applications)
	return frag, nil
}

// fingerprintOfPackages maps OS package names to the (non-runtime)
// fingerprint whose package list names them.
func (c *collector) fingerprintOfPackages(pkgs []model.Package) map[string]*Fingerprint {
	out := map[string]*Fingerprint{}
	for i := range pkgs {
		p := &pkgs[i]
		if !p.Type.IsOS() {
			continue
		}
		for _, fp := range c.set.fps {
			if !fp.isRuntime() && fp.matchesPackage(string(p.Type), p.Name) >= 0 {
				out[string(p.Type)+"|"+p.Name] = fp
				break
			}
		}
	}
	return out
}

// reassign trusts the package manager over the executable's name: an old
// MariaDB ships its server as "mysqld", and the package says which it is.
func (c *collector) reassign(o *observation, owners *ownerIndex, byPkg map[string]*Fingerprint) {
	if o.fp.isRuntime() || o.hosted {
		return
	}
	owner := owners.owner(o.idPath)
	if owner == nil {
		return
	}
	if fp := byPkg[string(owner.Type)+"|"+owner.Name]; fp != nil && fp != o.fp && !fp.isRuntime() {
		o.fp = fp
	}
}

// build turns a record into the Application it reports.
func (c *collector) build(env *inventory.Env, r *record, sockets []model.Socket) model.Application {
	a := model.Application{
		Name:        r.fp.Name,
		Category:    r.fp.Category,
		Running:     len(r.procs) > 0,
		Binary:      r.binary,
		Home:        r.home,
		Instance:    r.instance,
		ContainerID: r.container,
	}
	pids := map[int]bool{}
	for _, p := range r.procs {
		if !pids[p.PID] {
			pids[p.PID] = true
			a.PIDs = append(a.PIDs, p.PID)
		}
	}
	sort.Ints(a.PIDs)
	if main := mainProcess(r.procs); main != nil {
		a.User = main.User
	}
	if r.group != nil {
		p := r.group.pkg
		a.Package = p.Name
		a.PackageVersion = fullVersion(p)
		a.Version = upstreamVersion(p)
		a.VersionSource = "package"
		if a.Binary == "" {
			a.Binary = packagedBinary(r.fp, r.group.members)
		}
	}
	if a.Version == "" {
		a.Version, a.VersionSource = c.versionFromSources(env, r)
	}
	a.ConfigPaths = c.configPaths(env, r)
	a.Ports = listeningPorts(pids, sockets)
	for _, ev := range []string{evProcess, evPackage, evBinary} {
		if r.evidence[ev] {
			a.Evidence = append(a.Evidence, ev)
		}
	}
	for role := range r.roles {
		a.Roles = append(a.Roles, role)
	}
	sort.Strings(a.Roles)
	return a
}

// mainProcess is the record's topmost process: the master, whose user is
// the one that matters (nginx workers drop to www-data, the master is root).
func mainProcess(procs []*model.Process) *model.Process {
	in := map[int]bool{}
	for _, p := range procs {
		in[p.PID] = true
	}
	var best *model.Process
	for _, p := range procs {
		if in[p.PPID] && p.PPID != p.PID {
			continue
		}
		if best == nil || p.PID < best.PID {
			best = p
		}
	}
	if best == nil && len(procs) > 0 {
		best = procs[0]
	}
	return best
}

// packagedBinary is the first file of the group's packages that the
// fingerprint lists as an executable.
func packagedBinary(fp *Fingerprint, pkgs []*model.Package) string {
	for _, g := range fp.Binaries {
		for _, p := range pkgs {
			for _, f := range p.Files {
				if ok, _ := path.Match(g, f); ok {
					return f
				}
			}
		}
	}
	return ""
}

// listeningPorts are the ports the application's processes listen on.
func listeningPorts(pids map[int]bool, sockets []model.Socket) []int {
	seen := map[int]bool{}
	var out []int
	for _, s := range sockets {
		if s.PID == 0 || !pids[s.PID] || !s.Listening() || seen[s.LocalPort] {
			continue
		}
		seen[s.LocalPort] = true
		out = append(out, s.LocalPort)
	}
	sort.Ints(out)
	return out
}

func sortApplications(apps []model.Application) {
	sort.SliceStable(apps, func(i, j int) bool {
		a, b := apps[i], apps[j]
		for _, p := range [][2]string{{a.Name, b.Name}, {a.ContainerID, b.ContainerID}, {a.Home, b.Home}, {a.Instance, b.Instance}, {a.Binary, b.Binary}, {a.Package, b.Package}, {a.PackageVersion, b.PackageVersion}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return false
	})
}
