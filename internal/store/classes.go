package store

import (
	"reflect"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// An inventory class is one top-level field of model.Inventory, named by
// its JSON key ("users", "sockets", "scanned_at"...). Packages are stored
// normalised (software, host_software); every other class is stored and
// exchanged whole. The list is read from the struct, so a class added to
// the model is stored, diffed and reassembled without a change here.

// classPackages is the one class not handled generically.
const classPackages = "packages"

type class struct {
	name  string
	index int // field index in model.Inventory
}

var inventoryType = reflect.TypeFor[model.Inventory]()

// inventoryClasses is every generic class in struct order (computed once,
// never modified).
var inventoryClasses = listClasses()

func listClasses() []class {
	var out []class
	for i := 0; i < inventoryType.NumField(); i++ {
		f := inventoryType.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" || name == classPackages {
			continue
		}
		out = append(out, class{name: name, index: i})
	}
	return out
}

// classByName finds a generic class; ok is false for an unknown name (one
// written by a newer Ward, or a typo).
func classByName(name string) (class, bool) {
	for _, c := range inventoryClasses {
		if c.name == name {
			return c, true
		}
	}
	return class{}, false
}

// field is the class's value in inv (settable when inv is addressable).
func (c class) field(inv *model.Inventory) reflect.Value {
	return reflect.ValueOf(inv).Elem().Field(c.index)
}

// classNames lists the generic class names (for tests and documentation).
func classNames() []string {
	out := make([]string, len(inventoryClasses))
	for i, c := range inventoryClasses {
		out[i] = c.name
	}
	return out
}
