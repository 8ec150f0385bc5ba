package proto

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

func TestMessagesRoundTrip(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
	tests := []struct {
		name string
		in   any
		out  any
	}{
		{"task", &TaskMessage{RunID: "r1", TaskID: "t1", Type: "inventory", Params: json.RawMessage(`{"full":true}`), Deadline: now}, &TaskMessage{}},
		{"heartbeat", &Heartbeat{AgentID: "agt_x", Version: "1.0", Time: now, CPUPercent: 1.5, RSSBytes: 42, Spooled: 3, Running: []string{"r1"}}, &Heartbeat{}},
		{"inventory", &ResultMessage{MsgID: "m1", AgentID: "agt_x", RunID: "r1", Kind: KindInventory, Time: now,
			Inventory: &model.Inventory{SchemaVersion: model.SchemaVersion, Root: "/", Live: true}}, &ResultMessage{}},
		{"delta", &ResultMessage{MsgID: "m2", AgentID: "agt_x", Kind: KindInventoryDelta, Time: now,
			Delta: json.RawMessage(`{"base_scanned_at":"2025-01-01T00:00:00Z","set":{}}`), BaseHash: "abc"}, &ResultMessage{}},
		{"findings", &ResultMessage{MsgID: "m3", AgentID: "agt_x", Kind: KindFindings, Time: now,
			Findings: []model.Finding{{ID: "f", Kind: model.KindAccount, Severity: model.SevHigh}}, Scope: "inventory"}, &ResultMessage{}},
		{"status", &ResultMessage{MsgID: "m4", AgentID: "agt_x", RunID: "r1", Kind: KindTaskStatus, Time: now, Status: StatusFailed, Error: "boom"}, &ResultMessage{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, tt.out); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tt.in, tt.out) {
				t.Errorf("round trip changed the message:\n in  %+v\n out %+v\n json %s", tt.in, tt.out, data)
			}
		})
	}
}
