package spool

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Result kinds, as in docs/fleet.md. The spool only needs to tell the
// inventory chain (which it may drop) from everything else (which it keeps).
const (
	KindInventory      = "inventory"
	KindInventoryDelta = "inventory-delta"
	KindFindings       = "findings"
	KindTaskStatus     = "task-status"
)

// Message is one result waiting for its PubAck.
type Message struct {
	ID      string // message id, published as Nats-Msg-Id
	Kind    string
	Created time.Time
	Payload []byte
}

// droppable reports whether the spool may evict a message of this kind to
// make room: only inventory snapshots, which a later scan supersedes.
// Unknown kinds are kept, like findings.
func droppable(kind string) bool { return kind == KindInventory || kind == KindInventoryDelta }

// Limits on the metadata of a message; ids end up in NATS headers and in
// indexed database columns.
const (
	maxIDLen     = 512
	maxKindLen   = 64
	maxHeaderLen = 4096
)

// fileMagic starts every spool file: a format version, so a later Ward can
// tell old files from new ones.
var fileMagic = []byte("ward-spool 1\n")

// header is the JSON line after the magic. Size and SHA256 of the payload
// detect truncated or damaged files.
type header struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Created time.Time `json:"created"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"`
}

func (m *Message) validate() error {
	switch {
	case m.ID == "":
		return errors.New("message without id")
	case len(m.ID) > maxIDLen:
		return fmt.Errorf("message id longer than %d bytes", maxIDLen)
	case m.Kind == "":
		return fmt.Errorf("message %s without kind", m.ID)
	case len(m.Kind) > maxKindLen:
		return fmt.Errorf("message %s: kind longer than %d bytes", m.ID, maxKindLen)
	}
	return nil
}

// encode renders m as a spool file.
func encode(m *Message) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(m.Payload)
	h, err := json.Marshal(header{ID: m.ID, Kind: m.Kind, Created: m.Created.UTC(), Size: int64(len(m.Payload)), SHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		return nil, fmt.Errorf("encode spool header of %s: %w", m.ID, err)
	}
	if len(h) > maxHeaderLen {
		return nil, fmt.Errorf("spool header of %s longer than %d bytes", m.ID, maxHeaderLen)
	}
	out := make([]byte, 0, len(fileMagic)+len(h)+1+len(m.Payload))
	out = append(out, fileMagic...)
	out = append(out, h...)
	out = append(out, '\n')
	return append(out, m.Payload...), nil
}

// decodeHeader parses the magic and header line at the start of b (which
// may be only a prefix of the file) and returns the header and the offset
// of the payload.
func decodeHeader(b []byte) (header, int, error) {
	var h header
	if !bytes.HasPrefix(b, fileMagic) {
		return h, 0, errors.New("not a spool file (bad magic)")
	}
	rest := b[len(fileMagic):]
	nl := bytes.IndexByte(rest[:min(len(rest), maxHeaderLen+1)], '\n')
	if nl < 0 {
		return h, 0, errors.New("spool header missing or too long")
	}
	dec := json.NewDecoder(bytes.NewReader(rest[:nl]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return h, 0, fmt.Errorf("spool header: %w", err)
	}
	if dec.More() {
		return h, 0, errors.New("spool header: trailing data")
	}
	m := Message{ID: h.ID, Kind: h.Kind}
	if err := m.validate(); err != nil {
		return h, 0, fmt.Errorf("spool header: %w", err)
	}
	if h.Size < 0 {
		return h, 0, fmt.Errorf("spool header of %s: negative size", h.ID)
	}
	if len(h.SHA256) != sha256.Size*2 {
		return h, 0, fmt.Errorf("spool header of %s: bad checksum field", h.ID)
	}
	return h, len(fileMagic) + nl + 1, nil
}

// decode parses a whole spool file, checking its length and checksum: a
// file cut short by a crash or damaged on disk is an error, never a panic.
func decode(b []byte) (Message, error) {
	h, off, err := decodeHeader(b)
	if err != nil {
		return Message{}, err
	}
	payload := b[off:]
	if int64(len(payload)) != h.Size {
		return Message{}, fmt.Errorf("spool file of %s: payload is %d bytes, header says %d", h.ID, len(payload), h.Size)
	}
	sum := sha256.Sum256(payload)
	if hex.EncodeToString(sum[:]) != h.SHA256 {
		return Message{}, fmt.Errorf("spool file of %s: checksum mismatch", h.ID)
	}
	return Message{ID: h.ID, Kind: h.Kind, Created: h.Created, Payload: payload}, nil
}
