package apps

import (
	"sort"

	"github.com/ward-sec/ward/internal/model"
)

// record is one application install (or instance) being assembled from
// the sightings that belong to it.
type record struct {
	fp        *Fingerprint
	home      string
	instance  string
	binary    string
	container string
	group     *pkgGroup
	procs     []*model.Process
	roles     map[string]bool
	evidence  map[string]bool
}

func newRecord(o *observation) *record {
	r := &record{fp: o.fp, container: o.container, roles: map[string]bool{}, evidence: map[string]bool{}}
	r.add(o)
	return r
}

func (r *record) add(o *observation) {
	r.evidence[o.evidence] = true
	if o.proc != nil {
		r.procs = append(r.procs, o.proc)
	}
	if o.role != "" {
		r.roles[o.role] = true
	}
	if r.home == "" {
		r.home = o.home
	}
	if r.instance == "" {
		r.instance = o.instance
	}
	if r.binary == "" {
		r.binary = o.binary
	}
	if r.group == nil {
		r.group = o.group
	}
}

// accepts reports whether a sighting is of this install.
func (r *record) accepts(o *observation) bool {
	if r.fp != o.fp || r.container != o.container {
		return false
	}
	if o.instance != "" && r.instance != "" {
		// Two instances of one install (catalina.base) are two records.
		return o.instance == r.instance
	}
	if o.home != "" && r.home != "" {
		return o.home == r.home
	}
	if o.home == "" && r.home == "" && o.binary != "" && o.binary == r.binary {
		return true
	}
	if o.group != nil && r.group != nil {
		return o.group == r.group
	}
	return false
}

// merger assembles records from sightings, in the order they are offered.
type merger struct {
	records []*record
	pidFP   map[int]map[*Fingerprint]*record // which record each process went to
}

func newMerger() *merger {
	return &merger{pidFP: map[int]map[*Fingerprint]*record{}}
}

func (m *merger) offer(o *observation) *record {
	// A sighting of an install (a directory, a package) belongs first to
	// the instance that runs from the install directory itself.
	prefer := func(r *record) bool {
		return o.instance != "" || r.instance == "" || r.instance == o.home
	}
	for _, strict := range []bool{true, false} {
		for _, r := range m.records {
			if r.accepts(o) && (!strict || prefer(r)) {
				r.add(o)
				m.notePID(o, r)
				return r
			}
		}
	}
	r := newRecord(o)
	m.records = append(m.records, r)
	m.notePID(o, r)
	return r
}

// join adds a sighting to a known record (a worker joins its master's).
func (m *merger) join(o *observation, r *record) {
	r.add(o)
	m.notePID(o, r)
}

func (m *merger) notePID(o *observation, r *record) {
	if o.proc == nil {
		return
	}
	if m.pidFP[o.proc.PID] == nil {
		m.pidFP[o.proc.PID] = map[*Fingerprint]*record{}
	}
	m.pidFP[o.proc.PID][o.fp] = r
}

// recordOf returns the record a process was put in for a fingerprint.
func (m *merger) recordOf(pid int, fp *Fingerprint) *record {
	return m.pidFP[pid][fp]
}

// processOrder sorts process sightings so that a process comes after the
// sighting of its parent of the same application (when there is one), and
// returns for each sighting the ancestor sighting it should join, if any.
// Workers (nginx, postgres children) join their master's record even when
// their own command line says less.
func processOrder(obs []*observation) (roots []*observation, children []*observation, parentOf map[*observation]*observation) {
	type k struct {
		pid int
		fp  *Fingerprint
	}
	byKey := map[k]*observation{}
	for _, o := range obs {
		byKey[k{o.proc.PID, o.fp}] = o
	}
	parentOf = map[*observation]*observation{}
	for _, o := range obs {
		// Walk up to the topmost ancestor of the same fingerprint; the
		// bound and the visited set guard against PID cycles in bad data.
		cur := o
		seen := map[int]bool{o.proc.PID: true}
		for i := 0; i < 64; i++ {
			p, ok := byKey[k{cur.proc.PPID, o.fp}]
			if !ok || seen[p.proc.PID] {
				break
			}
			seen[p.proc.PID] = true
			cur = p
		}
		if cur != o {
			parentOf[o] = cur
			children = append(children, o)
		} else {
			roots = append(roots, o)
		}
	}
	byPID := func(s []*observation) {
		sort.SliceStable(s, func(i, j int) bool { return s[i].proc.PID < s[j].proc.PID })
	}
	byPID(roots)
	byPID(children)
	return roots, children, parentOf
}
