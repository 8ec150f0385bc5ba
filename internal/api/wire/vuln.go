package wire

// VulnHosts answers GET /vuln/hosts: the hosts one bug affects.
type VulnHosts struct {
	// ID is the id asked for; Aliases every id of the same bug the
	// advisory database knows (findings are filed under the primary one).
	ID      string   `json:"id"`
	Aliases []string `json:"aliases"`
	// Known: the server's advisory database has the bug. When it does
	// not, no host can have findings of it: write a 0-day check.
	Known bool       `json:"known"`
	Hosts []VulnHost `json:"hosts"`
	// NextCursor fetches the next page of hosts ("" on the last one).
	NextCursor string `json:"next_cursor,omitempty"`
}

// VulnHost is one affected host.
type VulnHost struct {
	HostID   int64             `json:"host_id"`
	Hostname string            `json:"hostname"`
	Packages []VulnHostPackage `json:"packages"`
}

// VulnHostPackage is one vulnerable package of a host.
type VulnHostPackage struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Location string `json:"location,omitempty"`
	// Fixed is the version that fixes it; Status says why there is none.
	Fixed     string `json:"fixed,omitempty"`
	Status    string `json:"status,omitempty"`
	Severity  string `json:"severity"`
	Title     string `json:"title"`
	FindingID string `json:"finding_id"`
	// Restart lists the services and programs running the package's
	// files, from the host's latest inventory: restart them after patching.
	Restart []string `json:"restart"`
}

// VulnDBImport asks the server to import a feed file it can read
// (POST /vulndb/import with a JSON body); other bodies are the feed
// itself (an OSV record, or a zip of them).
type VulnDBImport struct {
	Path string `json:"path"`
}

// VulnDBImportResult says what an import changed, in the database and
// in the fleet's findings (no agent rescans).
type VulnDBImportResult struct {
	Added     int      `json:"added"`
	Changed   int      `json:"changed"`
	Removed   int      `json:"removed"`
	Unchanged int      `json:"unchanged"`
	Problems  []string `json:"problems"`
	// HostsChecked hold a package the new or changed advisories name;
	// HostsAffected of them have findings from them.
	HostsChecked  int   `json:"hosts_checked"`
	HostsAffected int   `json:"hosts_affected"`
	Upserted      int64 `json:"findings_upserted"`
	Resolved      int64 `json:"findings_resolved"`
	// FullRematch: so much changed that every host was queued (Queued)
	// for a full re-match in the background instead.
	FullRematch bool  `json:"full_rematch"`
	Queued      int   `json:"queued"`
	TookMS      int64 `json:"took_ms"`
}

// VulnDBInfo describes the server's advisory database.
type VulnDBInfo struct {
	Path       string         `json:"path"`
	Advisories int            `json:"advisories"`
	ImportedAt string         `json:"imported_at,omitempty"`
	Stale      bool           `json:"stale"`
	Sources    []VulnDBSource `json:"sources"`
	// Pending hosts wait for a background re-match.
	Pending int `json:"pending"`
}

// VulnDBSource is one imported feed.
type VulnDBSource struct {
	Name       string `json:"name"`
	ImportedAt string `json:"imported_at"`
	Records    int    `json:"records"`
	Problems   int    `json:"problems"`
}
