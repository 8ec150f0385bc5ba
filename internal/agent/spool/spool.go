// Package spool is the agent's on-disk queue of results waiting for their
// PubAck: one file per message, written atomically before publishing and
// removed after the server's JetStream has stored it, so a crash or an
// outage loses nothing and a replay sends the same message ids again.
//
// The spool is bounded. When full it drops the oldest inventory snapshots
// (full or delta), which a later scan supersedes, and never findings or
// task status. Deltas form a chain (each applies to the inventory the one
// before produced), so dropping one also drops the deltas after it and,
// unless a full inventory follows, records that the next inventory must be
// a full report (NeedFull).
package spool

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ward-sec/ward/internal/agent/atomicfile"
)

// Defaults for Options.
const (
	DefaultMaxBytes = 256 << 20
	DefaultMaxCount = 10_000
)

const (
	fileSuffix     = ".msg"
	needFullFile   = "need-full"
	quarantineDir  = "quarantine"
	maxQuarantined = 32 // oldest quarantined files beyond this are deleted
)

var (
	// ErrFull: the spool holds only messages it must not drop and the new
	// one does not fit.
	ErrFull = errors.New("spool full")
	// ErrNeedFull: a delta was refused because the inventory chain it
	// builds on was dropped; send a full inventory instead.
	ErrNeedFull = errors.New("inventory chain broken, the next inventory must be a full report")
	// ErrUnknownID: no message with that id is spooled.
	ErrUnknownID = errors.New("no such message in the spool")
	// ErrCorrupt: the message's file was damaged; it was quarantined.
	ErrCorrupt = errors.New("corrupt spool file")
)

// Options bound the spool; zero values mean the defaults.
type Options struct {
	MaxBytes int64 // total size of the message files
	MaxCount int
	Logger   *slog.Logger
}

// Entry describes one spooled message.
type Entry struct {
	ID      string
	Kind    string
	Created time.Time
	Size    int64 // bytes on disk
}

type entry struct {
	Entry
	seq uint64 // file name; replay order is seq order
}

// Spool is safe for concurrent use.
type Spool struct {
	dir      string
	maxBytes int64
	maxCount int
	log      *slog.Logger

	mu       sync.Mutex
	entries  []entry // ascending seq
	bytes    int64
	nextSeq  uint64
	needFull bool
}

