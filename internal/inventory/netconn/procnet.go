package netconn

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// entry is one socket line of /proc/net/{tcp,tcp6,udp,udp6}.
type entry struct {
	local, remote netip.AddrPort
	state         uint8
	uid           int
	inode         uint64
}

var errHeader = errors.New("header line")

// parseLine parses one line of /proc/net/{tcp,udp}[6]:
//
//	sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
//	0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 107 0 9641 ...
//
// Addresses are hex in host byte order (order), ports hex in network order
// as numbers. The header line returns errHeader.
func parseLine(line string, order binary.ByteOrder) (entry, error) {
	var e entry
	f := strings.Fields(line)
	if len(f) > 0 && f[0] == "sl" {
		return e, errHeader
	}
	if len(f) < 10 || !strings.HasSuffix(f[0], ":") {
		return e, fmt.Errorf("malformed line (%d fields)", len(f))
	}
	var err error
	if e.local, err = decodeAddrPort(f[1], order); err != nil {
		return e, fmt.Errorf("local address: %w", err)
	}
	if e.remote, err = decodeAddrPort(f[2], order); err != nil {
		return e, fmt.Errorf("remote address: %w", err)
	}
	st, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil {
		return e, fmt.Errorf("bad state %q", f[3])
	}
	e.state = uint8(st)
	uid, err := strconv.ParseUint(f[7], 10, 32)
	if err != nil {
		return e, fmt.Errorf("bad uid %q", f[7])
	}
	e.uid = int(uid)
	if e.inode, err = strconv.ParseUint(f[9], 10, 64); err != nil {
		return e, fmt.Errorf("bad inode %q", f[9])
	}
	return e, nil
}

// decodeAddrPort decodes "0100007F:0035" (127.0.0.1:53) or the 32-digit
// IPv6 form, which the kernel prints as four 32-bit words, each in host
// byte order.
func decodeAddrPort(s string, order binary.ByteOrder) (netip.AddrPort, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || len(s)-i-1 != 4 {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	port, err := strconv.ParseUint(s[i+1:], 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port in %q", s)
	}
	raw, err := hex.DecodeString(s[:i])
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	var addr netip.Addr
	switch len(raw) {
	case 4:
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], order.Uint32(raw))
		addr = netip.AddrFrom4(b)
	case 16:
		var b [16]byte
		for w := 0; w < 4; w++ {
			binary.BigEndian.PutUint32(b[4*w:], order.Uint32(raw[4*w:]))
		}
		addr = netip.AddrFrom16(b)
	default:
		return netip.AddrPort{}, fmt.Errorf("bad address length in %q", s)
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// tcpStates are the kernel's TCP states (include/net/tcp_states.h).
var tcpStates = [...]string{
	1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
	6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN",
	11: "CLOSING", 12: "NEW_SYN_RECV",
}

// stateName names a state code as ss(8) does: a UDP socket in CLOSE (07)
// is an unconnected, receiving socket, "UNCONN".
func stateName(udp bool, st uint8) string {
	if udp && st == 7 {
		return "UNCONN"
	}
	if int(st) < len(tcpStates) && tcpStates[st] != "" {
		return tcpStates[st]
	}
	return fmt.Sprintf("UNKNOWN(%02X)", st)
}
