package netconn

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

func liveEnv(t testing.TB) *inventory.Env {
	t.Helper()
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp on this machine")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	env, _ := inventory.TestEnv(fsys, "live/sockets")
	return env
}

func collectLive(t testing.TB, env *inventory.Env) []model.Socket {
	t.Helper()
	inv, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Sockets
}

// The collector reports sockets this test opens, with this process's pid.
func TestLiveOwnSockets(t *testing.T) {
	env := liveEnv(t)
	tl, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	ul, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()
	tport := tl.Addr().(*net.TCPAddr).Port
	uport := ul.LocalAddr().(*net.UDPAddr).Port

	var foundTCP, foundUDP bool
	for _, s := range collectLive(t, env) {
		if s.LocalAddr != "127.0.0.1" || s.PID != os.Getpid() {
			continue
		}
		switch {
		case s.Protocol == "tcp" && s.LocalPort == tport && s.State == "LISTEN":
			foundTCP = true
		case s.Protocol == "udp" && s.LocalPort == uport && s.State == "UNCONN":
			foundUDP = true
		}
		if s.UID != os.Getuid() || s.ProcessName == "" {
			t.Errorf("own socket %+v: want uid %d and a process name", s, os.Getuid())
		}
	}
	if !foundTCP || !foundUDP {
		t.Errorf("own listeners not reported with pid %d: tcp %d found=%v, udp %d found=%v", os.Getpid(), tport, foundTCP, uport, foundUDP)
	}
}

// The set of listening (proto, port) pairs matches ss(8), which asks the
// kernel over netlink instead of /proc/net.
func TestLiveMatchesSS(t *testing.T) {
	env := liveEnv(t)
	if _, err := exec.LookPath("ss"); err != nil {
		t.Skip("ss not installed")
	}
	var diff string
	for attempt := 0; attempt < 2; attempt++ { // sockets may open or close between the two reads
		want, err := ssListening()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, s := range collectLive(t, env) {
			if s.Listening() {
				got[fmt.Sprintf("%s/%d", strings.TrimSuffix(s.Protocol, "6"), s.LocalPort)] = true
			}
		}
		if diff = setDiff(got, want); diff == "" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("listening sockets differ from ss -ltnupH:\n%s", diff)
}

// ssListening runs "ss -ltnupH" (fixed argv, with a timeout) and returns
// "tcp/PORT" and "udp/PORT" keys. For TCP only LISTEN rows count: ss -l
// also shows bound, unconnected TCP sockets (state UNCONN), which the
// collector leaves out.
func ssListening() (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ss", "-ltnupH").Output()
	if err != nil {
		return nil, fmt.Errorf("ss: %w", err)
	}
	set := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		proto, state, local := f[0], f[1], f[4]
		if proto == "tcp" && state != "LISTEN" {
			continue
		}
		i := strings.LastIndexByte(local, ':')
		port, err := strconv.Atoi(local[i+1:])
		if i < 0 || err != nil {
			return nil, fmt.Errorf("ss: unparsable local address %q", local)
		}
		set[fmt.Sprintf("%s/%d", proto, port)] = true
	}
	return set, nil
}

func setDiff(got, want map[string]bool) string {
	var out []string
	for k := range want {
		if !got[k] {
			out = append(out, "missing "+k)
		}
	}
	for k := range got {
		if !want[k] {
			out = append(out, "extra "+k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
