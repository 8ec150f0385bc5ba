package store

import (
	"bytes"
	"encoding/json"
)

// WithheldParams is what the tasks table holds for a task whose params
// are secrets (the passwords of a leaked-password query): the real
// params live in the server's memory only, for dispatch, and are never
// written to the database.
var WithheldParams = json.RawMessage(`{"withheld":"secret parameters are kept in server memory only"}`)

// Withheld reports whether a task's stored params are the placeholder.
func Withheld(params json.RawMessage) bool { return bytes.Equal(params, WithheldParams) }
