package policy

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Library holds policies by id. A policy that fails to load is kept out
// and its error recorded; the others still load. Policies added with
// AddFS are parsed when first used (their ids and selection headers are
// read up front), so a run pays only for the policies it evaluates. A
// library is safe for concurrent readers once built.
type Library struct {
	byID   map[string]*Policy
	lazy   map[string]*lazyPolicy
	Errors []error
}

// lazyPolicy is an embedded policy not parsed yet.
type lazyPolicy struct {
	file string
	data []byte

	once sync.Once
	p    *Policy
	err  error

	headOnce sync.Once
	head     *Policy
}

func (z *lazyPolicy) get() (*Policy, error) {
	z.once.Do(func() { z.p, z.err = Parse(z.file, z.data) })
	return z.p, z.err
}

// header parses only the top-level fields before "checks:" (id, select,
// level, framework...), for auto-selection.
func (z *lazyPolicy) header() *Policy {
	z.headOnce.Do(func() {
		data := z.data
		if i := checksStart.FindIndex(data); i != nil {
			data = data[:i[0]]
		}
		var h Policy
		if yaml.Unmarshal(data, &h) == nil {
			z.head = &h
		}
	})
	return z.head
}

var (
	idLine      = regexp.MustCompile(`(?m)^id:\s*["']?([a-z0-9][a-z0-9._-]*)["']?\s*$`)
	checksStart = regexp.MustCompile(`(?m)^checks:`)
)

// NewLibrary returns an empty library.
func NewLibrary() *Library {
	return &Library{byID: map[string]*Policy{}, lazy: map[string]*lazyPolicy{}}
}

// Add parses data as a policy from file and adds it; the error is also
// recorded in Errors.
func (l *Library) Add(file string, data []byte) (*Policy, error) {
	p, err := Parse(file, data)
	if err != nil {
		l.Errors = append(l.Errors, err)
		return nil, err
	}
	return p, l.Put(p)
}

// Put adds a parsed policy; ids must be unique across the library.
func (l *Library) Put(p *Policy) error {
	if old := l.fileOf(p.ID); old != "" {
		err := &Error{File: p.File, Line: 1, Reason: fmt.Sprintf("policy id %q is already defined by %s", p.ID, old)}
		l.Errors = append(l.Errors, err)
		return err
	}
	l.byID[p.ID] = p
	return nil
}

func (l *Library) fileOf(id string) string {
	if p, ok := l.byID[id]; ok {
		return p.File
	}
	if z, ok := l.lazy[id]; ok {
		return z.file
	}
	return ""
}

// AddFS adds every *.yaml / *.yml file of dir in fsys (the embedded
// content) to be parsed on first use; a file whose id cannot be read is
// parsed now, so its error is recorded.
func (l *Library) AddFS(fsys fs.FS, dir, prefix string) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		l.Errors = append(l.Errors, &Error{File: prefix + dir, Reason: err.Error()})
		return
	}
	for _, e := range ents {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			l.Errors = append(l.Errors, &Error{File: prefix + name, Reason: err.Error()})
			continue
		}
		m := idLine.FindSubmatch(data)
		if m == nil || len(idLine.FindAll(data, 2)) > 1 || l.fileOf(string(m[1])) != "" {
			l.Add(prefix+name, data) // parse now: the error (or the duplicate) names the file
			continue
		}
		l.lazy[string(m[1])] = &lazyPolicy{file: prefix + name, data: data}
	}
}

// Lookup returns a policy (unresolved), parsing it on first use.
func (l *Library) Lookup(id string) (*Policy, error) {
	if p, ok := l.byID[id]; ok {
		return p, nil
	}
	if z, ok := l.lazy[id]; ok {
		return z.get()
	}
	return nil, fmt.Errorf("no policy %q (have %s)", id, strings.Join(l.IDs(), ", "))
}

