// Package parse holds the pure parsers behind the local-accounts collector:
// passwd, shadow, group, login.defs, sudoers, authorized_keys, sshd_config
// and the binary utmp/lastlog records. They read from an io.Reader or a
// byte slice and never touch the filesystem, so they can be fuzzed.
package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// LineError is a problem with one line of a file. Messages never quote the
// line itself: in shadow files it would carry a password hash.
type LineError struct {
	Line int
	Msg  string
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func lineErr(line int, format string, args ...any) LineError {
	return LineError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// errLineTooLong marks a line skipped because it exceeds the caller's limit.
var errLineTooLong = errors.New("line too long")

// scanLines calls fn for every line of r with the line terminator (and a
// trailing '\r') removed. A line longer than max bytes is not delivered:
// fn gets tooLong=true and the rest of that line is discarded, so one
// hostile line cannot make the reader buffer an unbounded amount.
func scanLines(r io.Reader, max int, fn func(n int, line []byte, tooLong bool)) error {
	br := bufio.NewReaderSize(r, 4096)
	var buf []byte
	n := 0
	for {
		n++
		buf = buf[:0]
		tooLong := false
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			if !tooLong {
				if len(buf)+len(chunk) > max+2 { // +2: room for "\r\n"
					tooLong = true
					buf = buf[:0]
				} else {
					buf = append(buf, chunk...)
				}
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			return err
		}
		if err == io.EOF && len(buf) == 0 && !tooLong {
			return nil
		}
		line := bytes.TrimSuffix(buf, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if !tooLong && len(line) > max {
			tooLong = true
		}
		if tooLong {
			fn(n, nil, true)
		} else {
			fn(n, line, false)
		}
		if err == io.EOF {
			return nil
		}
	}
}

// isBlankOrComment reports lines that glibc's files backend ignores.
func isBlankOrComment(line []byte) bool {
	t := bytes.TrimLeft(line, " \t\r\v\f")
	return len(t) == 0 || t[0] == '#'
}

// scanColonLines reads a colon-separated account database (passwd, group,
// shadow) as glibc's files backend does: a line longer than max bytes is
// reported in errs and skipped; blank lines, comments and NIS compat
// entries are skipped. fn gets every other line, without its leading
// blanks, and its first nfields colon-separated fields.
func scanColonLines(r io.Reader, max, nfields int, errs *[]LineError, fn func(n int, line []byte, f []string)) error {
	return scanLines(r, max, func(n int, line []byte, tooLong bool) {
		if tooLong {
			*errs = append(*errs, lineErr(n, "longer than %d bytes; skipped", max))
			return
		}
		if isBlankOrComment(line) {
			return
		}
		line = bytes.TrimLeft(line, " \t")
		if isNISCompat(line) {
			return
		}
		fn(n, line, strings.SplitN(string(line), ":", nfields))
	})
}
