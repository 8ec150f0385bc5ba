package netconn

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

func TestDecodeAddrPort(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	tests := []struct {
		name  string
		in    string
		order binary.ByteOrder
		want  string
		err   bool
	}{
		{"ipv4 loopback", "0100007F:0035", le, "127.0.0.1:53", false},
		{"ipv4 any", "00000000:07E8", le, "0.0.0.0:2024", false},
		{"ipv4 private", "020200C0:9BD4", le, "192.0.2.2:39892", false},
		{"ipv4 on a big-endian host", "7F000001:0035", be, "127.0.0.1:53", false},
		{"ipv6 any", "00000000000000000000000000000000:480B", le, "[::]:18443", false},
		{"ipv6 loopback", "00000000000000000000000001000000:1111", le, "[::1]:4369", false},
		{"ipv6 v4-mapped", "0000000000000000FFFF00000100007F:DDB6", le, "[::ffff:127.0.0.1]:56758", false},
		{"ipv6 global", "B80D0120000000000000000001000000:01BB", le, "[2001:db8::1]:443", false},
		{"ipv6 link-local", "000080FE00000000FF005452120000FE:0222", le, "[fe80::5254:ff:fe00:12]:546", false},
		{"ipv6 on a big-endian host", "20010DB8000000000000000000000001:01BB", be, "[2001:db8::1]:443", false},
		{"lowercase hex", "0100007f:0cea", le, "127.0.0.1:3306", false},
		{"no port", "0100007F", le, "", true},
		{"short port", "0100007F:35", le, "", true},
		{"odd address", "100007F:0035", le, "", true},
		{"six-byte address", "0100007F0000:0035", le, "", true},
		{"not hex", "0100007G:0035", le, "", true},
		{"empty", "", le, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeAddrPort(tc.in, tc.order)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want err %v", err, tc.err)
			}
			if err == nil && got.String() != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseLine(t *testing.T) {
	le := binary.LittleEndian
	tests := []struct {
		name string
		line string
		want entry
		err  error
		bad  bool
	}{
		{"tcp listen (real)", "   1: 0100007F:46A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 40557 1 0000000033cf35b8 100 0 0 10 0",
			entry{local: netip.MustParseAddrPort("127.0.0.1:18080"), remote: netip.MustParseAddrPort("0.0.0.0:0"), state: 0x0A, uid: 33, inode: 40557}, nil, false},
		{"tcp6 established v4-mapped (real)", "   3: 0000000000000000FFFF00000100007F:480B 0000000000000000FFFF00000100007F:DDB6 01 00000000:00000000 00:00000000 00000000    33        0 40656 1 000000006ad6d7ab 20 0 0 10 -1",
			entry{local: netip.MustParseAddrPort("[::ffff:127.0.0.1]:18443"), remote: netip.MustParseAddrPort("[::ffff:127.0.0.1]:56758"), state: 1, uid: 33, inode: 40656}, nil, false},
		{"udp unconn (real)", " 1198: 00000000:3BF9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 40554 2 00000000bf69a504 0",
			entry{local: netip.MustParseAddrPort("0.0.0.0:15353"), remote: netip.MustParseAddrPort("0.0.0.0:0"), state: 7, uid: 0, inode: 40554}, nil, false},
		{"time-wait has inode 0 (real)", "  11: 0100007F:A960 0100007F:1111 06 00000000:00000000 03:000015B8 00000000     0        0 0 3 00000000cce8bbb9",
			entry{local: netip.MustParseAddrPort("127.0.0.1:43360"), remote: netip.MustParseAddrPort("127.0.0.1:4369"), state: 6}, nil, false},
		{"tcp header", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", entry{}, errHeader, false},
		{"too few fields", "   0: 0100007F:0CEA 00000000:0000 0A", entry{}, nil, true},
		{"no slot colon", "   0 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 107 0 9641", entry{}, nil, true},
		{"bad state", "   0: 0100007F:0CEA 00000000:0000 ZZ 00000000:00000000 00:00000000 00000000 107 0 9641", entry{}, nil, true},
		{"bad uid", "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 -7 0 9641", entry{}, nil, true},
		{"bad inode", "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 107 0 x", entry{}, nil, true},
		{"empty", "", entry{}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseLine(tc.line, le)
			switch {
			case tc.err != nil:
				if err != tc.err {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
			case tc.bad:
				if err == nil {
					t.Fatalf("want an error, got %+v", got)
				}
			case err != nil:
				t.Fatal(err)
			case got != tc.want:
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestStateName(t *testing.T) {
	tests := []struct {
		udp  bool
		code uint8
		want string
	}{
		{false, 0x01, "ESTABLISHED"},
		{false, 0x06, "TIME_WAIT"},
		{false, 0x07, "CLOSE"},
		{false, 0x0A, "LISTEN"},
		{false, 0x0C, "NEW_SYN_RECV"},
		{true, 0x07, "UNCONN"},
		{true, 0x01, "ESTABLISHED"},
		{false, 0x00, "UNKNOWN(00)"},
		{false, 0xFF, "UNKNOWN(FF)"},
	}
	for _, tc := range tests {
		if got := stateName(tc.udp, tc.code); got != tc.want {
			t.Errorf("stateName(udp=%v, %02X) = %q, want %q", tc.udp, tc.code, got, tc.want)
		}
	}
}

func TestSocketInode(t *testing.T) {
	tests := []struct {
		link string
		want uint64
		ok   bool
	}{
		{"socket:[40557]", 40557, true},
		{"pipe:[40541]", 0, false},
		{"/dev/null", 0, false},
		{"socket:[]", 0, false},
		{"socket:[12", 0, false},
		{"anon_inode:[eventpoll]", 0, false},
	}
	for _, tc := range tests {
		if got, ok := socketInode(tc.link); got != tc.want || ok != tc.ok {
			t.Errorf("socketInode(%q) = %d, %v", tc.link, got, ok)
		}
	}
}
