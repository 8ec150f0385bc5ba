package parse

import (
	"context"
	"encoding/binary"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestParseUtmpMatchesUtmpdump decodes the fixture wtmp files and compares
// every record with what util-linux `utmpdump` prints for them.
func TestParseUtmpMatchesUtmpdump(t *testing.T) {
	dump, err := exec.LookPath("utmpdump")
	if err != nil {
		t.Skip("utmpdump not installed")
	}
	for _, root := range []string{"debian", "rhel"} {
		data := fixture(t, root, "var/log/wtmp")
		if len(data)%UtmpRecordSize != 0 {
			t.Fatalf("%s: wtmp size %d", root, len(data))
		}
		var got []string
		for off := 0; off < len(data); off += UtmpRecordSize {
			r, err := ParseUtmpRecord(data[off:off+UtmpRecordSize], UtmpByteOrder(data))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d %d %s %s %s %s", r.Type, r.PID, r.User, r.Line, r.Host, r.Time.Format(time.RFC3339)))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, dump, fixturePath(root, "var/log/wtmp")).Output()
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			// [7] [01234] [ts/0] [alice   ] [pts/0       ] [203.0.113.10        ] [203.0.113.10   ] [2025-05-28T09:15:42,000000+00:00]
			f := strings.Split(strings.Trim(line, "[]"), "] [")
			typ, err1 := strconv.Atoi(f[0])
			pid, err2 := strconv.Atoi(f[1])
			if err1 != nil || err2 != nil {
				t.Fatalf("utmpdump line %q", line)
			}
			host := strings.TrimSpace(f[5])
			if host == "" && strings.TrimSpace(f[6]) != "0.0.0.0" {
				host = strings.TrimSpace(f[6])
			}
			ts, err := time.Parse("2006-01-02T15:04:05,000000-07:00", f[7])
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, fmt.Sprintf("%d %d %s %s %s %s", typ, pid, strings.TrimSpace(f[3]), strings.TrimSpace(f[4]), host, ts.UTC().Format(time.RFC3339)))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-utmpdump +ward):\n%s", root, diff)
		}
	}
}

func TestParseUtmpRecordEdgeCases(t *testing.T) {
	if _, err := ParseUtmpRecord(make([]byte, 383), binary.LittleEndian); err == nil {
		t.Error("short record accepted")
	}
	rec := make([]byte, UtmpRecordSize)
	binary.BigEndian.PutUint16(rec, UtUserProcess)
	copy(rec[utLineOff:utLineOff+32], strings.Repeat("L", 40)) // no NUL: full width
	copy(rec[utUserOff:], "evil\x1b[2Jname")                   // control characters are neutralised
	binary.BigEndian.PutUint32(rec[utSecOff:], 0xFFFFFFFF)
	copy(rec[utAddrOff:], []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	order := UtmpByteOrder(rec)
	if order != binary.BigEndian {
		t.Fatalf("byte order = %v", order)
	}
	r, err := ParseUtmpRecord(rec, order)
	if err != nil {
		t.Fatal(err)
	}
	want := UtmpRecord{Type: UtUserProcess, User: "evil?[2Jname", Line: strings.Repeat("L", 32), Host: "2001:db8::1",
		Time: time.Date(2106, 2, 7, 6, 28, 15, 0, time.UTC)}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

func TestParseLastlogRecord(t *testing.T) {
	data := fixture(t, "debian", "var/log/lastlog")
	tests := []struct {
		uid  int
		ok   bool
		line string
		host string
		time string
	}{
		{0, true, "pts/2", "192.0.2.66", "2025-05-31T23:58:12Z"},
		{1, false, "", "", ""},
		{1000, true, "pts/0", "2001:db8::10", "2025-05-31T08:44:03Z"},
		{1004, true, "pts/3", "203.0.113.99", "2024-02-01T17:45:00Z"},
	}
	for _, tt := range tests {
		off := tt.uid * LastlogRecordSize
		r, ok, err := ParseLastlogRecord(data[off : off+LastlogRecordSize])
		if err != nil || ok != tt.ok {
			t.Errorf("uid %d: ok=%v err=%v", tt.uid, ok, err)
			continue
		}
		if ok && (r.Line != tt.line || r.Host != tt.host || r.Time.Format(time.RFC3339) != tt.time) {
			t.Errorf("uid %d: %+v", tt.uid, r)
		}
	}
	if _, _, err := ParseLastlogRecord(data[:10]); err == nil {
		t.Error("short record accepted")
	}
}
