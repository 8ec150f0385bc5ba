package process

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// clockTicks is USER_HZ, the unit of stat's starttime. It is 100 on every
// Linux architecture Ward supports (the kernel fixes it for userspace ABI).
const clockTicks = 100

// parseBootTime returns the "btime" line of /proc/stat (seconds since the epoch).
func parseBootTime(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	// /proc/stat's "intr" line is long on big machines; btime comes after it.
	sc.Buffer(make([]byte, 0, 64<<10), maxProcStatLine)
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("btime "))
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(string(bytes.TrimSpace(rest)), 10, 64)
		if err != nil || v <= 0 {
			return 0, fmt.Errorf("bad btime %q", bytes.TrimSpace(rest))
		}
		return v, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no btime line")
}

// startTime converts stat's starttime (ticks after boot) to wall time.
func startTime(btime int64, ticks uint64) time.Time {
	if btime <= 0 {
		return time.Time{}
	}
	const tick = time.Second / clockTicks
	if ticks > uint64(1<<62)/uint64(tick) { // would overflow a Duration
		return time.Time{}
	}
	return time.Unix(btime, 0).Add(time.Duration(ticks) * tick).UTC()
}
