package agent

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ward-sec/ward/internal/agent/atomicfile"
	"github.com/ward-sec/ward/internal/model"
)

// snapshot is an inventory with the JSON it was hashed from.
type snapshot struct {
	inv  *model.Inventory
	raw  []byte
	hash string // hex SHA-256 of raw
}

// newSnapshot encodes inv and decodes it again, so that the inventory the
// agent diffs and the one it later reads back from disk are alike to the
// bit (time zones, nil versus empty slices) and Diff sees no false changes.
func newSnapshot(inv *model.Inventory) (*snapshot, error) {
	raw, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("encode inventory: %w", err)
	}
	return decodeSnapshot(raw)
}

func decodeSnapshot(raw []byte) (*snapshot, error) {
	var inv model.Inventory
	if err := json.Unmarshal(raw, &inv); err != nil {
		return nil, fmt.Errorf("decode inventory: %w", err)
	}
	return &snapshot{inv: &inv, raw: raw, hash: hashOf(raw)}, nil
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// baseStore keeps on disk the inventory the next delta is computed
// against: the one the server will hold once it has applied every
// inventory message put in the spool so far (the spool is delivered in
// order). The file is "ward-base 1 <sha256>\n" and the inventory JSON.
//
// Updating it and putting the report in the spool cannot be one atomic
// step, so a report first writes the new base as the ".next" file, puts its
// messages, then renames. A ".next" file found on start means a crash in
// between: the base is unknown and the next report is full.
type baseStore struct{ dir string }

const (
	baseFile     = "inventory-base"
	baseNextFile = "inventory-base.next"
	baseMagic    = "ward-base 1 "
)

func (b baseStore) path(name string) string { return filepath.Join(b.dir, name) }

// recover clears a base left uncertain by a crash; it reports whether it did.
func (b baseStore) recover() (bool, error) {
	if _, err := os.Stat(b.path(baseNextFile)); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return true, b.reset()
}

// load returns the base, or nil when there is none or it is damaged (then
// the next report is full, which repairs everything).
func (b baseStore) load() (*snapshot, error) {
	data, err := os.ReadFile(b.path(baseFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read inventory base: %w", err)
	}
	hdr, raw, ok := bytes.Cut(data, []byte("\n"))
	want, isBase := bytes.CutPrefix(hdr, []byte(baseMagic))
	if !ok || !isBase || string(want) != hashOf(raw) {
		return nil, errors.New("inventory base damaged (bad header or checksum)")
	}
	return decodeSnapshot(raw)
}

func (b baseStore) prepare(s *snapshot) error {
	data := make([]byte, 0, len(baseMagic)+len(s.hash)+1+len(s.raw))
	data = append(append(append(append(data, baseMagic...), s.hash...), '\n'), s.raw...)
	if err := atomicfile.Write(b.dir, baseNextFile, data); err != nil {
		return fmt.Errorf("write inventory base: %w", err)
	}
	return nil
}

func (b baseStore) commit() error {
	if err := os.Rename(b.path(baseNextFile), b.path(baseFile)); err != nil {
		return fmt.Errorf("commit inventory base: %w", err)
	}
	return atomicfile.SyncDir(b.dir)
}

// reset forgets the base: the next report is full.
func (b baseStore) reset() error {
	var errs []error
	for _, name := range []string{baseNextFile, baseFile} {
		if err := os.Remove(b.path(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("reset inventory base: %w", err)
	}
	return atomicfile.SyncDir(b.dir)
}
