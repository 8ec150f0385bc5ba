package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
)

// openAPIDocument describes every route: openapi.json plus the fragments
// in openapi/ (one per capability, each holding "paths" and
// "components"), merged at start. TestOpenAPIMatchesRoutes keeps the
// document and the routes in step.
var openAPIDocument = mustMergeOpenAPI()

//go:embed openapi.json
var openAPIBase []byte

//go:embed openapi
var openAPIFragments embed.FS

func mustMergeOpenAPI() []byte {
	b, err := mergeOpenAPI(openAPIBase, openAPIFragments)
	if err != nil {
		panic(err) // embedded at build time; TestOpenAPIMatchesRoutes catches it
	}
	return b
}

// mergeOpenAPI adds each fragment's paths and components to base. A path
// or component defined twice is an error.
func mergeOpenAPI(base []byte, frags fs.FS) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	names, err := fs.Glob(frags, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	for _, name := range names {
		b, err := fs.ReadFile(frags, name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := mergeSection(doc, frag, "paths", path.Base(name)); err != nil {
			return nil, err
		}
		fc, _ := frag["components"].(map[string]any)
		dc, _ := doc["components"].(map[string]any)
		if dc == nil {
			dc = map[string]any{}
			doc["components"] = dc
		}
		for sect := range fc {
			if err := mergeSection(dc, fc, sect, path.Base(name)); err != nil {
				return nil, err
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

func mergeSection(dst, src map[string]any, key, name string) error {
	from, _ := src[key].(map[string]any)
	if len(from) == 0 {
		return nil
	}
	to, _ := dst[key].(map[string]any)
	if to == nil {
		to = map[string]any{}
		dst[key] = to
	}
	for k, v := range from {
		if _, dup := to[k]; dup {
			return fmt.Errorf("%s: %s %q is already defined", name, key, k)
		}
		to[k] = v
	}
	return nil
}

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// The document is public and changes only with the binary.
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
	return nil
}
