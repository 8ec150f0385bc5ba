package wire

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// BaselineCounts are checks (in a host's score) or hosts (in an item)
// per status.
type BaselineCounts struct {
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	NotApplicable int `json:"not_applicable"`
	Error         int `json:"error"`
	Manual        int `json:"manual"`
}

// BaselinePolicy is a policy hosts have results of.
type BaselinePolicy struct {
	Policy    string     `json:"policy"`
	Title     string     `json:"title"`
	Hosts     int        `json:"hosts"`
	MeanScore float64    `json:"mean_score"`
	LastRun   *time.Time `json:"last_run,omitempty"`
}

// BaselineItem is one check across the fleet (the check-item view).
type BaselineItem struct {
	Policy      string            `json:"policy"`
	Check       string            `json:"check"`
	Title       string            `json:"title"`
	TitleZH     string            `json:"title_zh,omitempty"`
	Severity    model.Severity    `json:"severity"`
	Remediation string            `json:"remediation,omitempty"`
	References  []model.Reference `json:"references,omitempty"`
	Hosts       BaselineCounts    `json:"hosts"`
}

// BaselineItemHost is one host's result of one check.
type BaselineItemHost struct {
	HostID    int64      `json:"host_id"`
	Hostname  string     `json:"hostname"`
	Status    string     `json:"status"`
	Reason    string     `json:"reason,omitempty"`
	Evidence  []string   `json:"evidence,omitempty"`
	ScannedAt *time.Time `json:"scanned_at,omitempty"`
}

// BaselineHost is one policy's latest score on one host (the host view).
type BaselineHost struct {
	HostID    int64          `json:"host_id"`
	Hostname  string         `json:"hostname"`
	Policy    string         `json:"policy"`
	Title     string         `json:"title"`
	Version   string         `json:"version,omitempty"`
	Score     float64        `json:"score"`
	Checks    BaselineCounts `json:"checks"`
	ScannedAt *time.Time     `json:"scanned_at,omitempty"`
}

// BaselineHostDetail is one host's policies with their (by default
// failed and errored) checks.
type BaselineHostDetail struct {
	HostID   int64                `json:"host_id"`
	Hostname string               `json:"hostname"`
	Policies []BaselineHostPolicy `json:"policies"`
}

// BaselineHostPolicy is one policy of a host: score, counts and results.
type BaselineHostPolicy struct {
	BaselineHost
	Results []BaselineResult `json:"results"`
}

// BaselineResult is one check's result on a host, with its remediation.
type BaselineResult struct {
	Check       string            `json:"check"`
	Title       string            `json:"title"`
	TitleZH     string            `json:"title_zh,omitempty"`
	Severity    model.Severity    `json:"severity"`
	Status      string            `json:"status"`
	Reason      string            `json:"reason,omitempty"`
	Evidence    []string          `json:"evidence,omitempty"`
	Remediation string            `json:"remediation,omitempty"`
	References  []model.Reference `json:"references,omitempty"`
}

// BaselineRun is one policy run on a host (history).
type BaselineRun struct {
	Policy    string         `json:"policy"`
	ScannedAt *time.Time     `json:"scanned_at"`
	Score     float64        `json:"score"`
	Checks    BaselineCounts `json:"checks"`
}

// BaselineTaskParams are the params of a "baseline" task:
// {"policies": ["debian12-l1", ...] or "auto", "level": "2,mlps3",
// "overrides": {"password_max_days": "180"}}.
type BaselineTaskParams struct {
	// Policies are shipped policy ids, or "auto": the policies that fit
	// each host's OS and applications.
	Policies PolicyList `json:"policies"`
	// Level picks the profile levels "auto" chooses: CIS "1" or "2",
	// 等保 "mlps2" or "mlps3", comma-separated (default "1").
	Level string `json:"level,omitempty"`
	// Overrides set policy parameters, e.g. {"password_max_days": "180"};
	// each name must be a parameter of the named policies (of some
	// shipped policy with "auto").
	Overrides map[string]string `json:"overrides,omitempty"`
}

// PolicyList is a list of policy ids; the string "auto" stands for
// ["auto"].
type PolicyList []string

// UnmarshalJSON accepts a list of ids or a single string.
func (l *PolicyList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = PolicyList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New(`policies must be a list of policy ids or "auto"`)
	}
	*l = many
	return nil
}
