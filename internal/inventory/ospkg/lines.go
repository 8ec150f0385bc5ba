package ospkg

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// ParseError is a malformed record of a text package database (a dpkg
// stanza, an apk package); the parsers skip to the next record.
type ParseError struct {
	Line int
	Msg  string
}

func (e ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ScanLines calls fn for each line of r without its line end ("\n" or
// "\r\n"). A line longer than max bytes is cut to its first max bytes
// (long is true) and its remainder discarded without being held. line is
// only valid until fn returns. The returned error is a read error of r.
func ScanLines(r io.Reader, max int, fn func(line []byte, long bool)) error {
	br := bufio.NewReaderSize(r, max)
	var buf []byte // holds the kept prefix of an over-long line
	for {
		line, err := br.ReadSlice('\n')
		long := false
		if err == bufio.ErrBufferFull {
			long = true
			buf = append(buf[:0], line...)
			line = buf
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
		}
		if err != nil && err != io.EOF {
			return err
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 && !long && err == io.EOF {
			return nil
		}
		fn(line, long)
		if err == io.EOF {
			return nil
		}
	}
}

// maxInterned bounds an Interner, so a hostile file cannot grow it.
const maxInterned = 4096

// Interner shares the strings that repeat across the records of one
// database (status, arch, maintainer...) instead of allocating one per
// package. The zero value is ready to use.
type Interner struct {
	m map[string]string
}

// Intern returns b as a string, shared with earlier equal ones.
func (in *Interner) Intern(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if in.m == nil {
		in.m = map[string]string{}
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
	}
	return s
}