// Open opens (creating it 0700 if needed) the spool in dir and indexes the
// messages already there. Leftover temp files of an interrupted Put are
// removed; damaged files are quarantined with a warning.
func Open(dir string, opts Options) (*Spool, error) {
	s := &Spool{dir: dir, maxBytes: opts.MaxBytes, maxCount: opts.MaxCount, log: opts.Logger, nextSeq: 1}
	if s.maxBytes <= 0 {
		s.maxBytes = DefaultMaxBytes
	}
	if s.maxCount <= 0 {
		s.maxCount = DefaultMaxCount
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create spool dir: %w", err)
	}
	// Results hold the host's whole inventory: owner only, even if the
	// directory existed with looser permissions.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool dir permissions: %w", err)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read spool dir: %w", err)
	}
	var damaged []uint64
	for _, de := range des {
		name := de.Name()
		switch {
		case de.IsDir():
		case strings.HasPrefix(name, atomicfile.TempPrefix):
			// A Put that crashed before its rename: the message was never
			// spooled, so never published; the caller did not see success.
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				s.log.Warn("spool: cannot remove leftover temp file", "file", name, "err", err)
			}
		case name == needFullFile:
			s.needFull = true
		case strings.HasSuffix(name, fileSuffix):
			seq, err := strconv.ParseUint(strings.TrimSuffix(name, fileSuffix), 10, 64)
			if err != nil {
				continue // not ours
			}
			s.nextSeq = max(s.nextSeq, seq+1)
			e, err := s.readEntry(seq)
			if err != nil {
				s.quarantineFile(seq, err)
				damaged = append(damaged, seq)
				continue
			}
			s.entries = append(s.entries, e)
		}
	}
	slices.SortFunc(s.entries, func(a, b entry) int { return cmpSeq(a.seq, b.seq) })
	s.entries = slices.CompactFunc(s.entries, func(a, b entry) bool {
		if a.ID == b.ID {
			// Put refuses duplicates; two files with one id mean someone
			// copied files around. Replaying both is harmless (JetStream
			// dedups) but keep the first only.
			s.log.Warn("spool: duplicate message id, keeping the older file", "id", a.ID)
			os.Remove(s.path(b.seq))
			return true
		}
		return false
	})
	for _, e := range s.entries {
		s.bytes += e.Size
	}
	// A damaged file of unknown kind may have been part of the inventory
	// chain: treat it as such, which at worst costs one full report.
	for _, seq := range damaged {
		if err := s.breakChainAt(seq, "after a damaged spool file"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *Spool) path(seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%020d%s", seq, fileSuffix))
}

// readEntry reads only the header of a message file (the payload is checked
// when the message is read for publishing) and its size.
func (s *Spool) readEntry(seq uint64) (entry, error) {
	f, err := os.Open(s.path(seq))
	if err != nil {
		return entry{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return entry{}, err
	}
	buf := make([]byte, len(fileMagic)+maxHeaderLen+1)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return entry{}, err
	}
	h, off, err := decodeHeader(buf[:n])
	if err != nil {
		return entry{}, err
	}
	if st.Size() != int64(off)+h.Size {
		return entry{}, fmt.Errorf("file is %d bytes, header says %d", st.Size(), int64(off)+h.Size)
	}
	return entry{Entry: Entry{ID: h.ID, Kind: h.Kind, Created: h.Created, Size: st.Size()}, seq: seq}, nil
}

// Put writes m durably (fsync before returning) behind the messages already
// spooled, dropping old inventory snapshots if the bounds require it.
func (s *Spool) Put(m Message) error {
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	data, err := encode(&m)
	if err != nil {
		return fmt.Errorf("spool put: %w", err)
	}
	size := int64(len(data))
	if size > s.maxBytes {
		return fmt.Errorf("spool put %s: %w: message is %d bytes, the spool holds at most %d", m.ID, ErrFull, size, s.maxBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.find(m.ID) >= 0 {
		return fmt.Errorf("spool put: message %s is already spooled", m.ID)
	}
	if m.Kind == KindInventoryDelta && s.needFull {
		return fmt.Errorf("spool put %s: %w", m.ID, ErrNeedFull)
	}
	overCount := len(s.entries) + 1 - s.maxCount
	overBytes := s.bytes + size - s.maxBytes
	if overCount > 0 || overBytes > 0 {
		victims, breaks, ok := planEviction(s.entries, overCount, overBytes)
		if !ok {
			return fmt.Errorf("spool put %s (%s, %d bytes): %w: %d messages in %d bytes (limits %d, %d bytes) and not enough inventory snapshots to drop",
				m.ID, m.Kind, size, ErrFull, len(s.entries), s.bytes, s.maxCount, s.maxBytes)
		}
		s.remove(victims, "spool full: dropped inventory snapshot")
		if breaks {
			if err := s.setNeedFull(true); err != nil {
				return err
			}
			if m.Kind == KindInventoryDelta {
				return fmt.Errorf("spool put %s: %w", m.ID, ErrNeedFull)
			}
		}
	}
	seq := s.nextSeq
	if err := atomicfile.Write(s.dir, filepath.Base(s.path(seq)), data); err != nil {
		return fmt.Errorf("spool put %s: %w", m.ID, err)
	}
	s.nextSeq++
	s.entries = append(s.entries, entry{Entry: Entry{ID: m.ID, Kind: m.Kind, Created: m.Created.UTC(), Size: size}, seq: seq})
	s.bytes += size
	if m.Kind == KindInventory && s.needFull {
		// A full inventory restarts the chain.
		return s.setNeedFull(false)
	}
	return nil
}

// Pending lists the spooled messages in the order they were put.
func (s *Spool) Pending() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Entry, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.Entry
	}
	return out
}

// Len is the number of spooled messages.
func (s *Spool) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Bytes is the size of the spooled messages on disk.
func (s *Spool) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// NeedFull reports whether an inventory snapshot was dropped with no full
// inventory after it: the next inventory must be full (Put of a full
// inventory clears it; Put of a delta fails with ErrNeedFull meanwhile).
func (s *Spool) NeedFull() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.needFull
}

