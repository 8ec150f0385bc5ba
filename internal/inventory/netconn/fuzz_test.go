package netconn

import (
	"bufio"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseLine runs the /proc/net line parser on each line of the
// fixture tables and mutations of them.
func FuzzParseLine(f *testing.F) {
	for _, name := range []string{"tcp", "tcp6", "udp", "udp6"} {
		data, err := os.ReadFile(filepath.Join("testdata", "proc", "net", name))
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			f.Add(sc.Text(), false)
		}
	}
	f.Add("   0: 7F000001:0035 00000000:0000 0A 0:0 0:0 0 0 0 1", true)
	f.Fuzz(func(t *testing.T, line string, bigEndian bool) {
		var order binary.ByteOrder = binary.LittleEndian
		if bigEndian {
			order = binary.BigEndian
		}
		e, err := parseLine(line, order)
		if err != nil {
			return
		}
		if !e.local.IsValid() || !e.remote.IsValid() || e.uid < 0 {
			t.Fatalf("invalid entry accepted: %+v", e)
		}
		// Re-encoding the address must give back what the line said.
		f := strings.Fields(line)
		if got := encode(e.local.Addr().AsSlice(), order); !strings.EqualFold(got, f[1][:strings.LastIndexByte(f[1], ':')]) {
			t.Fatalf("address %s re-encodes to %s, line had %s", e.local, got, f[1])
		}
		_ = stateName(false, e.state)
	})
}

func encode(b []byte, order binary.ByteOrder) string {
	var sb strings.Builder
	for i := 0; i+4 <= len(b); i += 4 {
		v := binary.BigEndian.Uint32(b[i:])
		var w [4]byte
		order.PutUint32(w[:], v)
		sb.WriteString(strings.ToUpper(hexOf(binary.BigEndian.Uint32(w[:]))))
	}
	return sb.String()
}

func hexOf(v uint32) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		out[i] = digits[v&0xF]
		v >>= 4
	}
	return string(out)
}
