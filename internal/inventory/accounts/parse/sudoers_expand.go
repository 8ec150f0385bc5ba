package parse

import "strings"

// maxAliasDepth bounds nested alias expansion (sudo itself rejects cycles).
const maxAliasDepth = 16

// SudoAliases indexes alias definitions: kind → name → members. When a
// name is defined twice, the first definition is kept (sudo warns).
type SudoAliases map[string]map[string][]string

// Add records the aliases of one file; returns the names already defined.
func (a SudoAliases) Add(defs []SudoAlias) (dups []string) {
	for _, d := range defs {
		m := a[d.Kind]
		if m == nil {
			m = map[string][]string{}
			a[d.Kind] = m
		}
		if _, ok := m[d.Name]; ok {
			dups = append(dups, d.Name)
			continue
		}
		m[d.Name] = d.Members
	}
	return dups
}

// Expand resolves a reference to an alias of kind into its members,
// recursively. ok is false when the expansion is not simple: the alias is
// undefined, nests too deep or in a cycle, or contains a negation (whose
// meaning depends on the whole list). The caller then keeps the name.
func (a SudoAliases) Expand(kind, name string) (members []string, ok bool) {
	have := map[string]bool{}
	// state: 1 while an alias is being expanded (a revisit is a cycle),
	// 2 once done (a revisit adds nothing, which also keeps
	// "A = B, B, B" chains from growing exponentially).
	state := map[string]int{}
	var walk func(n string, depth int) bool
	walk = func(n string, depth int) bool {
		switch state[n] {
		case 1:
			return false
		case 2:
			return true
		}
		defs, defined := a[kind][n]
		if !defined || depth > maxAliasDepth {
			return false
		}
		state[n] = 1
		for _, m := range defs {
			if strings.HasPrefix(m, "!") {
				return false
			}
			if _, isAlias := a[kind][m]; isAlias {
				if !walk(m, depth+1) {
					return false
				}
				continue
			}
			if !have[m] {
				have[m] = true
				members = append(members, m)
			}
		}
		state[n] = 2
		return true
	}
	if !walk(name, 0) {
		return nil, false
	}
	return members, true
}

// IsAlias reports whether name is a defined alias of kind.
func (a SudoAliases) IsAlias(kind, name string) bool {
	_, ok := a[kind][name]
	return ok
}
