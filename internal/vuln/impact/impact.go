// Package impact answers "will patching this package affect running
// business?": the running processes that have a package's files mapped or
// open (shared libraries, executables, Java archives), grouped by the
// systemd service they belong to — the ones to restart after the update.
//
// It works from the inventory alone, so the server computes the same
// answer from a stored inventory as `ward scan` does on the host:
//
//   - OS packages: each model.ProcessFile carries the binary package that
//     owns it, resolved on the host from the package manager's file lists
//     (inventory.AttributeFiles) — the lists themselves are never stored.
//     During a local scan a package's in-memory Files are used as well.
//   - Language packages and binaries: the package's Location (the outer
//     archive of a nested jar, "app.jar!/BOOT-INF/lib/x.jar" → app.jar; a
//     Go binary's path) is compared with the files processes hold.
//
// Processes inside containers carry no files (their paths are the
// container's), so they never show here; Python and other interpreted
// packages are not mapped files and are not attributed either.
package impact

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// Process is one running process that holds files of a package.
type Process struct {
	PID     int    `json:"pid"`
	Name    string `json:"name"`
	User    string `json:"user,omitempty"`
	Service string `json:"service,omitempty"` // systemd unit, from the cgroup
	// Files are the package's files the process holds; Deleted ones were
	// already replaced on disk (patched, not yet restarted).
	Files []model.ProcessFile `json:"files"`
}

// Impact is what restarting takes after patching one package.
type Impact struct {
	Processes []Process `json:"processes,omitempty"`
}

// Empty reports whether no running process holds the package's files.
func (im Impact) Empty() bool { return len(im.Processes) == 0 }

// Index finds the processes of an inventory holding given files. Build it
// once per inventory and ask it about each vulnerable package.
type Index struct {
	procs    []model.Process
	services map[int]string
	byOwner  map[string][]ref // OS package name -> process files
	byPath   map[string][]ref // file path -> process files
}

type ref struct{ proc, file int }

// NewIndex indexes the processes of inv.
func NewIndex(inv *model.Inventory) *Index {
	x := &Index{procs: inv.Processes, services: map[int]string{}, byOwner: map[string][]ref{}, byPath: map[string][]ref{}}
	for _, s := range inv.Services {
		if s.MainPID > 0 {
			x.services[s.MainPID] = s.Name
		}
	}
	for i := range inv.Processes {
		for j, f := range inv.Processes[i].Files {
			r := ref{i, j}
			if f.Package != "" {
				x.byOwner[f.Package] = append(x.byOwner[f.Package], r)
			}
			x.byPath[f.Path] = append(x.byPath[f.Path], r)
		}
	}
	return x
}

// For returns the impact of patching pkg.
func (x *Index) For(pkg *model.Package) Impact { return x.ForAll([]model.Package{*pkg}) }

func (x *Index) collect(refs []ref) Impact {
	if len(refs) == 0 {
		return Impact{}
	}
	byProc := map[int]*Process{}
	var order []int
	for _, r := range refs {
		p := byProc[r.proc]
		if p == nil {
			mp := &x.procs[r.proc]
			p = &Process{PID: mp.PID, Name: mp.Name, User: mp.User, Service: ServiceOf(mp.Cgroup)}
			if p.Service == "" {
				p.Service = x.services[mp.PID]
			}
			byProc[r.proc] = p
			order = append(order, r.proc)
		}
		f := x.procs[r.proc].Files[r.file]
		if !slices.ContainsFunc(p.Files, func(g model.ProcessFile) bool { return g.Path == f.Path }) {
			p.Files = append(p.Files, f)
		}
	}
	slices.Sort(order)
	im := Impact{Processes: make([]Process, 0, len(order))}
	for _, i := range order {
		im.Processes = append(im.Processes, *byProc[i])
	}
	return im
}

// ForAll is the impact of patching all of pkgs together (the binary
// packages of one source package): each process once.
func (x *Index) ForAll(pkgs []model.Package) Impact {
	var refs []ref
	for i := range pkgs {
		p := &pkgs[i]
		if p.Type.IsOS() {
			refs = append(refs, x.byOwner[p.Name]...)
			for _, f := range p.Files {
				for _, r := range x.byPath[f] {
					if x.procs[r.proc].Files[r.file].Package == "" {
						refs = append(refs, r)
					}
				}
			}
		} else if outer, _, _ := strings.Cut(p.Location, "!"); strings.HasPrefix(outer, "/") {
			refs = append(refs, x.byPath[outer]...)
		}
	}
	return x.collect(refs)
}

// For returns the impact of each package of pkgs (same order) on inv.
func For(inv *model.Inventory, pkgs []model.Package) []Impact {
	x := NewIndex(inv)
	out := make([]Impact, len(pkgs))
	for i := range pkgs {
		out[i] = x.For(&pkgs[i])
	}
	return out
}

// ServiceOf is the systemd unit a cgroup path places a process in
// ("/system.slice/nginx.service" → "nginx.service"), or "" (a login
// session, a container, no systemd).
func ServiceOf(cgroup string) string {
	parts := strings.Split(cgroup, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if strings.HasSuffix(parts[i], ".service") && len(parts[i]) > len(".service") {
			return parts[i]
		}
	}
	return ""
}

// maxGroups bounds the restart line: a package every process maps (the C
// library) is a reboot, not a list.
const maxGroups = 12

// Restart says what to restart after patching, one entry per service (or
// process name outside services), e.g. "nginx.service (pid 812, 813)",
// "java (pid 2201, /opt/app/app.jar)". Archives and binaries that are not
// the process's own executable are named, and "(deleted)" marks processes
// already running a replaced file.
func (im Impact) Restart() []string {
	type group struct {
		label   string
		pids    []string
		files   []string
		deleted bool
	}
	var groups []*group
	byLabel := map[string]*group{}
	for _, p := range im.Processes {
		label := p.Service
		if label == "" {
			label = p.Name
		}
		g := byLabel[label]
		if g == nil {
			g = &group{label: label}
			byLabel[label] = g
			groups = append(groups, g)
		}
		g.pids = append(g.pids, strconv.Itoa(p.PID))
		for _, f := range p.Files {
			if f.Deleted {
				g.deleted = true
			}
			if f.Package == "" && !slices.Contains(g.files, f.Path) {
				g.files = append(g.files, f.Path)
			}
		}
	}
	var out []string
	for i, g := range groups {
		if i == maxGroups {
			rest := 0
			for _, h := range groups[i:] {
				rest += len(h.pids)
			}
			out = append(out, fmt.Sprintf("and %d more services or programs (%d processes): consider a reboot", len(groups)-i, rest))
			break
		}
		s := g.label + " (pid " + strings.Join(g.pids, ", ")
		if len(g.files) > 0 {
			s += ", " + strings.Join(g.files, ", ")
		}
		s += ")"
		if g.deleted {
			s += " (running a replaced file)"
		}
		out = append(out, s)
	}
	return out
}

// Evidence is the finding evidence line, "" when nothing runs the package:
// "restart after patching: nginx.service (pid 812, 813), java (pid 2201, /opt/app/app.jar)".
func (im Impact) Evidence() string {
	r := im.Restart()
	if len(r) == 0 {
		return ""
	}
	return "restart after patching: " + strings.Join(r, ", ")
}
