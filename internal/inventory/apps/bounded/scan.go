// Package bounded reads untrusted files with fixed memory: a regex search
// over a stream (binaries) and single entries out of zip archives (jars),
// never holding more than a window or one capped entry in memory.
package bounded

import (
	"errors"
	"io"
	"regexp"
)

const (
	window = 1 << 20 // bytes searched at a time
	// overlap is carried from one window to the next so a match that
	// straddles the boundary is still found; version strings are short.
	overlap = 4096
)

// ReadPrefix reads at most max bytes of r. Reading a prefix (not refusing
// large files) is right for version markers, which sit near the top.
func ReadPrefix(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(r, max))
}

// FindSubmatch streams at most max bytes of r through re and returns the
// submatches of the first match (nil when there is none). Matches longer
// than the overlap (4 KiB) across a window boundary may be missed.
func FindSubmatch(r io.Reader, re *regexp.Regexp, max int64) ([][]byte, error) {
	if re == nil || max <= 0 {
		return nil, nil
	}
	lr := io.LimitReader(r, max)
	buf := make([]byte, window+overlap)
	carry := 0 // bytes at the start of buf kept from the previous window
	for {
		n, err := io.ReadFull(lr, buf[carry:])
		data := buf[:carry+n]
		if m := re.FindSubmatch(data); m != nil {
			return copySubmatch(m), nil
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		carry = min(overlap, len(data))
		copy(buf, data[len(data)-carry:])
	}
}

// copySubmatch detaches the result from the reused window buffer.
func copySubmatch(m [][]byte) [][]byte {
	out := make([][]byte, len(m))
	for i, s := range m {
		if s != nil {
			out[i] = append([]byte(nil), s...)
		}
	}
	return out
}
