package spool

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/agent/atomicfile"
)

func testLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func open(t *testing.T, dir string, opts Options) *Spool {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func msg(id, kind string, size int) Message {
	return Message{ID: id, Kind: kind, Payload: bytes.Repeat([]byte("x"), size)}
}

func ids(es []Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return strings.Join(out, ",")
}

func mustPut(t *testing.T, s *Spool, ms ...Message) {
	t.Helper()
	for _, m := range ms {
		if err := s.Put(m); err != nil {
			t.Fatalf("put %s: %v", m.ID, err)
		}
	}
}

func TestOrderAckAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s := open(t, dir, Options{})
	// More than 10 so that name order must be numeric, not lexical.
	var want []string
	for i := range 12 {
		id := fmt.Sprintf("m%d", i)
		want = append(want, id)
		mustPut(t, s, Message{ID: id, Kind: KindFindings, Payload: []byte(`{"n":` + fmt.Sprint(i) + `}`)})
	}
	if got := ids(s.Pending()); got != strings.Join(want, ",") {
		t.Fatalf("pending %s", got)
	}
	m, err := s.Get("m3")
	if err != nil || string(m.Payload) != `{"n":3}` || m.Kind != KindFindings {
		t.Fatalf("get m3: %+v %v", m, err)
	}
	for _, id := range []string{"m0", "m5"} {
		if err := s.Ack(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Ack("m5"); !errors.Is(err, ErrUnknownID) {
		t.Fatalf("second ack: %v", err)
	}

	// Restart: same messages, same order, and new ones go after them.
	s2 := open(t, dir, Options{})
	mustPut(t, s2, msg("new", KindTaskStatus, 3))
	got := ids(s2.Pending())
	if got != "m1,m2,m3,m4,m6,m7,m8,m9,m10,m11,new" {
		t.Fatalf("after reopen: %s", got)
	}
	if s2.Bytes() != s.Bytes()+s2.Pending()[10].Size || s2.Len() != 11 {
		t.Errorf("bytes %d len %d", s2.Bytes(), s2.Len())
	}
	// Acking everything and reopening must not reuse sequence numbers in a
	// way that reorders: an empty spool starts fresh.
	for _, e := range s2.Pending() {
		if err := s2.Ack(e.ID); err != nil {
			t.Fatal(err)
		}
	}
	s3 := open(t, dir, Options{})
	mustPut(t, s3, msg("a", KindFindings, 1), msg("b", KindFindings, 1))
	if got := ids(s3.Pending()); got != "a,b" {
		t.Fatalf("fresh: %s", got)
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir, Options{})
	mustPut(t, s, msg("a", KindFindings, 10))
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v %v", st.Mode(), err)
	}
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		info, _ := de.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", de.Name(), info.Mode())
		}
	}
}

// TestCrashLeftovers simulates crashes at every point of a Put: a temp
// file cut short before the rename is ignored and removed; a message file
// that is truncated or overwritten with garbage (damage the atomic rename
// cannot prevent) is quarantined with a warning, and the rest is kept.
func TestCrashLeftovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s := open(t, dir, Options{})
	mustPut(t, s, msg("f1", KindFindings, 100), msg("f2", KindFindings, 100), msg("f3", KindFindings, 100), msg("s4", KindTaskStatus, 5))
	full, err := os.ReadFile(s.path(1))
	if err != nil {
		t.Fatal(err)
	}
	for i, cut := range []int{0, 5, len(fileMagic) + 10, len(full) - 1} {
		name := fmt.Sprintf("%s%020d%s-%d", atomicfile.TempPrefix, 100+i, fileSuffix, i)
		if err := os.WriteFile(filepath.Join(dir, name), full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(s.path(2), full[:len(full)-7], 0o600); err != nil { // truncated f2
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path(3), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A file of someone else's is left alone.
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hi"), 0o600); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	s2 := open(t, dir, Options{Logger: testLogger(&logs)})
	if got := ids(s2.Pending()); got != "f1,s4" {
		t.Fatalf("pending after crash: %s", got)
	}
	if n := strings.Count(logs.String(), "quarantined"); n != 2 {
		t.Errorf("want 2 quarantine warnings, got %d:\n%s", n, logs.String())
	}
	q, _ := os.ReadDir(filepath.Join(dir, quarantineDir))
	if len(q) != 2 {
		t.Errorf("quarantine holds %d files", len(q))
	}
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), atomicfile.TempPrefix) {
			t.Errorf("temp file %s left", de.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "README")); err != nil {
		t.Errorf("foreign file removed: %v", err)
	}
	// Damaged files of unknown kind may have been inventory: the next
	// inventory is full to be safe.
	if !s2.NeedFull() {
		t.Error("need-full not set after damaged files")
	}
}

