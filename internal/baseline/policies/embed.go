// Package policies embeds the baseline policies Ward ships.
package policies

import "embed"

// FS holds the shipped policy files (*.yaml at its top).
//
//go:embed *.yaml
var FS embed.FS
