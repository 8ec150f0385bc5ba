// Package wire holds the JSON request and response bodies of Ward's HTTP
// API (/api/v1). The server (internal/api) writes them and the admin CLI
// (internal/cli) reads them, so both agree on one definition; it depends on
// nothing but the model.
//
// Times are RFC 3339 in UTC; an absent time is left out. Lists are
// {"items": [...], "next_cursor": "..."}: pass next_cursor back as
// ?cursor= for the next page; it is absent on the last page.
package wire

import (
	"encoding/json"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Error is the body of every error response.
type Error struct {
	Error string `json:"error"`
	// Field names the request field or query parameter at fault.
	Field string `json:"field,omitempty"`
	// RequestID identifies a 500 in the server's log.
	RequestID string `json:"request_id,omitempty"`
}

// List is one page of a paginated list.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// QueryResult is the answer of a fleet query; Truncated says the limit cut
// it short.
type QueryResult[T any] struct {
	Items     []T  `json:"items"`
	Truncated bool `json:"truncated"`
}

// Health is the body of GET /healthz.
type Health struct {
	Status   string `json:"status"` // "ok" or "unavailable"
	Database string `json:"database,omitempty"`
}

// Whoami is the caller as the server sees them.
type Whoami struct {
	User    string `json:"user"`
	Role    string `json:"role"`
	TokenID int64  `json:"token_id"`
}

// Host is a machine known to the server.
type Host struct {
	ID          int64             `json:"id"`
	Hostname    string            `json:"hostname"`
	OSID        string            `json:"os_id"`
	OSVersion   string            `json:"os_version"`
	Kernel      string            `json:"kernel,omitempty"`
	Arch        string            `json:"arch,omitempty"`
	Labels      map[string]string `json:"labels"`
	AgentStatus string            `json:"agent_status"` // none, enrolled, revoked
	Online      bool              `json:"online"`
	FirstSeen   *time.Time        `json:"first_seen,omitempty"`
	LastSeen    *time.Time        `json:"last_seen,omitempty"`
	InventoryAt *time.Time        `json:"inventory_at,omitempty"`
}

// HostDetail is one host with its agents and open findings per severity.
type HostDetail struct {
	Host
	Agents       []Agent        `json:"agents"`
	OpenFindings map[string]int `json:"open_findings"`
}

// Agent is an enrolled agent of a host.
type Agent struct {
	ID     int64 `json:"id"`
	HostID int64 `json:"host_id"`
	// CredentialID is the agent's identity on the message bus.
	CredentialID    string     `json:"credential_id"`
	CertFingerprint string     `json:"cert_fingerprint,omitempty"`
	CertSerial      string     `json:"cert_serial,omitempty"`
	Version         string     `json:"version,omitempty"`
	EnrolledAt      *time.Time `json:"enrolled_at,omitempty"`
	RevokedAt       *time.Time `json:"revoked_at,omitempty"`
	LastHeartbeat   *time.Time `json:"last_heartbeat,omitempty"`
	CPUPercent      float64    `json:"cpu_percent"`
	RSSBytes        int64      `json:"rss_bytes"`
}

// SoftwareHit is a host's package matching a software query.
type SoftwareHit struct {
	HostID   int64         `json:"host_id"`
	Hostname string        `json:"hostname"`
	Package  model.Package `json:"package"`
}

// PortHit is a listening socket matching a port query.
type PortHit struct {
	HostID   int64  `json:"host_id"`
	Hostname string `json:"hostname"`
	Proto    string `json:"proto"`
	Addr     string `json:"addr"`
	Port     int    `json:"port"`
	Process  string `json:"process,omitempty"`
	PID      int    `json:"pid,omitempty"`
}

// AppHit is an application matching an application query.
type AppHit struct {
	HostID   int64  `json:"host_id"`
	Hostname string `json:"hostname"`
	Name     string `json:"name"`
	Version  string `json:"version,omitempty"`
	Category string `json:"category,omitempty"`
	Running  bool   `json:"running"`
}

// AccountHit is a local account matching an account query.
type AccountHit struct {
	HostID   int64  `json:"host_id"`
	Hostname string `json:"hostname"`
	Name     string `json:"name"`
	UID      int    `json:"uid"`
	GID      int    `json:"gid"`
	Shell    string `json:"shell,omitempty"`
	CanLogin bool   `json:"can_login"`
	Password string `json:"password"`
}

// TaskTarget says which hosts a task runs on: all of them, or the listed
// hosts together with the hosts carrying all the labels.
type TaskTarget struct {
	All    bool              `json:"all,omitempty"`
	Hosts  []int64           `json:"hosts,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

// CreateTask is the body of POST /tasks.
type CreateTask struct {
	Type   string          `json:"type"`
	Target TaskTarget      `json:"target"`
	Params json.RawMessage `json:"params,omitempty"`
	// Schedule is a 5-field cron expression; empty runs the task once, now.
	Schedule string `json:"schedule,omitempty"`
}

// Task is work sent to agents.
type Task struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	Target    TaskTarget      `json:"target"`
	Params    json.RawMessage `json:"params,omitempty"`
	Schedule  string          `json:"schedule,omitempty"`
	CreatedBy string          `json:"created_by"`
	CreatedAt *time.Time      `json:"created_at,omitempty"`
	// Runs counts the task's runs per status (queued, running, done...);
	// only in answers about one task.
	Runs map[string]int `json:"runs,omitempty"`
}

// TaskDetail is a task with (a page of) its per-host runs.
type TaskDetail struct {
	Task
	HostRuns List[TaskRun] `json:"host_runs"`
}

// TaskRun is one task on one host.
type TaskRun struct {
	ID         int64      `json:"id"`
	TaskID     int64      `json:"task_id"`
	HostID     int64      `json:"host_id"`
	Status     string     `json:"status"` // queued, running, done, failed, timeout
	QueuedAt   *time.Time `json:"queued_at,omitempty"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Error      string     `json:"error,omitempty"`
}

// TaskType is a kind of task the server knows.
type TaskType struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Finding is a finding of a host with its lifecycle.
type Finding struct {
	HostID int64 `json:"host_id"`
	model.Finding
	Scope      string     `json:"scope"`
	Status     string     `json:"status"` // open, resolved, suppressed
	FirstSeen  *time.Time `json:"first_seen,omitempty"`
	LastSeen   *time.Time `json:"last_seen,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// SuppressFinding is the (optional) body of POST /findings/{host}/{id}/suppress.
type SuppressFinding struct {
	Reason string `json:"reason,omitempty"`
}

// CreateEnrollmentToken is the body of POST /enrollment-tokens.
type CreateEnrollmentToken struct {
	// TTL is a Go duration ("24h", "30m"); default 24h.
	TTL         string            `json:"ttl,omitempty"`
	MaxUses     int               `json:"max_uses,omitempty"` // default 1
	Labels      map[string]string `json:"labels,omitempty"`
	Description string            `json:"description,omitempty"`
}

// EnrollmentToken is an enrollment token; Token (ward1.<ca-fp>.<secret>)
// is only present in the answer to its creation.
type EnrollmentToken struct {
	ID          int64             `json:"id"`
	Token       string            `json:"token,omitempty"`
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	MaxUses     int               `json:"max_uses"`
	Uses        int               `json:"uses"`
	// Status is active, expired, used-up or revoked.
	Status    string     `json:"status"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedBy string     `json:"created_by"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// CreateAPIToken is the body of POST /api-tokens.
type CreateAPIToken struct {
	Name string `json:"name"`
	Role string `json:"role"` // admin, operator, viewer
	// User owns the token (default: the caller); the role must be within
	// the user's.
	User string `json:"user,omitempty"`
	// TTL is a Go duration; empty never expires.
	TTL string `json:"ttl,omitempty"`
}

// APIToken is an API token; Token (the secret) is only present in the
// answer to its creation.
type APIToken struct {
	ID         int64      `json:"id"`
	Token      string     `json:"token,omitempty"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	User       string     `json:"user"`
	UserID     int64      `json:"user_id"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// CreateUser is the body of POST /users.
type CreateUser struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// User is a person or service using the API.
type User struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

// AuditEntry records who did what to what.
type AuditEntry struct {
	ID      int64           `json:"id"`
	At      *time.Time      `json:"at,omitempty"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Target  string          `json:"target,omitempty"`
	Details json.RawMessage `json:"details,omitempty"`
}

// Time returns a pointer to t in UTC, or nil for the zero time, for the
// optional time fields.
func Time(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
