package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// A capability result kind is applied by its handler inside the ingest
// transaction, deduplicated by message id like every result; a handler's
// ErrBadData rejects only that message.
func TestDataKindIngest(t *testing.T) {
	var applied []string
	RegisterDataKind("test-data", func(ctx context.Context, tx db, hostID int64, data json.RawMessage, now time.Time) error {
		var v struct{ N int }
		if err := json.Unmarshal(data, &v); err != nil || v.N < 0 {
			return fmt.Errorf("%w: %s", ErrBadData, data)
		}
		applied = append(applied, fmt.Sprintf("%d:%d", hostID, v.N))
		return nil
	})
	t.Cleanup(func() { delete(dataHandlers, "test-data") })
	each(t, func(t *testing.T, b backend) {
		applied = nil
		s := b.open(t)
		h := host(t, s, "web1", nil)
		msgs := []Message{
			{ID: "a/1", HostID: h, DataKind: "test-data", Data: json.RawMessage(`{"N":1}`)},
			{ID: "a/2", HostID: h, DataKind: "test-data", Data: json.RawMessage(`{"N":-1}`)},
			{ID: "a/3", HostID: h, DataKind: "no-such-kind", Data: json.RawMessage(`{}`)},
		}
		res, err := s.IngestBatch(context.Background(), msgs)
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Outcome != Applied || res[1].Outcome != Rejected || !errors.Is(res[1].Err, ErrBadData) || res[2].Outcome != Rejected {
			t.Fatalf("outcomes %+v", res)
		}
		res, err = s.IngestBatch(context.Background(), msgs[:1])
		if err != nil || res[0].Outcome != Duplicate {
			t.Fatalf("redelivery: %+v %v", res, err)
		}
		if fmt.Sprint(applied) != fmt.Sprintf("[%d:1]", h) {
			t.Fatalf("handler saw %v", applied)
		}
	})
}
