package agent

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/ward-sec/ward/internal/agent/spool"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// TestSpoolDroppedChainGivesFullReport: with the server away and the
// spool full, a new delta pushes out the inventory it builds on; the agent
// then sends a full inventory instead, and the spool keeps every finding.
func TestSpoolDroppedChainGivesFullReport(t *testing.T) {
	coll := &fakeCollector{}
	opts := Options{
		Dir: t.TempDir(), AgentID: "agt_test", Publisher: newFakePublisher(t), Differ: storeDiffer,
		Spool:  spool.Options{MaxCount: 4},
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
	}
	opts.Scan.Root = t.TempDir()
	opts.Scan.Collectors = []inventory.Collector{coll}
	a, err := New(opts) // not running: nothing is published
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	for i, n := range []int{3, 4, 5} {
		coll.set(func(inv *model.Inventory) { inv.Packages = packages("a", n, 0) })
		if err := a.inventory(ctx, TaskMessage{Type: TaskInventory}); err != nil {
			t.Fatalf("scan %d: %v", i+1, err)
		}
	}
	var kinds []string
	var msgs []published
	for _, e := range a.spool.Pending() {
		m, err := a.spool.Get(e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var r ResultMessage
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, e.Kind)
		msgs = append(msgs, published{kind: e.Kind, id: e.ID, msg: r})
	}
	// Scan 1: F1 X1; scan 2: D2 X2; scan 3's delta evicts F1 and D2, so
	// scan 3 goes full.
	if got, _ := json.Marshal(kinds); string(got) != `["findings","findings","inventory","findings"]` {
		t.Fatalf("spool holds %s", got)
	}
	if a.spool.NeedFull() {
		t.Error("need-full still set after the full report")
	}
	var want model.Inventory
	coll.set(func(i *model.Inventory) { want = *i })
	sameClasses(t, serverView(t, msgs), want)
}