// TestCorruptOnRead: a file damaged after Open is found when read for
// publishing; it is quarantined and the caller gets ErrCorrupt.
func TestCorruptOnRead(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	mustPut(t, s, msg("i1", KindInventory, 50), msg("d2", KindInventoryDelta, 50), msg("f3", KindFindings, 50), msg("d4", KindInventoryDelta, 50))
	b, _ := os.ReadFile(s.path(1))
	b[len(b)-1] ^= 1
	if err := os.WriteFile(s.path(1), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("i1"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("get damaged: %v", err)
	}
	// The deltas built on i1 are useless now.
	if got := ids(s.Pending()); got != "f3" {
		t.Fatalf("pending: %s", got)
	}
	if !s.NeedFull() || s.Bytes() != s.Pending()[0].Size {
		t.Fatalf("needFull %v bytes %d", s.NeedFull(), s.Bytes())
	}
}

func TestPutRefusals(t *testing.T) {
	s := open(t, t.TempDir(), Options{MaxBytes: 1000})
	mustPut(t, s, msg("a", KindFindings, 10))
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"duplicate id", msg("a", KindFindings, 1), "already spooled"},
		{"no id", msg("", KindFindings, 1), "without id"},
		{"no kind", msg("b", "", 1), "without kind"},
		{"long id", msg(strings.Repeat("i", maxIDLen+1), KindFindings, 1), "id longer"},
		{"bigger than the spool", msg("c", KindInventory, 2000), "spool full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Put(tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	if got := ids(s.Pending()); got != "a" {
		t.Fatalf("pending %s", got)
	}
}

func kinds(spec string) []entry {
	var es []entry
	for i, c := range spec {
		k := map[rune]string{'F': KindInventory, 'D': KindInventoryDelta, 'X': KindFindings, 'S': KindTaskStatus, '?': "unknown"}[c]
		es = append(es, entry{Entry: Entry{ID: fmt.Sprint(i), Kind: k, Size: 10}, seq: uint64(i + 1)})
	}
	return es
}

func TestPlanEviction(t *testing.T) {
	tests := []struct {
		spool     string // F full inventory, D delta, X findings, S task status, ? unknown kind
		overCount int
		overBytes int64
		victims   string
		breaks    bool
		ok        bool
	}{
		{"FDD", 1, 0, "[0 1 2]", true, true},         // dropping the base takes its deltas
		{"FDDF", 1, 0, "[0 1 2]", false, true},       // a later full inventory keeps the chain
		{"XFDXDFD", 1, 0, "[1 2 4]", false, true},    // findings between deltas stay
		{"XFDXDFD", 4, 0, "[1 2 4 5 6]", true, true}, // second round starts at the next full
		{"XSX", 1, 0, "[]", false, false},            // nothing droppable: refuse
		{"X?DS", 1, 0, "[2]", true, true},            // unknown kinds are kept
		{"FDXF", 0, 25, "[0 1 3]", true, true},       // bytes: 2 victims free 20 < 25
		{"XXFX", 0, 100, "[]", false, false},         // not enough even dropping all
		{"DDF", 1, 0, "[0 1]", false, true},          // spool starting with a delta
		{"", 1, 0, "[]", false, false},               //
		{"FD", 0, 0, "[]", false, true},              // nothing needed
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s-%d-%d", tt.spool, tt.overCount, tt.overBytes), func(t *testing.T) {
			v, breaks, ok := planEviction(kinds(tt.spool), tt.overCount, tt.overBytes)
			if got := fmt.Sprint(v); (ok && got != tt.victims) || breaks != tt.breaks || ok != tt.ok {
				t.Fatalf("got %s breaks=%v ok=%v, want %s %v %v", got, breaks, ok, tt.victims, tt.breaks, tt.ok)
			}
		})
	}
}

