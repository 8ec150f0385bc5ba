package process

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// parseStatusUID returns the real uid from /proc/<pid>/status
// ("Uid:\treal\teffective\tsaved\tfs").
func parseStatusUID(data []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1024), maxStatusSize)
	for sc.Scan() {
		line := sc.Bytes()
		rest, ok := bytes.CutPrefix(line, []byte("Uid:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return -1, errors.New("status: empty Uid line")
		}
		uid, err := strconv.ParseUint(string(f[0]), 10, 32)
		if err != nil {
			return -1, fmt.Errorf("status: bad uid %q", f[0])
		}
		return int(uid), nil
	}
	if err := sc.Err(); err != nil {
		return -1, fmt.Errorf("status: %w", err)
	}
	return -1, errors.New("status: no Uid line")
}
