package parse

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"time"
)

// glibc utmp layout on 64-bit Linux (x86_64, arm64...): 384-byte records,
// 32-bit times for compatibility with 32-bit programs.
const (
	UtmpRecordSize = 384

	utTypeOff = 0
	utPIDOff  = 4
	utLineOff = 8   // [32]byte
	utUserOff = 44  // [32]byte
	utHostOff = 76  // [256]byte
	utSecOff  = 340 // int32 tv_sec
	utAddrOff = 348 // [4]int32 ut_addr_v6
)

// utmp record types (utmp.h).
const (
	UtEmpty        = 0
	UtRunLevel     = 1
	UtBootTime     = 2
	UtNewTime      = 3
	UtOldTime      = 4
	UtInitProcess  = 5
	UtLoginProcess = 6
	UtUserProcess  = 7
	UtDeadProcess  = 8
	UtAccounting   = 9
)

// UtmpRecord is the part of a utmp/wtmp record Ward uses.
type UtmpRecord struct {
	Type int
	PID  int
	Line string // tty
	User string
	Host string // remote host, or the address when the host field is empty
	Time time.Time
}

var errUtmpSize = errors.New("utmp record is not 384 bytes")

// UtmpByteOrder guesses the byte order of a utmp file from its first
// record: the type field is a small number in the right order.
func UtmpByteOrder(rec []byte) binary.ByteOrder {
	if len(rec) >= 2 && binary.LittleEndian.Uint16(rec) > UtAccounting && binary.BigEndian.Uint16(rec) <= UtAccounting {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// ParseUtmpRecord decodes one 384-byte record.
func ParseUtmpRecord(rec []byte, order binary.ByteOrder) (UtmpRecord, error) {
	if len(rec) != UtmpRecordSize {
		return UtmpRecord{}, errUtmpSize
	}
	r := UtmpRecord{
		Type: int(int16(order.Uint16(rec[utTypeOff:]))),
		PID:  int(int32(order.Uint32(rec[utPIDOff:]))),
		Line: cString(rec[utLineOff : utLineOff+32]),
		User: cString(rec[utUserOff : utUserOff+32]),
		Host: cString(rec[utHostOff : utHostOff+256]),
		// Unsigned: the 32-bit field then lasts until 2106, as glibc reads it.
		Time: time.Unix(int64(order.Uint32(rec[utSecOff:])), 0).UTC(),
	}
	if r.Host == "" {
		r.Host = utmpAddr(rec[utAddrOff : utAddrOff+16])
	}
	return r, nil
}

// utmpAddr formats ut_addr_v6: IPv4 in the first word only, else IPv6.
// The address is stored in network byte order whatever the host order.
func utmpAddr(b []byte) string {
	var a [16]byte
	copy(a[:], b)
	if a == [16]byte{} {
		return ""
	}
	if bytes.Equal(a[4:], make([]byte, 12)) {
		return netip.AddrFrom4([4]byte(a[:4])).String()
	}
	return netip.AddrFrom16(a).String()
}

// cString returns a NUL-terminated (or full-width) text field, with bytes
// that are not printable ASCII replaced so a forged record cannot inject
// control characters into reports.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			c = '?'
		}
		out = append(out, c)
	}
	return string(out)
}

// lastlog layout on 64-bit Linux: int32 time, [32]line, [256]host.
const LastlogRecordSize = 292

// LastlogRecord is one lastlog entry; a zero Time means never logged in.
type LastlogRecord struct {
	Time time.Time
	Line string
	Host string
}

// ParseLastlogRecord decodes one 292-byte record (little-endian, as written
// on the 64-bit hosts Ward supports).
func ParseLastlogRecord(rec []byte) (LastlogRecord, bool, error) {
	if len(rec) != LastlogRecordSize {
		return LastlogRecord{}, false, errors.New("lastlog record is not 292 bytes")
	}
	sec := binary.LittleEndian.Uint32(rec)
	if sec == 0 {
		return LastlogRecord{}, false, nil
	}
	return LastlogRecord{
		Time: time.Unix(int64(sec), 0).UTC(),
		Line: cString(rec[4:36]),
		Host: cString(rec[36:292]),
	}, true, nil
}
