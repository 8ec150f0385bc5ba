//go:build tools

// Package peers pins the peer tools Ward is benchmarked against, so the
// bench script builds the same versions every time.
package peers

import (
	_ "github.com/google/osv-scalibr/binary/scalibr"
)
