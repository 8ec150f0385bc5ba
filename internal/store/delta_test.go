package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ward-sec/ward/internal/model"
)

// mutate returns the next scan of inv: packages upgraded, removed, added
// and duplicated, a new listening port, changed processes and host facts.
// inv is not modified.
func mutate(inv *model.Inventory, k int) *model.Inventory {
	out := *inv
	out.ScannedAt = inv.ScannedAt.Add(time.Duration(k) * time.Hour)
	var pkgs []model.Package
	for i, p := range inv.Packages {
		switch {
		case (i+k)%37 == 0: // removed
			continue
		case (i+k)%53 == 0: // upgraded
			p.Version += "+b1"
		case (i+k)%61 == 0: // state changed
			p.State = "unpacked"
		}
		pkgs = append(pkgs, p)
	}
	pkgs = append(pkgs, inv.Packages[5]) // a second identical record
	for j := range 3 {
		pkgs = append(pkgs, model.Package{Type: model.PkgPyPI, Name: fmt.Sprintf("newpkg-%d-%d", k, j), Version: "1.0", Location: "/usr/lib/python3/dist-packages"})
	}
	out.Packages = pkgs

	out.Sockets = slices.Clone(inv.Sockets)
	port := 8443
	if k%2 == 0 {
		port = 9090
		out.Sockets = slices.DeleteFunc(out.Sockets, func(s model.Socket) bool { return s.LocalPort == 8443 })
	}
	out.Sockets = append(out.Sockets, model.Socket{Protocol: "tcp6", State: "LISTEN", LocalAddr: "::", LocalPort: port, PID: 4242, ProcessName: "java"})
	out.Processes = slices.Clone(inv.Processes)
	for i := range out.Processes {
		if i%3 == k%3 {
			out.Processes[i].RSSBytes += uint64(k) << 20
		}
	}
	h := *inv.Host
	h.UptimeSeconds += int64(k) * 3600
	out.Host = &h
	if k%2 == 0 {
		out.Users = nil // the class disappears entirely
		out.Warnings = []model.Warning{}
	}
	return &out
}

// randomMutation changes inv at random in every way the model allows.
func randomMutation(r *rand.Rand, inv *model.Inventory) *model.Inventory {
	out := *inv
	out.ScannedAt = inv.ScannedAt.Add(time.Duration(r.IntN(3600)+1)*time.Second + time.Duration(r.IntN(1000)))
	pkgs := slices.Clone(inv.Packages)
	for range r.IntN(20) {
		if len(pkgs) == 0 {
			break
		}
		i := r.IntN(len(pkgs))
		switch r.IntN(6) {
		case 0:
			pkgs = slices.Delete(pkgs, i, i+1)
		case 1:
			pkgs[i].Version += ".1"
		case 2:
			pkgs = append(pkgs, pkgs[i]) // duplicate record
		case 3:
			pkgs[i].Location = "/opt/other" + pkgs[i].Location
		case 4:
			pkgs[i].Metadata = map[string]string{"k": fmt.Sprint(r.IntN(3))}
		case 5:
			r.Shuffle(len(pkgs), func(a, b int) { pkgs[a], pkgs[b] = pkgs[b], pkgs[a] })
		}
	}
	if r.IntN(10) == 0 {
		pkgs = nil
	}
	out.Packages = pkgs
	// Each generic class: keep, clear, empty, or take another host's.
	other := genInventory(99, r.IntN(50), 20)
	for _, c := range inventoryClasses {
		if c.name == "scanned_at" {
			continue
		}
		switch r.IntN(5) {
		case 0:
			c.field(&out).Set(reflect.Zero(c.field(&out).Type()))
		case 1:
			if f := c.field(&out); f.Kind() == reflect.Slice {
				f.Set(reflect.MakeSlice(f.Type(), 0, 0))
			}
		case 2:
			c.field(&out).Set(c.field(other))
		}
	}
	return &out
}

