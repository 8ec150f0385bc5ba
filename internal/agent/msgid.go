package agent

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newMsgID returns a random message id (128 bits): unique across agents
// and restarts, so JetStream's and the store's dedup never merge two
// different results.
func newMsgID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails on Linux (getrandom)
	return "msg_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}
