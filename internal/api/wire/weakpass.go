package wire

// WeakpassLeakedParams are the params of a "weakpass-leaked" task: the
// passwords each agent tests against its local credentials. They are
// never stored: the tasks table holds a placeholder.
type WeakpassLeakedParams struct {
	Passwords []string `json:"passwords"`
}

// LeakedQuery is the body of POST /weakpass/leaked.
type LeakedQuery struct {
	Target    TaskTarget `json:"target"`
	Passwords []string   `json:"passwords"`
}

// LeakedResult is the answer of GET /weakpass/leaked/{id}: which hosts
// and accounts use one of the query's passwords.
type LeakedResult struct {
	TaskID int64 `json:"task_id"`
	// Done: every run has finished (done, failed or timed out).
	Done  bool           `json:"done"`
	Runs  map[string]int `json:"runs"`
	Hosts []LeakedHost   `json:"hosts"`
}

// LeakedHost is one host's run of a leaked-password query.
type LeakedHost struct {
	HostID   int64  `json:"host_id"`
	Hostname string `json:"hostname"`
	Status   string `json:"status"`
	Error    string `json:"error,omitempty"`
	// Matches are the accounts using one of the passwords.
	Matches []LeakedMatch `json:"matches"`
	// Unchecked says how many credentials the host could not test.
	Unchecked string `json:"unchecked,omitempty"`
}

// LeakedMatch is an account that uses a leaked password.
type LeakedMatch struct {
	Store   string `json:"store"`
	Account string `json:"account"`
	Path    string `json:"path"`
}