// Get reads a spooled message. A damaged file is quarantined and reported
// as ErrCorrupt; the caller moves on to the next message.
func (s *Spool) Get(id string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(id)
	if i < 0 {
		return Message{}, fmt.Errorf("spool get %s: %w", id, ErrUnknownID)
	}
	seq := s.entries[i].seq
	b, err := os.ReadFile(s.path(seq))
	var m Message
	if err == nil {
		m, err = decode(b)
	}
	if err == nil && m.ID != id {
		err = fmt.Errorf("file holds message %s", m.ID)
	}
	if err != nil {
		s.bytes -= s.entries[i].Size
		s.entries = slices.Delete(s.entries, i, i+1)
		s.quarantineFile(seq, err)
		if cerr := s.breakChainAt(seq, "after a damaged spool file"); cerr != nil {
			s.log.Warn("spool: cannot record chain break", "err", cerr)
		}
		return Message{}, fmt.Errorf("spool get %s: %w: %v", id, ErrCorrupt, err)
	}
	return m, nil
}

// Ack removes a message once the server has stored it.
func (s *Spool) Ack(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(id)
	if i < 0 {
		return fmt.Errorf("spool ack %s: %w", id, ErrUnknownID)
	}
	e := s.entries[i]
	// No directory fsync: if the removal is lost in a crash the message is
	// replayed with its id and JetStream drops the duplicate.
	if err := os.Remove(s.path(e.seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool ack %s: %w", id, err)
	}
	s.entries = slices.Delete(s.entries, i, i+1)
	s.bytes -= e.Size
	return nil
}

func (s *Spool) find(id string) int {
	return slices.IndexFunc(s.entries, func(e entry) bool { return e.ID == id })
}

// remove deletes the entries at the given ascending indices.
func (s *Spool) remove(idx []int, why string) {
	for _, i := range slices.Backward(idx) {
		e := s.entries[i]
		if err := os.Remove(s.path(e.seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("spool: cannot remove message file", "id", e.ID, "err", err)
		}
		s.log.Warn(why, "id", e.ID, "kind", e.Kind, "created", e.Created, "bytes", e.Size)
		s.bytes -= e.Size
		s.entries = slices.Delete(s.entries, i, i+1)
	}
}

// breakChainAt handles the loss of a possible inventory-chain message at
// seq (already removed from the index): the deltas after it up to the next
// full inventory are useless and go too, and with no full inventory after
// it the next inventory must be full.
func (s *Spool) breakChainAt(seq uint64, why string) error {
	var deps []int
	full := false
	for i, e := range s.entries {
		if e.seq < seq {
			continue
		}
		if e.Kind == KindInventory {
			full = true
			break
		}
		if e.Kind == KindInventoryDelta {
			deps = append(deps, i)
		}
	}
	s.remove(deps, "spool: dropped inventory delta "+why)
	if !full {
		return s.setNeedFull(true)
	}
	return nil
}

func (s *Spool) setNeedFull(v bool) error {
	p := filepath.Join(s.dir, needFullFile)
	var err error
	if v {
		err = atomicfile.Write(s.dir, needFullFile, []byte("an inventory snapshot was dropped; the next inventory must be a full report\n"))
	} else if err = os.Remove(p); errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("spool: record need-full=%v: %w", v, err)
	}
	s.needFull = v
	return nil
}

// quarantineFile moves a damaged message file aside (keeping the newest
// few for inspection) and warns.
func (s *Spool) quarantineFile(seq uint64, cause error) {
	src := s.path(seq)
	qdir := filepath.Join(s.dir, quarantineDir)
	dst := filepath.Join(qdir, fmt.Sprintf("%s.%d", filepath.Base(src), time.Now().UnixNano()))
	s.log.Warn("spool: quarantined damaged message file", "file", src, "to", dst, "err", cause)
	if err := os.MkdirAll(qdir, 0o700); err == nil {
		err = os.Rename(src, dst)
		if err == nil {
			s.pruneQuarantine(qdir)
			return
		}
	}
	// Cannot move it: remove it so it is not read again on every start.
	if err := os.Remove(src); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("spool: cannot remove damaged message file", "file", src, "err", err)
	}
}

func (s *Spool) pruneQuarantine(qdir string) {
	des, err := os.ReadDir(qdir)
	if err != nil || len(des) <= maxQuarantined {
		return
	}
	// Names start with the zero-padded seq, so name order is age order.
	for _, de := range des[:len(des)-maxQuarantined] {
		os.Remove(filepath.Join(qdir, de.Name()))
	}
}