func roundTripJSON(t testing.TB, d InventoryDelta) InventoryDelta {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var out InventoryDelta
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDiffApply(t *testing.T) {
	check := func(t *testing.T, prev, next *model.Inventory) {
		t.Helper()
		d := Diff(prev, next)
		got, err := Apply(prev, d)
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		if diff := cmp.Diff(Canonical(next), got, ignoreFiles); diff != "" {
			t.Fatalf("Apply(prev, Diff(prev, next)) != next (-want +got):\n%s", diff)
		}
		// Over the wire (JSON drops Files and the nil/empty distinction).
		got, err = Apply(prev, roundTripJSON(t, d))
		if err != nil {
			t.Fatalf("apply after JSON: %v", err)
		}
		if diff := cmp.Diff(Canonical(next), got, ignoreFiles, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("after JSON (-want +got):\n%s", diff)
		}
	}
	t.Run("realistic", func(t *testing.T) {
		v1 := genInventory(1, 8, 800)
		v2 := mutate(v1, 1)
		v3 := mutate(v2, 2)
		check(t, v1, v2)
		check(t, v2, v3)
		check(t, v1, v3)
		check(t, v3, v1)
		check(t, nil, v1)
		check(t, v1, &model.Inventory{})
		check(t, v1, v1)
		if d := Diff(v1, v1); !d.Empty() || len(d.Replace) != 0 {
			t.Fatalf("diff of an inventory with itself: %+v", d.Replace)
		}
		// Sizes: a delta of a small change is small.
		full, _ := json.Marshal(v2)
		delta, _ := json.Marshal(Diff(v1, v2))
		t.Logf("full inventory %d bytes, delta %d bytes", len(full), len(delta))
	})
	t.Run("random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(42, 0))
		prev := genInventory(3, 1, 300)
		for i := range 200 {
			next := randomMutation(r, prev)
			t.Run(fmt.Sprint(i), func(t *testing.T) { check(t, prev, next) })
			if t.Failed() {
				return
			}
			prev = next
		}
	})
	t.Run("wrong base", func(t *testing.T) {
		v1 := genInventory(1, 8, 50)
		v2 := mutate(v1, 1)
		d := Diff(v1, v2)
		if _, err := Apply(v2, d); !errors.Is(err, ErrDeltaMismatch) {
			t.Fatalf("apply on another base: %v", err)
		}
		d.BaseScannedAt = v2.ScannedAt
		d.RemovedPackages = append(d.RemovedPackages, PackageRef{Software: "x", Location: "y"})
		if _, err := Apply(v2, d); !errors.Is(err, ErrDeltaMismatch) {
			t.Fatalf("apply removing a missing package: %v", err)
		}
	})
}

func TestSoftwareDigest(t *testing.T) {
	p := model.Package{Type: model.PkgDeb, Name: "bash", Version: "5.2.15-2+b7", Location: "/var/lib/dpkg/status", Files: []string{"/bin/bash"}}
	q := p
	q.Location, q.State, q.Files = "/other", "half-configured", nil
	if SoftwareDigest(&p) != SoftwareDigest(&q) {
		t.Fatal("location, state or files changed the software digest")
	}
	q.Version = "5.2.15-2+b8"
	if SoftwareDigest(&p) == SoftwareDigest(&q) {
		t.Fatal("version did not change the software digest")
	}
}

// Every class of the model is handled: the generic ones by name, and
// packages on their own.
func TestClassesCoverInventory(t *testing.T) {
	names := classNames()
	for _, want := range []string{"schema_version", "scanned_at", "root", "live", "host", "users", "sockets", "processes",
		"services", "startup_items", "kernel_modules", "applications", "web_sites", "containers", "collectors", "warnings"} {
		if !slices.Contains(names, want) {
			t.Errorf("class %q missing from %v", want, names)
		}
	}
	if slices.Contains(names, "packages") {
		t.Error("packages listed as a generic class")
	}
	if got, want := len(names)+1, inventoryType.NumField(); got != want {
		t.Errorf("%d classes for %d Inventory fields", got, want)
	}
}

// Every field of model.Finding is stored: as a column or in the detail.
func TestFindingFieldsAreStored(t *testing.T) {
	columns := map[string]bool{"ID": true, "Kind": true, "Rule": true, "Severity": true, "Title": true, "Asset": true}
	detail := reflect.TypeFor[findingDetail]()
	ft := reflect.TypeFor[model.Finding]()
	for i := 0; i < ft.NumField(); i++ {
		name := ft.Field(i).Name
		if _, ok := detail.FieldByName(name); !ok && !columns[name] {
			t.Errorf("model.Finding.%s is neither a findings column nor in findingDetail: it would be lost", name)
		}
	}
}
