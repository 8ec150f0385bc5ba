package hashfmt

import (
	"encoding/hex"
	"testing"
)

// RFC 6986 section 10 examples (M1, M2), 256-bit digests, written in
// the RFC as big-endian numbers: the byte strings are reversed here.
func TestStreebog256RFC6986(t *testing.T) {
	m1, _ := hex.DecodeString("323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130")
	rev := func(b []byte) []byte {
		o := make([]byte, len(b))
		for i := range b {
			o[len(b)-1-i] = b[i]
		}
		return o
	}
	got := streebog256(rev(m1))
	want := "00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d"
	if hex.EncodeToString(rev(got[:])) != want {
		t.Errorf("M1: %x", rev(got[:]))
	}
}
