package rpmdb

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// entryAt returns the offset in blob of index entry i.
func entryAt(i int) int { return 8 + 16*i }

// findEntry returns the index of the first entry (after the region tag)
// with the given type.
func findEntry(t testing.TB, blob []byte, typ uint32) int {
	t.Helper()
	il := int(binary.BigEndian.Uint32(blob))
	for i := 1; i < il; i++ {
		if binary.BigEndian.Uint32(blob[entryAt(i)+4:]) == typ {
			return i
		}
	}
	t.Fatalf("no entry of type %d", typ)
	return 0
}

func TestDecodeHeader(t *testing.T) {
	real := firstBlob(t, ndbFixture)
	be := binary.BigEndian
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		want   string // error substring; "" means valid
	}{
		{name: "real header", mutate: func(b []byte) []byte { return b }},
		{name: "too short", mutate: func(b []byte) []byte { return b[:5] }, want: "shorter than its preamble"},
		{name: "no tags", mutate: func(b []byte) []byte { be.PutUint32(b, 0); return b }, want: "no tags"},
		{name: "huge tag count", mutate: func(b []byte) []byte { be.PutUint32(b, 0x7fffffff); return b }, want: "exceeds rpm's limit"},
		{name: "tag count past the blob", mutate: func(b []byte) []byte { be.PutUint32(b, 0x00100000); return b }, want: "header claims"},
		{name: "negative data length", mutate: func(b []byte) []byte { be.PutUint32(b[4:], 0xffffffff); return b }, want: "negative"},
		{name: "truncated", mutate: func(b []byte) []byte { return b[:len(b)/2] }, want: "header claims"},
		{name: "string array count larger than the data", mutate: func(b []byte) []byte {
			be.PutUint32(b[entryAt(findEntry(t, b, typeStringArray))+12:], 0x7fffffff)
			return b
		}, want: "invalid data length"},
		{name: "string count past the last NUL", mutate: func(b []byte) []byte {
			i := findEntry(t, b, typeStringArray)
			be.PutUint32(b[entryAt(i)+12:], be.Uint32(b[entryAt(i)+12:])+1000)
			return b
		}, want: "invalid data length"},
		{name: "overlapping entries", mutate: func(b []byte) []byte {
			copy(b[entryAt(3)+8:entryAt(3)+12], b[entryAt(2)+8:entryAt(2)+12])
			return b
		}, want: "overlaps"},
		{name: "invalid type", mutate: func(b []byte) []byte { be.PutUint32(b[entryAt(2)+4:], 15); return b }, want: "invalid type"},
		{name: "low tag outside the region tag", mutate: func(b []byte) []byte { be.PutUint32(b[entryAt(2):], 50); return b }, want: "invalid tag"},
		{name: "misaligned int32", mutate: func(b []byte) []byte {
			i := findEntry(t, b, 4)
			be.PutUint32(b[entryAt(i)+8:], be.Uint32(b[entryAt(i)+8:])+1)
			return b
		}, want: "misaligned"},
		{name: "region tag with wrong count", mutate: func(b []byte) []byte { be.PutUint32(b[entryAt(0)+12:], 17); return b }, want: "invalid region tag"},
		{name: "region offset out of range", mutate: func(b []byte) []byte { be.PutUint32(b[entryAt(0)+8:], 0x7ffffff0); return b }, want: "invalid region offset"},
		{name: "bad region trailer", mutate: func(b []byte) []byte {
			il := int(be.Uint32(b))
			off := 8 + 16*il + int(be.Uint32(b[entryAt(0)+8:]))
			be.PutUint32(b[off:], 1000)
			return b
		}, want: "invalid region trailer"},
		{name: "region claims more entries than there are", mutate: func(b []byte) []byte {
			il := int(be.Uint32(b))
			off := 8 + 16*il + int(be.Uint32(b[entryAt(0)+8:]))
			be.PutUint32(b[off+8:], uint32(-int32(16*(il+5))))
			return b
		}, want: "invalid region size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.mutate(bytes.Clone(real))
			h, err := DecodeHeader(b)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("valid header rejected: %v", err)
				}
				if h.Name != "system-user-root" || h.Version != "20190513" || h.Release != "3.3.1" ||
					len(h.Files) != 1 || h.Files[0] != "/usr/lib/sysusers.d/system-user-root.conf" {
					t.Fatalf("decoded %+v", h)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeHeader = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

// TestDecodeHeaderAcceptsRealHeaders: every header of every fixture passes.
func TestDecodeHeaderAcceptsRealHeaders(t *testing.T) {
	for _, p := range []string{bdbFixture, epochFixture, ndbFixture} {
		for i, b := range blobsOf(t, p) {
			if _, err := DecodeHeader(b); err != nil {
				t.Errorf("%s header %d: %v", p, i, err)
			}
		}
	}
}

// FuzzDecodeHeader: no input panics the validator or the decoder, and a
// decoded file list is consistent.
func FuzzDecodeHeader(f *testing.F) {
	for _, p := range []string{bdbFixture, epochFixture} {
		f.Add(firstBlob(f, p))
	}
	for _, b := range blobsOf(f, ndbFixture)[:3] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		h, err := DecodeHeader(blob)
		if err != nil {
			return
		}
		for _, p := range h.Files {
			if strings.Contains(p, "\x00") {
				t.Fatalf("NUL in path %q", p)
			}
		}
	})
}
