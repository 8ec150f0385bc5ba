package spool

import (
	"bytes"
	"testing"
	"time"
)

// FuzzDecode: any bytes decode to a message or an error, never a panic, and
// what decodes re-encodes to a file that decodes to the same message.
func FuzzDecode(f *testing.F) {
	for _, m := range []Message{
		{ID: "m1", Kind: KindInventory, Created: time.Unix(1700000000, 5).UTC(), Payload: []byte(`{"a":1}`)},
		{ID: "m2", Kind: KindFindings},
	} {
		b, err := encode(&m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)-1])
	}
	f.Add([]byte("ward-spool 1\n{}\n"))
	f.Add([]byte("ward-spool 1\n{\"id\":\"x\",\"kind\":\"k\",\"size\":-1,\"sha256\":\"\"}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if _, _, herr := decodeHeader(b); herr != nil && err == nil {
			t.Fatal("decode accepted a file whose header is bad")
		}
		if err != nil {
			return
		}
		again, err := encode(&m)
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		m2, err := decode(again)
		if err != nil || m2.ID != m.ID || m2.Kind != m.Kind || !m2.Created.Equal(m.Created) || !bytes.Equal(m2.Payload, m.Payload) {
			t.Fatalf("round trip: %+v -> %+v (%v)", m, m2, err)
		}
	})
}
