package services

import "path"

// Enablement states, as `systemctl is-enabled` names them.
const (
	StateEnabled   = "enabled"
	StateDisabled  = "disabled"
	StateStatic    = "static"
	StateMasked    = "masked"
	StateAlias     = "alias"
	StateIndirect  = "indirect"
	StateGenerated = "generated"
	StateTransient = "transient"
	StateLinked    = "linked"
)

// State works out what `systemctl is-enabled name` would print, from files
// alone. l is the loaded unit (for its [Install] section). Masks and links in
// /run count like those in /etc ("masked"/"enabled" rather than the
// "-runtime" variants): either way the unit is, or is not, started this boot.
func (u *Units) State(name string, l *Loaded) string {
	f := l.File
	if f.Masked {
		return StateMasked
	}
	if f.IsLink() && f.Name == name {
		if base := path.Base(f.Target); base != name {
			return StateAlias
		}
	}
	switch f.Dir.Kind {
	case DirGenerator:
		return StateGenerated
	case DirTransient:
		return StateTransient
	}
	if u.Enabled(name) {
		return StateEnabled
	}
	if f.IsLink() && f.Name == name && f.Dir.Kind <= DirRuntime && !u.inUnitDir(f.Target) {
		return StateLinked // `systemctl link`: a unit file kept outside the search path
	}
	unit := l.Unit
	for _, k := range []string{"WantedBy", "RequiredBy", "UpheldBy", "Alias"} {
		if len(unit.Values("Install", k)) > 0 {
			return StateDisabled
		}
	}
	if len(unit.Values("Install", "Also")) > 0 {
		return StateIndirect
	}
	return StateStatic
}

// inUnitDir reports whether p lies directly in one of the unit directories.
func (u *Units) inUnitDir(p string) bool {
	dir := path.Dir(p)
	for _, d := range SystemUnitDirs {
		if d.Path == dir {
			return true
		}
	}
	return false
}
