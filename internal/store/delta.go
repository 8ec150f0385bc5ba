package store

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// ErrDeltaMismatch means an inventory delta does not apply to the inventory
// it is applied to: its base is another scan, or it removes a package that
// is not there. The agent must send a full inventory.
var ErrDeltaMismatch = errors.New("inventory delta does not apply to the inventory held")

// InventoryDelta is the change from one inventory of a host to the next,
// what an agent sends instead of the full inventory when it has one
// acknowledged by the server. Packages change by record; every other class
// is replaced whole when anything in it changed.
//
// Apply(prev, Diff(prev, next)) equals Canonical(next).
type InventoryDelta struct {
	// BaseScannedAt is prev.ScannedAt: the server applies the delta only to
	// that inventory (at microsecond precision).
	BaseScannedAt time.Time `json:"base_scanned_at"`
	// Replace names the classes (model.Inventory JSON keys, never
	// "packages") whose new value is the same field of Set; an empty
	// field there replaces the class with nothing.
	Replace []string        `json:"replace,omitempty"`
	Set     model.Inventory `json:"set"`
	// AddedPackages are new package records; RemovedPackages name records
	// of prev that are gone (one ref removes one record).
	AddedPackages   []model.Package `json:"added_packages,omitempty"`
	RemovedPackages []PackageRef    `json:"removed_packages,omitempty"`
}

// PackageRef names one package record of an inventory.
type PackageRef struct {
	Software string `json:"software"` // SoftwareDigest
	Location string `json:"location"`
	State    string `json:"state,omitempty"`
	// Name and Version are for people reading a delta; they are not used to
	// match.
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// ScannedAt is the ScannedAt of the inventory the delta produces.
func (d *InventoryDelta) ScannedAt() time.Time {
	if slices.Contains(d.Replace, "scanned_at") {
		return d.Set.ScannedAt
	}
	return d.BaseScannedAt
}

// Empty reports whether the delta changes nothing but the scan time.
func (d *InventoryDelta) Empty() bool {
	return len(d.AddedPackages) == 0 && len(d.RemovedPackages) == 0 &&
		(len(d.Replace) == 0 || (len(d.Replace) == 1 && d.Replace[0] == "scanned_at"))
}

// SoftwareDigest identifies the software a package record describes:
// everything in its JSON form except where it was found (Location) and its
// install State. Hosts with the same software share one stored row.
func SoftwareDigest(p *model.Package) string {
	q := *p
	q.Location, q.State, q.Files = "", "", nil
	b, err := json.Marshal(&q)
	if err != nil {
		// A Package is strings, ints and a string map: it always marshals.
		panic(fmt.Sprintf("store: marshal package: %v", err))
	}
	return digest(b)
}

// digest is the hex of the first 128 bits of SHA-256.
func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// pkgKey identifies a package record: its software, and where and in what
// state it is (as stored: see cleanText).
type pkgKey struct{ software, location, state string }

func keyOf(p *model.Package) pkgKey {
	return pkgKey{SoftwareDigest(p), cleanText(p.Location), cleanText(p.State)}
}

func (k pkgKey) ref(p *model.Package) PackageRef {
	return PackageRef{Software: k.software, Location: k.location, State: k.state, Name: p.Name, Version: p.Version}
}

// Diff computes the delta that turns prev into next. A nil prev is an
// empty inventory. Package.Files (never serialised) is not compared.
func Diff(prev, next *model.Inventory) InventoryDelta {
	if prev == nil {
		prev = &model.Inventory{}
	}
	if next == nil {
		next = &model.Inventory{}
	}
	d := InventoryDelta{BaseScannedAt: prev.ScannedAt}
	for _, c := range inventoryClasses {
		a, b := c.field(prev), c.field(next)
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			d.Replace = append(d.Replace, c.name)
			c.field(&d.Set).Set(b)
		}
	}

	have := make(map[pkgKey]int, len(prev.Packages))
	prevKeys := make([]pkgKey, len(prev.Packages))
	for i := range prev.Packages {
		k := keyOf(&prev.Packages[i])
		prevKeys[i] = k
		have[k]++
	}
	for i := range next.Packages {
		p := &next.Packages[i]
		k := keyOf(p)
		if have[k] > 0 {
			have[k]--
			continue
		}
		d.AddedPackages = append(d.AddedPackages, *p)
	}
	for i, k := range prevKeys {
		if have[k] > 0 {
			have[k]--
			d.RemovedPackages = append(d.RemovedPackages, k.ref(&prev.Packages[i]))
		}
	}
	return d
}

