package model

// ScanResult is what one `ward scan` produces: the inventory and the
// findings derived from it. It is the input of every report format.
type ScanResult struct {
	Tool      ToolInfo   `json:"tool"`
	Inventory *Inventory `json:"inventory"`
	Findings  []Finding  `json:"findings"`
	// Detections say how each detector beyond the posture checks ran
	// (vuln, weakpass, baseline, malware), with its own structured output.
	Detections []Detection `json:"detections,omitempty"`
}

// ToolInfo names the producer, for reports that record it (SBOM metadata).
type ToolInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Detection is one detector's run within a scan. Its findings are merged
// into ScanResult.Findings; Details carry what findings cannot (every
// baseline check result with its score, the advisory database used...).
type Detection struct {
	Detector string `json:"detector"`
	// Status is "ok" or "failed" (Error says why; the scan goes on).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Summary lines are printed under the detector's heading in the table
	// report ("score 82% (164 pass, 36 fail, 12 n/a)").
	Summary []string `json:"summary,omitempty"`
	// Details is the detector's structured output for JSON reports.
	Details  any       `json:"details,omitempty"`
	Warnings []Warning `json:"warnings,omitempty"`
	// DurationMS is the detector's wall time.
	DurationMS int64 `json:"duration_ms"`
}
