package agent

import "github.com/ward-sec/ward/internal/fleet/proto"

// The messages of docs/fleet.md, from internal/fleet/proto.
type (
	TaskMessage   = proto.TaskMessage
	Heartbeat     = proto.Heartbeat
	ResultMessage = proto.ResultMessage
)

// InventoryParams are the Params of an "inventory" task.
type InventoryParams struct {
	// Full asks for a full inventory instead of a delta (the server lost
	// or could not apply the base).
	Full bool `json:"full,omitempty"`
}

// Result kinds (the spool uses the same names to tell the inventory chain
// from what it must keep).
const (
	KindInventory      = proto.KindInventory
	KindInventoryDelta = proto.KindInventoryDelta
	KindFindings       = proto.KindFindings
	KindTaskStatus     = proto.KindTaskStatus
)

// Task types and statuses.
const (
	TaskInventory = "inventory"

	StatusRunning = proto.StatusRunning
	StatusDone    = proto.StatusDone
	StatusFailed  = proto.StatusFailed

	// ScopePosture is the findings scope of the posture detectors that
	// every scan runs.
	ScopePosture = "posture"
)

// DefaultMaxMessageBytes keeps a result under NATS's 8 MiB max_payload,
// with room for headers.
const DefaultMaxMessageBytes = 8<<20 - 64<<10