// Apply returns prev changed by d, with packages in canonical order. It
// fails with ErrDeltaMismatch when d was not computed from prev. The result
// shares the replaced classes' slices with d and the others with prev.
func Apply(prev *model.Inventory, d InventoryDelta) (*model.Inventory, error) {
	if prev == nil {
		prev = &model.Inventory{}
	}
	if !sameInstant(prev.ScannedAt, d.BaseScannedAt) {
		return nil, fmt.Errorf("%w: delta base %s, inventory %s", ErrDeltaMismatch,
			d.BaseScannedAt.Format(time.RFC3339Nano), prev.ScannedAt.Format(time.RFC3339Nano))
	}
	out := *prev
	for _, name := range d.Replace {
		if c, ok := classByName(name); ok {
			c.field(&out).Set(c.field(&d.Set))
		}
	}
	idx := make(map[pkgKey][]int, len(prev.Packages))
	for i := range prev.Packages {
		k := keyOf(&prev.Packages[i])
		idx[k] = append(idx[k], i)
	}
	gone := make([]bool, len(prev.Packages))
	for _, r := range d.RemovedPackages {
		k := pkgKey{r.Software, r.Location, r.State}
		is := idx[k]
		if len(is) == 0 {
			return nil, fmt.Errorf("%w: removes package %s %s at %s, which is not there", ErrDeltaMismatch, r.Name, r.Version, r.Location)
		}
		gone[is[len(is)-1]] = true
		idx[k] = is[:len(is)-1]
	}
	pkgs := make([]model.Package, 0, len(prev.Packages)-len(d.RemovedPackages)+len(d.AddedPackages))
	for i := range prev.Packages {
		if !gone[i] {
			pkgs = append(pkgs, prev.Packages[i])
		}
	}
	pkgs = append(pkgs, d.AddedPackages...)
	out.Packages = sortPackages(pkgs)
	return &out, nil
}

// Canonical returns a shallow copy of inv with its packages in the order
// Apply and the store return them (and none as nil, not empty).
func Canonical(inv *model.Inventory) *model.Inventory {
	if inv == nil {
		return nil
	}
	out := *inv
	out.Packages = sortPackages(inv.Packages)
	return &out
}

// sortPackages returns pkgs sorted by type, name, version, location, state
// and then software digest, so equal multisets sort the same; nil if empty.
func sortPackages(pkgs []model.Package) []model.Package {
	if len(pkgs) == 0 {
		return nil
	}
	keys := make([]pkgKey, len(pkgs))
	order := make([]int, len(pkgs))
	for i := range pkgs {
		keys[i] = keyOf(&pkgs[i])
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		p, q := &pkgs[a], &pkgs[b]
		return cmp.Or(
			cmp.Compare(p.Type, q.Type),
			cmp.Compare(p.Name, q.Name),
			cmp.Compare(p.Version, q.Version),
			cmp.Compare(p.Location, q.Location),
			cmp.Compare(p.State, q.State),
			cmp.Compare(keys[a].software, keys[b].software),
		)
	})
	out := make([]model.Package, len(pkgs))
	for i, j := range order {
		out[i] = pkgs[j]
	}
	return out
}

// sameInstant compares times as the store keeps them (microseconds).
func sameInstant(a, b time.Time) bool {
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}
