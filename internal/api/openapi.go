package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route; TestOpenAPIMatchesRoutes keeps
// the two in step.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// The document is public and changes only with the binary.
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
	return nil
}
