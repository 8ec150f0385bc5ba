package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/ward-sec/ward/internal/model"
)

// split turns an inventory report too big for one message into a chain of
// messages under the limit (docs/fleet.md: "larger inventories are split by
// class"). A full report becomes a full inventory holding only the scalar
// fields (scan time, root...) and then deltas adding one class each; a
// delta report becomes deltas from base the same way. Each delta applies to
// what the message before it left, so the chain ends exactly at next.
// Packages, the one class that can be huge on its own, go in chunks.
//
// Intermediate steps are full-class replacements, so a split delta can
// carry more than the plain delta would; it only happens for reports over
// 8 MiB, in practice full ones.
func (a *Agent) split(runID string, base, next *snapshot) ([]outMsg, error) {
	start := &model.Inventory{}
	if base != nil {
		*start = *base.inv
	}
	nv, sv := reflect.ValueOf(next.inv).Elem(), reflect.ValueOf(start).Elem()
	for i := range nv.NumField() {
		if !isClass(nv.Field(i)) {
			sv.Field(i).Set(nv.Field(i))
		}
	}
	cur, err := snapshotOf(start)
	if err != nil {
		return nil, err
	}
	m, err := a.reportStep(runID, base, cur)
	if err != nil {
		return nil, err
	}
	if !a.fits(m) {
		return nil, fmt.Errorf("inventory report: first part is %d bytes, over the %d byte message limit", len(m.payload), a.opts.MaxMessageBytes)
	}
	msgs := []outMsg{m}
	for i := range nv.NumField() {
		f := nv.Type().Field(i)
		if !isClass(nv.Field(i)) || reflect.DeepEqual(reflect.ValueOf(cur.inv).Elem().Field(i).Interface(), nv.Field(i).Interface()) {
			continue
		}
		if f.Name == "Packages" {
			var pm []outMsg
			if pm, cur, err = a.packageSteps(runID, cur, next.inv.Packages); err != nil {
				return nil, err
			}
			msgs = append(msgs, pm...)
			continue
		}
		cand := *cur.inv
		reflect.ValueOf(&cand).Elem().Field(i).Set(nv.Field(i))
		snap, err := snapshotOf(&cand)
		if err != nil {
			return nil, err
		}
		m, err := a.reportStep(runID, cur, snap)
		if err != nil {
			return nil, err
		}
		if !a.fits(m) {
			return nil, fmt.Errorf("inventory class %s alone is %d bytes, over the %d byte message limit", jsonName(f), len(m.payload), a.opts.MaxMessageBytes)
		}
		msgs = append(msgs, m)
		cur = snap
	}
	if !bytes.Equal(cur.raw, next.raw) {
		return nil, errors.New("inventory report: split parts do not add up to the inventory")
	}
	return msgs, nil
}

// packageSteps moves cur's packages to target in chunks that fit: first
// removing the records target lacks, then adding the ones it has anew,
// halving the chunk until a step fits, and last putting them in target's
// order (a step with no package changes).
func (a *Agent) packageSteps(runID string, cur *snapshot, target []model.Package) ([]outMsg, *snapshot, error) {
	keep, removed, added := matchPackages(cur.inv.Packages, target)
	r, total := len(removed), len(removed)+len(added)
	listAt := func(k int) []model.Package {
		out := slices.Clip(slices.Clone(keep))
		if k <= r {
			return append(out, removed[k:]...)
		}
		return append(out, added[:k-r]...)
	}
	var msgs []outMsg
	step := func(pkgs []model.Package) (bool, error) {
		cand := *cur.inv
		cand.Packages = pkgs
		snap, err := snapshotOf(&cand)
		if err != nil {
			return false, err
		}
		m, err := a.reportStep(runID, cur, snap)
		if err != nil || !a.fits(m) {
			return false, err
		}
		msgs = append(msgs, m)
		cur = snap
		return true, nil
	}
	for done, chunk := 0, total; done < total; {
		n := min(chunk, total-done)
		ok, err := step(listAt(done + n))
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			if n <= 1 {
				return nil, nil, fmt.Errorf("inventory packages: changing one package record is over the %d byte message limit", a.opts.MaxMessageBytes)
			}
			chunk = n / 2
			continue
		}
		done += n
	}
	if !reflect.DeepEqual(cur.inv.Packages, target) {
		ok, err := step(target)
		if err == nil && !ok {
			err = fmt.Errorf("inventory packages: reordering step over the %d byte message limit", a.opts.MaxMessageBytes)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return msgs, cur, nil
}

// matchPackages splits two package lists into the records both have (as a
// multiset of their JSON form, the way the store matches them), those only
// in prev and those only in next.
func matchPackages(prev, next []model.Package) (keep, removed, added []model.Package) {
	key := func(p *model.Package) string {
		b, _ := json.Marshal(p) // strings, ints and a string map: cannot fail
		return string(b)
	}
	want := map[string]int{}
	for i := range next {
		want[key(&next[i])]++
	}
	for i := range prev {
		if k := key(&prev[i]); want[k] > 0 {
			want[k]--
			keep = append(keep, prev[i])
		} else {
			removed = append(removed, prev[i])
		}
	}
	for i := range next {
		if k := key(&next[i]); want[k] > 0 {
			want[k]--
			added = append(added, next[i])
		}
	}
	return keep, removed, added
}

// isClass tells inventory classes (lists, the host record) from the scalar
// fields that describe the scan.
func isClass(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Pointer, reflect.Map:
		return true
	}
	return false
}

func jsonName(f reflect.StructField) string {
	name, _, _ := bytes.Cut([]byte(f.Tag.Get("json")), []byte(","))
	if len(name) == 0 {
		return f.Name
	}
	return string(name)
}

// snapshotOf encodes an inventory assembled from already-normalised parts.
func snapshotOf(inv *model.Inventory) (*snapshot, error) {
	raw, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("encode inventory: %w", err)
	}
	return &snapshot{inv: inv, raw: raw, hash: hashOf(raw)}, nil
}
