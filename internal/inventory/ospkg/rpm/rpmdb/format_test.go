package rpmdb

import "testing"

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		head []byte
		want Format
	}{
		{[]byte("SQLite format 3\x00"), FormatSQLite},
		{[]byte("RpmP\x00\x00\x00\x00"), FormatNDB},
		{[]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x61\x15\x06\x00"), FormatBDB}, // little-endian hash magic
		{[]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06\x15\x61"), FormatBDB}, // big-endian (s390x)
		{[]byte("SQLite format 3"), FormatUnknown},                                              // cut before the NUL
		{[]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x61\x15"), FormatUnknown},
		{nil, FormatUnknown},
		{[]byte("garbage garbage!"), FormatUnknown},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.head); got != tt.want {
			t.Errorf("DetectFormat(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
	for _, p := range []string{bdbFixture, epochFixture} {
		if got := DetectFormat(readFixture(t, p)[:16]); got != FormatBDB {
			t.Errorf("%s: %v", p, got)
		}
	}
	if got := DetectFormat(readFixture(t, ndbFixture)[:16]); got != FormatNDB {
		t.Errorf("ndb fixture: %v", got)
	}
}
