package ospkg

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge ends a read that passed the size cap.
var ErrTooLarge = errors.New("file exceeds the size limit")

// DefaultMaxDB caps a database file when the Env gives no limit.
const DefaultMaxDB = 512 << 20

// MaxPackages bounds the packages taken from one root's database. Real
// systems have at most a few thousand; a crafted image must not make the
// agent hold millions.
const MaxPackages = 100000

// DBReader reads a package database: at most limit bytes (then it fails
// with ErrTooLarge, so a huge file is parsed up to the cap and reported,
// not read forever), and it stops with ctx's error once ctx is done.
func DBReader(ctx context.Context, r io.Reader, limit int64) io.Reader {
	if limit <= 0 {
		limit = DefaultMaxDB
	}
	return &dbReader{ctx: ctx, r: r, left: limit, limit: limit}
}

type dbReader struct {
	ctx   context.Context
	r     io.Reader
	left  int64
	limit int64
}

func (c *dbReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.left <= 0 {
		// At the cap: a file of exactly the cap ends here; a larger one does not.
		var one [1]byte
		if n, err := c.r.Read(one[:]); n == 0 && err == io.EOF {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%w (%d bytes)", ErrTooLarge, c.limit)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
