package java

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// maxManifestLine bounds one physical manifest line. The JAR spec says 72
// bytes; real tools exceed it, so allow plenty but never an unbounded line.
const maxManifestLine = 64 << 10

// Manifest holds the main-section attributes of a META-INF/MANIFEST.MF.
// Keys are lower case: attribute names are case-insensitive in the JAR spec.
type Manifest map[string]string

// Get returns the value of an attribute, whatever the case of name.
func (m Manifest) Get(name string) string { return m[asciiLower(name)] }

// asciiLower lower-cases ASCII letters only: attribute names are ASCII, and
// strings.ToLower would turn stray invalid bytes into 3-byte U+FFFD.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// ParseManifest reads the main section of a JAR manifest: "Name: value"
// lines, where a line starting with one space continues the previous
// value, up to the first blank line. Per-entry sections (which can be
// megabytes long in signed jars) are never read. The first occurrence of an
// attribute wins, so a manifest missing the blank line before its entry
// sections cannot override main attributes.
func ParseManifest(r io.Reader) (Manifest, error) {
	m := Manifest{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxManifestLine)
	sc.Split(scanManifestLines)
	var key string // attribute being built ("" after a malformed line)
	var val []byte // its value so far
	var seen bool  // whether key was already set (first wins)
	flush := func() {
		if key != "" && !seen {
			m[key] = strings.TrimSpace(string(val))
		}
		key, val = "", val[:0]
	}
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			break // end of the main section
		}
		if line[0] == ' ' {
			if key != "" {
				val = append(val, line[1:]...)
			}
			continue
		}
		flush()
		i := bytes.IndexByte(line, ':')
		if i <= 0 {
			continue // not "Name: value"; tolerate, as Java's own reader is lenient in practice
		}
		key = asciiLower(string(bytes.TrimSpace(line[:i])))
		_, seen = m[key]
		val = append(val, bytes.TrimLeft(line[i+1:], " ")...)
	}
	flush()
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return m, errors.New("manifest line longer than 64 KiB")
		}
		return m, err
	}
	return m, nil
}

// scanManifestLines splits on CR LF, LF or a lone CR, the three newlines the
// JAR spec allows.
func scanManifestLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	for i, c := range data {
		switch c {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // need one more byte to tell CR from CR LF
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