// TestEvictionPolicy drives the bounds through Put.
func TestEvictionPolicy(t *testing.T) {
	t.Run("count bound drops the oldest snapshot first", func(t *testing.T) {
		s := open(t, t.TempDir(), Options{MaxCount: 4})
		mustPut(t, s, msg("x1", KindFindings, 1), msg("f2", KindInventory, 1), msg("d3", KindInventoryDelta, 1), msg("f4", KindInventory, 1))
		mustPut(t, s, msg("d5", KindInventoryDelta, 1))
		if got := ids(s.Pending()); got != "x1,f4,d5" || s.NeedFull() {
			t.Fatalf("pending %s needFull %v", got, s.NeedFull())
		}
	})
	t.Run("broken chain refuses the delta and asks for a full report", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir, Options{MaxCount: 3})
		mustPut(t, s, msg("f1", KindInventory, 1), msg("x2", KindFindings, 1), msg("d3", KindInventoryDelta, 1))
		if err := s.Put(msg("d4", KindInventoryDelta, 1)); !errors.Is(err, ErrNeedFull) {
			t.Fatalf("delta on a dropped chain: %v", err)
		}
		if got := ids(s.Pending()); got != "x2" || !s.NeedFull() {
			t.Fatalf("pending %s needFull %v", got, s.NeedFull())
		}
		// Survives a restart.
		s = open(t, dir, Options{MaxCount: 3})
		if !s.NeedFull() {
			t.Fatal("need-full lost on reopen")
		}
		if err := s.Put(msg("d5", KindInventoryDelta, 1)); !errors.Is(err, ErrNeedFull) {
			t.Fatalf("delta while need-full: %v", err)
		}
		mustPut(t, s, msg("f6", KindInventory, 1))
		if s.NeedFull() {
			t.Fatal("full inventory did not clear need-full")
		}
		mustPut(t, s, msg("d7", KindInventoryDelta, 1))
		if s = open(t, dir, Options{MaxCount: 3}); s.NeedFull() || ids(s.Pending()) != "x2,f6,d7" {
			t.Fatalf("after reopen: %s %v", ids(s.Pending()), s.NeedFull())
		}
	})
	t.Run("a full inventory may displace the chain", func(t *testing.T) {
		s := open(t, t.TempDir(), Options{MaxCount: 2})
		mustPut(t, s, msg("f1", KindInventory, 1), msg("d2", KindInventoryDelta, 1), msg("f3", KindInventory, 1))
		if got := ids(s.Pending()); got != "f3" || s.NeedFull() {
			t.Fatalf("pending %s needFull %v", got, s.NeedFull())
		}
	})
	t.Run("byte bound", func(t *testing.T) {
		probe := open(t, t.TempDir(), Options{})
		mustPut(t, probe, msg("p", KindInventory, 100))
		per := probe.Bytes() // one 100-byte message on disk
		s := open(t, t.TempDir(), Options{MaxBytes: 3*per + per/2})
		mustPut(t, s, msg("f1", KindInventory, 100), msg("x2", KindFindings, 100), msg("f3", KindInventory, 100))
		mustPut(t, s, msg("f4", KindInventory, 100))
		if got := ids(s.Pending()); got != "x2,f3,f4" || s.Bytes() > 3*per+per/2 {
			t.Fatalf("pending %s bytes %d", got, s.Bytes())
		}
	})
	t.Run("only findings and status left: refuse, drop nothing", func(t *testing.T) {
		s := open(t, t.TempDir(), Options{MaxCount: 2})
		mustPut(t, s, msg("x1", KindFindings, 1), msg("s2", KindTaskStatus, 1))
		for _, k := range []string{KindFindings, KindInventory, KindTaskStatus} {
			err := s.Put(msg("n-"+k, k, 1))
			if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), "n-"+k) {
				t.Fatalf("%s: %v", k, err)
			}
		}
		if got := ids(s.Pending()); got != "x1,s2" {
			t.Fatalf("pending %s", got)
		}
	})
}

// TestConcurrentPutAck runs producers and an acker at once (run with -race):
// every message is acked exactly once and the spool ends empty, in order.
func TestConcurrentPutAck(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	const producers, each = 4, 50
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range each {
				if err := s.Put(msg(fmt.Sprintf("p%d-%d", p, i), KindFindings, 64)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	acked := map[string]bool{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		deadline := time.Now().Add(30 * time.Second)
		for len(acked) < producers*each && time.Now().Before(deadline) {
			last := map[int]int{}
			for _, e := range s.Pending() {
				var p, i int
				fmt.Sscanf(e.ID, "p%d-%d", &p, &i)
				if j, ok := last[p]; ok && j > i {
					t.Errorf("producer %d out of order: %d after %d", p, i, j)
				}
				last[p] = i
				if _, err := s.Get(e.ID); err != nil {
					t.Error(err)
				}
				if err := s.Ack(e.ID); err != nil {
					t.Error(err)
				}
				if acked[e.ID] {
					t.Errorf("%s acked twice", e.ID)
				}
				acked[e.ID] = true
			}
		}
	}()
	wg.Wait()
	<-done
	if len(acked) != producers*each || s.Len() != 0 || s.Bytes() != 0 {
		t.Fatalf("acked %d, left %d (%d bytes)", len(acked), s.Len(), s.Bytes())
	}
	if s2 := open(t, dir, Options{}); s2.Len() != 0 {
		t.Fatalf("reopen holds %d", s2.Len())
	}
}

func TestQuarantineIsBounded(t *testing.T) {
	dir := t.TempDir()
	for i := range maxQuarantined + 5 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%020d%s", i+1, fileSuffix)), []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	open(t, dir, Options{})
	q, _ := os.ReadDir(filepath.Join(dir, quarantineDir))
	if len(q) != maxQuarantined {
		t.Fatalf("quarantine holds %d", len(q))
	}
}
