package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// TaskType is a kind of task POST /tasks accepts.
type TaskType struct {
	Name        string
	Description string
	// CheckParams validates the task's params (nil or empty when none
	// were given); nil accepts only no params.
	CheckParams func(params json.RawMessage) error
	// SecretParams: the params are secrets (e.g. leaked passwords). They
	// are never stored, logged or audited: the tasks table holds
	// store.WithheldParams and the real params go to
	// Options.KeepSecretParams, in the server's memory, for dispatch. Such
	// a task cannot be scheduled.
	SecretParams bool
}

// InventoryParams are the params of an inventory task.
type InventoryParams struct {
	// Full asks for a full inventory instead of a delta against the last
	// one the server acknowledged.
	Full bool `json:"full,omitempty"`
}

// DefaultTaskTypes are the task types agents run today.
func DefaultTaskTypes() []TaskType {
	return []TaskType{{
		Name:        "inventory",
		Description: `collect the host inventory; params {"full": true} ask for a full report instead of a delta`,
		CheckParams: func(params json.RawMessage) error {
			var p InventoryParams
			return strictParams(params, &p)
		},
	}}
}

// strictParams decodes params into dst rejecting unknown fields; empty
// params are fine.
func strictParams(params json.RawMessage, dst any) error {
	if len(bytes.TrimSpace(params)) == 0 || string(bytes.TrimSpace(params)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(params))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if name, ok := unknownField(err.Error()); ok {
			return fmt.Errorf("unknown parameter %q", name)
		}
		return err
	}
	return nil
}

// taskTypeNames lists the registered task types, sorted.
func (s *server) taskTypeNames() []string { return slices.Sorted(maps.Keys(s.taskTypes)) }

// knownTaskTypes lists them for error messages.
func (s *server) knownTaskTypes() string { return strings.Join(s.taskTypeNames(), ", ") }
