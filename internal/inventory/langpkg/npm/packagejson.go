// Package npm reads package.json files of installed npm packages
// (node_modules/<name>/package.json, node_modules/@scope/<name>/package.json).
package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// MaxPackageJSON caps the file read: real package.json files are a few KB.
const MaxPackageJSON = 1 << 20

// PackageJSON is the part of package.json Ward reports.
type PackageJSON struct {
	Name    string
	Version string
	License string
}

type rawPackageJSON struct {
	Name     json.RawMessage `json:"name"`
	Version  json.RawMessage `json:"version"`
	License  json.RawMessage `json:"license"`
	Licenses json.RawMessage `json:"licenses"` // deprecated array form
}

// ParsePackageJSON decodes name, version and licence. The licence may be a
// string, an object {"type": ...} or the old "licenses" array. A field of an
// unexpected type is ignored, not fatal; only invalid JSON is an error.
func ParsePackageJSON(data []byte) (PackageJSON, error) {
	var raw rawPackageJSON
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // some editors write a BOM
	if err := json.Unmarshal(data, &raw); err != nil {
		return PackageJSON{}, err
	}
	p := PackageJSON{
		Name:    strings.TrimSpace(asString(raw.Name)),
		Version: strings.TrimSpace(asString(raw.Version)),
		License: license(raw.License),
	}
	if p.License == "" {
		p.License = license(raw.Licenses)
	}
	return p, nil
}

func asString(m json.RawMessage) string {
	var s string
	if json.Unmarshal(m, &s) != nil {
		return ""
	}
	return s
}

// license accepts "MIT", {"type": "MIT"} or [{"type": "MIT"}, "ISC"].
func license(m json.RawMessage) string {
	if s := licenseItem(m); s != "" {
		return s
	}
	var list []json.RawMessage
	if json.Unmarshal(m, &list) == nil {
		var names []string
		for _, item := range list {
			if s := licenseItem(item); s != "" {
				names = append(names, s)
			}
		}
		if len(names) > 1 {
			return "(" + strings.Join(names, " OR ") + ")"
		}
		return strings.Join(names, "")
	}
	return ""
}

// licenseItem accepts "MIT" or {"type": "MIT"}; nothing nested deeper, so
// a hostile file cannot make the decoding recurse.
func licenseItem(m json.RawMessage) string {
	if len(m) == 0 {
		return ""
	}
	if s := asString(m); s != "" {
		return s
	}
	var obj struct {
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(m, &obj) == nil {
		return asString(obj.Type)
	}
	return ""
}

// ErrIncomplete marks a package.json without name or version (a workspace
// or private package, not an installed dependency).
var ErrIncomplete = errors.New("package.json has no name or version")

// Package builds the inventory record; Location is the package.json path.
func Package(p PackageJSON, location string) (model.Package, error) {
	if p.Name == "" || p.Version == "" {
		return model.Package{}, ErrIncomplete
	}
	return model.Package{
		Type: model.PkgNPM, Name: p.Name, Version: p.Version, License: p.License,
		Location: location, FoundBy: "package.json",
	}, nil
}

// IsManifestPath reports whether an in-root path is the package.json of
// an installed package: .../node_modules/<name>/package.json or
// .../node_modules/@scope/<name>/package.json (not one deeper inside a
// package, such as dist/esm/package.json).
func IsManifestPath(p string) bool {
	rest, ok := strings.CutSuffix(p, "/package.json")
	if !ok {
		return false
	}
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return false
	}
	name, parent := rest[i+1:], rest[:i]
	if name == "" || name[0] == '.' || name[0] == '@' {
		return false
	}
	if strings.HasSuffix(parent, "/node_modules") || parent == "node_modules" {
		return true
	}
	// Scoped: parent is .../node_modules/@scope
	j := strings.LastIndexByte(parent, '/')
	if j < 0 {
		return false
	}
	scope := parent[j+1:]
	return len(scope) > 1 && scope[0] == '@' && strings.HasSuffix(parent[:j], "/node_modules")
}
