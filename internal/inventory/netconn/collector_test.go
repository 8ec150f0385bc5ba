package netconn

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/testutil"
)

// fixtureCollector reads testdata/proc, captured on a little-endian host.
func fixtureCollector() *Collector {
	return &Collector{order: binary.LittleEndian, maxSockets: defaultMaxSockets}
}

func testEnv(t testing.TB, procRoot string) (*inventory.Env, *[]model.Warning) {
	t.Helper()
	fsys, err := rootfs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	env, warns := inventory.TestEnv(fsys, "live/sockets")
	env.ProcRoot = procRoot
	return env, warns
}

func collect(t *testing.T, c *Collector, procRoot string) ([]model.Socket, []model.Warning) {
	t.Helper()
	env, warns := testEnv(t, procRoot)
	inv, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Sockets, *warns
}

func TestCollectFixtureGolden(t *testing.T) {
	socks, warns := collect(t, fixtureCollector(), filepath.Join("testdata", "proc"))
	if len(warns) != 0 {
		t.Errorf("warnings: %+v", warns)
	}
	testutil.GoldenJSON(t, "sockets", socks)
}

func TestCollectFixtureRecords(t *testing.T) {
	socks, _ := collect(t, fixtureCollector(), filepath.Join("testdata", "proc"))
	// 13 listening TCP, 4 established TCP, 2 UDP UNCONN, 1 connected UDP;
	// the 2 TIME_WAIT lines are left out.
	if len(socks) != 20 {
		t.Errorf("got %d sockets, want 20", len(socks))
	}
	find := func(proto string, port int, state string) (model.Socket, bool) {
		for _, s := range socks {
			if s.Protocol == proto && s.LocalPort == port && s.State == state {
				return s, true
			}
		}
		return model.Socket{}, false
	}
	tests := []struct {
		proto, state string
		port         int
		want         model.Socket
	}{
		{"tcp", "LISTEN", 18080, model.Socket{Protocol: "tcp", State: "LISTEN", LocalAddr: "127.0.0.1", LocalPort: 18080, Inode: 40557, UID: 33, PID: 21606, ProcessName: "socat"}},
		{"tcp6", "LISTEN", 18443, model.Socket{Protocol: "tcp6", State: "LISTEN", LocalAddr: "::", LocalPort: 18443, Inode: 39548, UID: 33, PID: 21608, ProcessName: "socat"}},
		{"tcp6", "ESTABLISHED", 18443, model.Socket{Protocol: "tcp6", State: "ESTABLISHED", LocalAddr: "::ffff:127.0.0.1", LocalPort: 18443, RemoteAddr: "::ffff:127.0.0.1", RemotePort: 56758, Inode: 40656, UID: 33, PID: 21626, ProcessName: "socat"}},
		{"tcp", "ESTABLISHED", 56758, model.Socket{Protocol: "tcp", State: "ESTABLISHED", LocalAddr: "127.0.0.1", LocalPort: 56758, RemoteAddr: "127.0.0.1", RemotePort: 18443, Inode: 40655, PID: 21620, ProcessName: "socat"}},
		{"udp", "UNCONN", 15353, model.Socket{Protocol: "udp", State: "UNCONN", LocalAddr: "0.0.0.0", LocalPort: 15353, Inode: 40554, PID: 21610, ProcessName: "socat"}},
		{"udp", "ESTABLISHED", 44026, model.Socket{Protocol: "udp", State: "ESTABLISHED", LocalAddr: "127.0.0.1", LocalPort: 44026, RemoteAddr: "127.0.0.1", RemotePort: 15353, Inode: 39555, PID: 21622, ProcessName: "socat"}},
		{"udp6", "UNCONN", 15354, model.Socket{Protocol: "udp6", State: "UNCONN", LocalAddr: "::1", LocalPort: 15354, Inode: 39551, PID: 21612, ProcessName: "socat"}},
		// mariadb's process is not in the fixture: the socket stays, without a pid.
		{"tcp", "LISTEN", 3306, model.Socket{Protocol: "tcp", State: "LISTEN", LocalAddr: "127.0.0.1", LocalPort: 3306, Inode: 9641, UID: 107}},
	}
	for _, tc := range tests {
		got, ok := find(tc.proto, tc.port, tc.state)
		if !ok {
			t.Errorf("%s %d %s missing", tc.proto, tc.port, tc.state)
			continue
		}
		if got != tc.want {
			t.Errorf("%s %d %s:\n got %+v\nwant %+v", tc.proto, tc.port, tc.state, got, tc.want)
		}
	}
	for _, s := range socks {
		if s.State == "TIME_WAIT" || s.Inode == 0 {
			t.Errorf("transient socket kept: %+v", s)
		}
	}
}

// Over the limit, listening sockets are kept before established ones, and
// the cut is reported.
func TestCollectLimit(t *testing.T) {
	c := fixtureCollector()
	c.maxSockets = 15
	socks, warns := collect(t, c, filepath.Join("testdata", "proc"))
	if len(socks) != 15 {
		t.Fatalf("got %d sockets, want 15", len(socks))
	}
	listening := 0
	for _, s := range socks {
		if s.Listening() {
			listening++
		}
	}
	if listening != 15 {
		t.Errorf("%d listening sockets kept, want all 15 (before any established)", listening)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Message, "5 sockets beyond the limit of 15") {
		t.Errorf("warnings %+v", warns)
	}
}

func TestCollectBadTables(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "net"), 0o755); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join("testdata", "proc", "net", "udp"))
	if err != nil {
		t.Fatal(err)
	}
	// udp: real table plus two corrupt lines; tcp: unreadable (a directory);
	// tcp6/udp6: absent, as with IPv6 disabled.
	corrupt := string(good) + "   9: 0100007F:ZZZZ 00000000:0000 07 0 0 0 0 0 1\n garbage\n"
	if err := os.WriteFile(filepath.Join(root, "net", "udp"), []byte(corrupt), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "net", "tcp"), 0o755); err != nil {
		t.Fatal(err)
	}
	socks, warns := collect(t, fixtureCollector(), root)
	if len(socks) != 2 {
		t.Errorf("got %d sockets, want the 2 good udp ones", len(socks))
	}
	var paths []string
	for _, w := range warns {
		paths = append(paths, w.Path+": "+w.Message)
	}
	got := strings.Join(paths, "\n")
	if !strings.Contains(got, filepath.Join(root, "net", "udp")+": 2 malformed lines skipped (first: line 4:") ||
		!strings.Contains(got, filepath.Join(root, "net", "tcp")+": ") || len(warns) != 2 {
		t.Errorf("warnings:\n%s", got)
	}
}

func TestCollectNoTables(t *testing.T) {
	env, _ := testEnv(t, t.TempDir())
	if _, err := fixtureCollector().Collect(context.Background(), env); err == nil {
		t.Fatal("want an error when no socket table can be read")
	}
}