// Meta returns a policy's top-level fields (select, level, framework)
// without parsing its checks; nil when unreadable.
func (l *Library) Meta(id string) *Policy {
	if p, ok := l.byID[id]; ok {
		return p
	}
	if z, ok := l.lazy[id]; ok {
		return z.header()
	}
	return nil
}

// Clone returns a library with the same policies, to add more to.
func (l *Library) Clone() *Library {
	c := &Library{byID: make(map[string]*Policy, len(l.byID)), lazy: make(map[string]*lazyPolicy, len(l.lazy)), Errors: append([]error(nil), l.Errors...)}
	for k, v := range l.byID {
		c.byID[k] = v
	}
	for k, v := range l.lazy {
		c.lazy[k] = v
	}
	return c
}

// Get returns a loaded policy (unresolved).
func (l *Library) Get(id string) (*Policy, bool) {
	p, err := l.Lookup(id)
	return p, err == nil
}

// IDs lists the policy ids, sorted.
func (l *Library) IDs() []string {
	out := make([]string, 0, len(l.byID)+len(l.lazy))
	for id := range l.byID {
		out = append(out, id)
	}
	for id := range l.lazy {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Resolved is a policy with its includes flattened, checks disabled and
// parameters settled: what the engine runs.
type Resolved struct {
	*Policy
	Checks []Check
	Params map[string]string
}

// Resolve flattens p: included checks first (in include order), then its
// own; a later check with an id already present replaces the earlier one;
// disabled ids are dropped; parameters: included defaults, overridden by
// p's. Every ${name} a check uses must be defined.
func (l *Library) Resolve(p *Policy) (*Resolved, error) {
	return l.resolve(p, nil)
}

func (l *Library) resolve(p *Policy, stack []string) (*Resolved, error) {
	if slices.Contains(stack, p.ID) {
		return nil, &Error{File: p.File, Line: 1, Reason: "include cycle: " + strings.Join(append(stack, p.ID), " -> ")}
	}
	stack = append(stack, p.ID)
	r := &Resolved{Policy: p, Params: map[string]string{}}
	index := map[string]int{}
	add := func(c Check) {
		if i, ok := index[c.ID]; ok {
			r.Checks[i] = c
			return
		}
		index[c.ID] = len(r.Checks)
		r.Checks = append(r.Checks, c)
	}
	for _, inc := range p.Include {
		ip, err := l.Lookup(inc)
		if err != nil {
			return nil, &Error{File: p.File, Line: 1, Reason: fmt.Sprintf("include %q: %v", inc, err)}
		}
		ir, err := l.resolve(ip, stack)
		if err != nil {
			return nil, err
		}
		for k, v := range ir.Params {
			r.Params[k] = v
		}
		for _, c := range ir.Checks {
			// Included checks keep the gates of the policy they came from.
			c.Applies = append(slices.Clone(ip.Applies), c.Applies...)
			add(c)
		}
	}
	for k, v := range p.Parameters {
		r.Params[k] = v.Default
	}
	for _, c := range p.Checks {
		add(c)
	}
	for _, d := range p.Disable {
		i, ok := index[d]
		if !ok {
			return nil, &Error{File: p.File, Line: 1, Reason: fmt.Sprintf("disable %q: no such check", d)}
		}
		r.Checks[i].ID = "" // tombstone, dropped below
	}
	kept := r.Checks[:0]
	for _, c := range r.Checks {
		if c.ID != "" {
			kept = append(kept, c)
		}
	}
	r.Checks = kept
	for _, c := range r.Checks {
		for _, name := range checkParams(c) {
			if _, ok := r.Params[name]; !ok {
				return nil, &Error{File: p.File, Line: p.LineOf(c.ID), Reason: fmt.Sprintf("check %s uses parameter ${%s}, which no policy defines", c.ID, name)}
			}
		}
	}
	if err := r.validateExpanded(); err != nil {
		return nil, err
	}
	return r, nil
}

// checkParams lists every ${name} a check's probes and fixes reference.
func checkParams(c Check) []string {
	var out []string
	add := func(ss ...string) {
		for _, s := range ss {
			out = append(out, Params(s)...)
		}
	}
	for _, p := range c.Probes {
		switch {
		case p.File != nil:
			add(p.File.Path, p.File.Mode)
		case p.Content != nil:
			add(p.Content.Match, p.Content.NoMatch)
		case p.KeyValue != nil:
			add(p.KeyValue.Value)
		case p.SSHD != nil:
			add(p.SSHD.Value)
		case p.PAM != nil:
			add(p.PAM.Value)
		case p.Sysctl != nil:
			add(p.Sysctl.Value)
		case p.Cmdline != nil:
			add(p.Cmdline.Value)
		case p.Account != nil:
			add(p.Account.Value)
		}
	}
	for _, f := range c.Fix {
		if f.SetConfig != nil {
			add(f.SetConfig.Value)
		}
		if f.Sysctl != nil {
			add(f.Sysctl.Value)
		}
		if f.AppendLine != nil {
			add(f.AppendLine.Line)
		}
	}
	add(c.Remediation)
	return out
}

// validateExpanded re-validates the probes with parameters substituted,
// so an override like password_max_days: "soon" is caught at load time.
func (r *Resolved) validateExpanded() error {
	for _, c := range r.Checks {
		for i, p := range c.Probes {
			if err := ExpandProbe(p, r.Params).Validate(); err != nil {
				return &Error{File: r.File, Line: r.LineOf(c.ID), Reason: fmt.Sprintf("check %s probe %d with parameters: %v", c.ID, i+1, err)}
			}
		}
	}
	return nil
}

// ExpandProbe returns p with parameters substituted in its values.
func ExpandProbe(p Probe, params map[string]string) Probe {
	x := func(s string) string { return Expand(s, params) }
	switch {
	case p.File != nil:
		f := *p.File
		f.Path, f.Mode = x(f.Path), x(f.Mode)
		p.File = &f
	case p.Content != nil:
		c := *p.Content
		c.Match, c.NoMatch = x(c.Match), x(c.NoMatch)
		p.Content = &c
	case p.KeyValue != nil:
		k := *p.KeyValue
		k.Value = x(k.Value)
		p.KeyValue = &k
	case p.SSHD != nil:
		s := *p.SSHD
		s.Value = x(s.Value)
		p.SSHD = &s
	case p.PAM != nil:
		s := *p.PAM
		s.Value = x(s.Value)
		p.PAM = &s
	case p.Sysctl != nil:
		s := *p.Sysctl
		s.Value = x(s.Value)
		p.Sysctl = &s
	case p.Cmdline != nil:
		s := *p.Cmdline
		s.Value = x(s.Value)
		p.Cmdline = &s
	case p.Account != nil:
		s := *p.Account
		s.Value = x(s.Value)
		p.Account = &s
	}
	return p
}

// Override sets the parameters in set that r declares (own or included)
// and re-validates the probes with the new values; names r does not
// declare are ignored (the caller checks that each name is declared by
// some policy of the run). It reports whether any name applied.
func (r *Resolved) Override(set map[string]string) (bool, error) {
	applied := false
	for k, v := range set {
		if _, ok := r.Params[k]; ok {
			r.Params[k] = v
			applied = true
		}
	}
	if !applied {
		return false, nil
	}
	if err := r.validateExpanded(); err != nil {
		return true, fmt.Errorf("policy %s: parameter override: %w", r.ID, err)
	}
	return true, nil
}

// CheckOverride reports whether name=value is acceptable as a parameter
// override: a parameter name and a one-line value of at most 256 bytes.
func CheckOverride(name, value string) error {
	if !paramNameRE.MatchString(name) {
		return fmt.Errorf("parameter %q: want a name of letters, digits and '_'", name)
	}
	if len(value) > 256 || strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("parameter %s: value must be one line of at most 256 bytes", name)
	}
	return nil
}

var paramNameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
