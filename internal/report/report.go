// Package report renders a scan result: a terminal summary with tables,
// JSON, SARIF of the findings, and a CycloneDX SBOM of the packages with
// their vulnerabilities.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// Formats lists the accepted --format values.
var Formats = []string{"table", "json", "sarif", "cyclonedx"}

// Options tune the table format.
type Options struct {
	// Show lists asset classes to print in full (see Classes); "all" prints every class.
	Show []string
	// Color enables ANSI colours (terminal only).
	Color bool
	// MaxWarnings printed in the table; the JSON has all.
	MaxWarnings int
}

// Write renders res in format.
func Write(w io.Writer, format string, res *model.ScanResult, opts Options) error {
	switch format {
	case "", "table":
		return writeTable(w, res, opts)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "sarif":
		return writeSARIF(w, res)
	case "cyclonedx":
		return writeCycloneDX(w, res)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}
