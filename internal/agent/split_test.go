package agent

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

func bigInventory(prefix string, pkgs, users int) func(*model.Inventory) {
	return func(i *model.Inventory) {
		i.Packages = packages(prefix, pkgs, 60)
		i.Users = nil
		for u := range users {
			i.Users = append(i.Users, model.User{Name: fmt.Sprintf("%suser%02d", prefix, u), UID: 1000 + u, Gecos: strings.Repeat("g", 100), Home: "/home/x", Shell: "/bin/sh"})
		}
		i.Services = []model.Service{{Name: prefix + "svc", Manager: "systemd", Enabled: "enabled"}}
	}
}

// TestSplitOversizedReports: reports over the message limit go as a chain
// of messages under it that the store applies to exactly the scan, both
// for a full report and for a delta.
func TestSplitOversizedReports(t *testing.T) {
	const limit = 8 << 10
	coll := &fakeCollector{}
	coll.set(bigInventory("a", 300, 25))
	pub := newFakePublisher(t)
	h := newHarness(t, t.TempDir(), coll, pub, func(o *Options) { o.MaxMessageBytes = limit })

	check := func(run, firstKind string) {
		t.Helper()
		rs := h.run(run, "")
		if rs[len(rs)-1].msg.Status != StatusDone {
			t.Fatalf("%s: %s: %s", run, kindsOf(rs), rs[len(rs)-1].msg.Error)
		}
		parts := 0
		for i, p := range rs {
			if p.size > limit {
				t.Errorf("%s: %s message of %d bytes", run, p.kind, p.size)
			}
			if p.kind == KindInventory || p.kind == KindInventoryDelta {
				parts++
				want := KindInventoryDelta
				if i == 1 {
					want = firstKind
				}
				if p.kind != want {
					t.Errorf("%s part %d is %s, want %s", run, parts, p.kind, want)
				}
			}
		}
		if parts < 5 {
			t.Errorf("%s went in %d parts: %s", run, parts, kindsOf(rs))
		}
		var want model.Inventory
		coll.set(func(i *model.Inventory) { want = *i })
		sameClasses(t, serverView(t, pub.results()), want)
	}
	check("r1", KindInventory)
	coll.set(bigInventory("b", 300, 25))
	check("r2", KindInventoryDelta)
	// Small change after a split report: one plain delta.
	coll.set(func(i *model.Inventory) { i.Services[0].Active = "active" })
	if rs := h.run("r3", ""); kindsOf(rs) != "[task-status:running inventory-delta findings task-status:done]" {
		t.Fatalf("r3: %s", kindsOf(rs))
	}
}

func TestClassTooBigForOneMessage(t *testing.T) {
	coll := &fakeCollector{}
	coll.set(func(i *model.Inventory) {
		i.Users = []model.User{{Name: "huge", Gecos: strings.Repeat("g", 20<<10)}}
	})
	pub := newFakePublisher(t)
	h := newHarness(t, t.TempDir(), coll, pub, func(o *Options) { o.MaxMessageBytes = 8 << 10 })
	rs := h.run("r1", "")
	last := rs[len(rs)-1].msg
	if last.Status != StatusFailed || !strings.Contains(last.Error, "class users alone") {
		t.Fatalf("%s: %q", kindsOf(rs), last.Error)
	}
	// Nothing of the failed report is left to confuse the next one.
	coll.set(func(i *model.Inventory) { i.Users = []model.User{{Name: "small"}} })
	if rs := h.run("r2", ""); rs[1].kind != KindInventory {
		t.Fatalf("r2: %s", kindsOf(rs))
	}
}
