package model

// ScanResult is what one `ward scan` produces: the inventory and the
// findings derived from it. It is the input of every report format.
type ScanResult struct {
	Tool      ToolInfo   `json:"tool"`
	Inventory *Inventory `json:"inventory"`
	Findings  []Finding  `json:"findings"`
}

// ToolInfo names the producer, for reports that record it (SBOM metadata).
type ToolInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}
