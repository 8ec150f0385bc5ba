// Package netconn lists the live host's TCP and UDP sockets from
// /proc/net/{tcp,tcp6,udp,udp6} and the processes holding them.
//
// /proc/net shows the network namespace of the process reading it: run in
// the host namespace (as the agent does) Ward sees the host's sockets, not
// those inside containers with their own network namespace.
package netconn

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

const (
	// defaultMaxSockets bounds the records of one run. Listening sockets
	// are kept first; established connections fill what is left.
	defaultMaxSockets = 10000
	// maxTableBytes caps how much of one /proc/net table is read (~400k
	// sockets); the kernel generates it as we read, so this bounds CPU.
	maxTableBytes = 64 << 20
	maxLine       = 4 << 10
)

// Collector reads the socket tables. Safe for concurrent use.
type Collector struct {
	order      binary.ByteOrder // byte order the kernel printed addresses in
	maxSockets int
}

// New returns the live socket collector.
func New() inventory.Collector {
	return &Collector{order: binary.NativeEndian, maxSockets: defaultMaxSockets}
}

func (*Collector) Name() string    { return "live/sockets" }
func (*Collector) Phase() int      { return 0 }
func (*Collector) NeedsLive() bool { return true }

var tables = []struct{ file, proto string }{
	{"tcp", "tcp"}, {"tcp6", "tcp6"}, {"udp", "udp"}, {"udp6", "udp6"},
}

// Collect keeps listening (LISTEN, UNCONN) and ESTABLISHED sockets;
// transient states (TIME_WAIT, SYN_SENT...) would only add noise and size.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	procRoot := env.ProcRoot
	if procRoot == "" {
		procRoot = "/proc"
	}
	var listening, established []model.Socket
	dropped, read := 0, 0
	for _, t := range tables {
		p := path.Join(procRoot, "net", t.file)
		bad, firstBad, err := c.readTable(ctx, p, t.proto, func(s model.Socket) {
			switch {
			case s.Listening() && len(listening) < c.maxSockets:
				listening = append(listening, s)
			case s.State == "ESTABLISHED" && len(established) < c.maxSockets:
				established = append(established, s)
			default:
				dropped++
			}
		})
		if bad > 0 {
			env.Warnf(p, "%d malformed lines skipped (first: %v)", bad, firstBad)
		}
		switch {
		case err == nil:
			read++
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return nil, err
		case errors.Is(err, fs.ErrNotExist):
			// No tcp6/udp6 when IPv6 is disabled: nothing to report.
		default:
			env.Warn(p, err)
		}
	}
	if read == 0 {
		return nil, errors.New("no readable socket table under " + path.Join(procRoot, "net"))
	}
	socks := listening
	if room := c.maxSockets - len(socks); room > 0 {
		keep := min(room, len(established))
		socks = append(socks, established[:keep]...)
		dropped += len(established) - keep
	} else {
		dropped += len(established)
	}
	if dropped > 0 {
		env.Warnf(path.Join(procRoot, "net"), "%d sockets beyond the limit of %d not recorded (listening sockets kept first)", dropped, c.maxSockets)
	}

	wanted := make(map[uint64]bool, len(socks))
	for _, s := range socks {
		if s.Inode != 0 {
			wanted[s.Inode] = true
		}
	}
	owners, err := findOwners(ctx, env, procRoot, wanted)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		env.Warn(procRoot, err)
	}
	for i := range socks {
		if o, ok := owners[socks[i].Inode]; ok && socks[i].Inode != 0 {
			socks[i].PID, socks[i].ProcessName = o.pid, o.name
		}
	}
	slices.SortFunc(socks, compareSockets)
	return &model.Inventory{Sockets: socks}, nil
}

// readTable streams one /proc/net table, passing sockets in kept states to
// emit. Malformed lines are skipped and counted, with the first one's error.
func (c *Collector) readTable(ctx context.Context, p, proto string, emit func(model.Socket)) (bad int, firstBad, err error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	udp := proto == "udp" || proto == "udp6"
	sc := bufio.NewScanner(io.LimitReader(f, maxTableBytes))
	sc.Buffer(make([]byte, 0, maxLine), maxLine)
	n := 0
	for sc.Scan() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return bad, firstBad, err
			}
		}
		e, perr := parseLine(sc.Text(), c.order)
		if perr != nil {
			if perr != errHeader {
				if bad++; firstBad == nil {
					firstBad = fmt.Errorf("line %d: %w", n, perr)
				}
			}
			continue
		}
		state := stateName(udp, e.state)
		if state != "LISTEN" && state != "UNCONN" && state != "ESTABLISHED" {
			continue
		}
		s := model.Socket{
			Protocol:  proto,
			State:     state,
			LocalAddr: e.local.Addr().String(),
			LocalPort: int(e.local.Port()),
			Inode:     e.inode,
			UID:       e.uid,
		}
		if e.remote.Port() != 0 || !e.remote.Addr().IsUnspecified() {
			s.RemoteAddr, s.RemotePort = e.remote.Addr().String(), int(e.remote.Port())
		}
		emit(s)
	}
	return bad, firstBad, sc.Err()
}

func compareSockets(a, b model.Socket) int {
	return cmp.Or(
		cmp.Compare(a.Protocol, b.Protocol),
		cmp.Compare(a.LocalPort, b.LocalPort),
		cmp.Compare(a.LocalAddr, b.LocalAddr),
		cmp.Compare(a.RemoteAddr, b.RemoteAddr),
		cmp.Compare(a.RemotePort, b.RemotePort),
		cmp.Compare(a.Inode, b.Inode),
	)
}
