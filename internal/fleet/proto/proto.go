// Package proto holds the messages the server and agents exchange over
// NATS (docs/fleet.md), as plain JSON-encoded structs.
package proto

import (
	"encoding/json"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Result kinds: the last token of ward.result.<agent>.<kind>.
const (
	KindInventory      = "inventory"
	KindInventoryDelta = "inventory-delta"
	KindFindings       = "findings"
	KindTaskStatus     = "task-status"
)

// Task run statuses reported in a task-status result.
const (
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// TaskMessage is a task run the server sends an agent on ward.task.<agent>.
type TaskMessage struct {
	RunID    string          `json:"run_id"`
	TaskID   string          `json:"task_id"`
	Type     string          `json:"type"` // inventory, later vuln, weakpass, ...
	Params   json.RawMessage `json:"params,omitempty"`
	Deadline time.Time       `json:"deadline"`
}

// Heartbeat is what an agent publishes on ward.hb.<agent> every 30 s.
type Heartbeat struct {
	AgentID    string    `json:"agent_id"`
	Version    string    `json:"version"`
	Time       time.Time `json:"time"`
	CPUPercent float64   `json:"cpu_percent"`
	RSSBytes   uint64    `json:"rss_bytes"`
	// Spooled is the number of results waiting in the agent's spool.
	Spooled int `json:"spooled"`
	// Running are the run ids the agent is working on.
	Running []string `json:"running,omitempty"`
}

// ResultMessage is one result an agent publishes to JetStream on
// ward.result.<agent>.<kind>, with header Nats-Msg-Id = MsgID.
type ResultMessage struct {
	MsgID   string    `json:"msg_id"`
	AgentID string    `json:"agent_id"`
	RunID   string    `json:"run_id,omitempty"`
	Kind    string    `json:"kind"`
	Time    time.Time `json:"time"`

	// Inventory is a full report (the first, or after the server asks).
	Inventory *model.Inventory `json:"inventory,omitempty"`
	// Delta holds the changes since the inventory hashed in BaseHash. It
	// is the JSON of store.InventoryDelta, kept raw here so the transport
	// does not depend on the store.
	Delta    json.RawMessage `json:"delta,omitempty"`
	BaseHash string          `json:"base_hash,omitempty"`

	// Findings replace the open findings of Scope for the host.
	Findings []model.Finding `json:"findings,omitempty"`
	Scope    string          `json:"scope,omitempty"`

	// Data is the payload of capability-specific kinds (e.g. every
	// baseline check result), as that capability's JSON.
	Data json.RawMessage `json:"data,omitempty"`

	// Status and Error report a task run (Kind task-status).
	Status string `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}
