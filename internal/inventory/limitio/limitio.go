// Package limitio bounds what collectors read from one file.
package limitio

import (
	"errors"
	"io"
)

// ErrTooLarge ends a read that would pass the cap.
var ErrTooLarge = errors.New("file exceeds size limit")

// NewReader returns a reader of at most max bytes of r that fails with
// ErrTooLarge, instead of silently truncating, once r holds more: a parser
// never mistakes the first part of a huge file for the whole.
func NewReader(r io.Reader, max int64) io.Reader {
	return &cappedReader{r: r, left: max}
}

type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, _ := c.r.Read(one[:]); n > 0 {
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
