package baseline

import "github.com/ward-sec/ward/internal/model"

// Status is the outcome of one check on one host.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	// NotApplicable: the check does not apply (Reason says why: "sshd not
	// installed", "not Debian 12").
	NotApplicable Status = "not-applicable"
	// Error: the check could not be evaluated (Reason says why); never
	// counted as pass.
	Error Status = "error"
	// Manual: needs a person (interview items, documents).
	Manual Status = "manual"
)

// CheckResult is one check's outcome on one host.
type CheckResult struct {
	Policy      string            `json:"policy"` // policy id, e.g. "debian12-l2"
	Check       string            `json:"check"`  // check id, unique within the policy
	Title       string            `json:"title"`
	TitleZH     string            `json:"title_zh,omitempty"`
	Severity    model.Severity    `json:"severity"`
	Status      Status            `json:"status"`
	Reason      string            `json:"reason,omitempty"`
	Evidence    []string          `json:"evidence,omitempty"` // compact, redacted
	Remediation string            `json:"remediation,omitempty"`
	References  []model.Reference `json:"references,omitempty"` // CIS, MLPS items
	Tags        []string          `json:"tags,omitempty"`
}

// PolicyResult is one policy's results on one host, with its score.
type PolicyResult struct {
	Policy  string        `json:"policy"`
	Title   string        `json:"title"`
	Version string        `json:"version,omitempty"`
	Checks  []CheckResult `json:"checks"`
	// Score is pass / (pass + fail + error) in percent; N/A and manual
	// are excluded.
	Score  float64        `json:"score"`
	Counts map[Status]int `json:"counts"`
}

// Report is a baseline run on one host: the payload of the agent's
// "baseline" result kind and the Details of the scan detector.
type Report struct {
	Policies []PolicyResult `json:"policies"`
}
