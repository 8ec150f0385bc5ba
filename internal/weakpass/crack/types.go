// Package crack finds weak passwords among password hashes: it parses
// every hash format in use (hashfmt), builds the candidates for each
// account (embedded lists, user lists, per-account mutations) and tests
// them within a cost budget, in parallel under a CPU cap.
package crack

// Target is one credential to test: a hash as its store records it.
type Target struct {
	// ID identifies the target in results (e.g. "shadow:root").
	ID string
	// Hash is the stored hash string ("$y$j9T$...", "*2470C0...",
	// "SCRAM-SHA-256$4096:...", "{SSHA}...", "md5..."), or a plaintext
	// secret when Plain is true (redis requirepass, SNMP community...).
	Hash  string
	Plain bool
	// Format forces the hash format when the store knows it and the
	// string is ambiguous ("mysql-native", "postgresql-md5"...); empty
	// means detect from the string.
	Format string
	// User is the account name: a salt for some formats (PostgreSQL md5)
	// and the seed of per-account mutations.
	User string
	// Hints are extra words for per-account mutations (host name, GECOS
	// name, application name).
	Hints []string
}

// Status is the outcome for one target.
type Status string

const (
	// Cracked: a candidate matched (Password, Reason say which and why).
	Cracked Status = "cracked"
	// NotCracked: every candidate in the budget was tested, none matched.
	NotCracked Status = "not-cracked"
	// Unchecked: the format is unknown or not supported (Reason says
	// which); never reported as "not weak".
	Unchecked Status = "unchecked"
	// Empty: the credential has no password at all.
	Empty Status = "empty"
	// Locked: the account cannot log in with a password ("!", "*").
	Locked Status = "locked"
)

// Result is the outcome for one target.
type Result struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Format is the detected hash format ("yescrypt", "sha512crypt"...).
	Format string `json:"format,omitempty"`
	// Password is the matching candidate: kept in memory for the caller,
	// who masks it unless the operator asks.
	Password string `json:"-"`
	// Reason is the class of weakness ("in top-100 list", "equals user
	// name", "default credential", "keyboard walk") or why unchecked.
	Reason string `json:"reason,omitempty"`
	// Tried is the number of candidates tested.
	Tried int `json:"tried"`
}
