package accounts

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"syscall"

	"github.com/ward-sec/ward/internal/inventory"
)

// Size caps. 8 MiB of passwd is ~130,000 accounts, far beyond real hosts,
// yet keeps the parsed records within the agent's memory budget;
// configuration files are small.
const (
	maxAccountDB   = 8 << 20 // passwd, shadow, group
	maxConfigFile  = 1 << 20 // sudoers, sshd_config, login.defs, authorized_keys
	maxWtmpTail    = 1 << 20 // bytes read from the end of wtmp
	maxLoginsKept  = 200     // newest wtmp logins reported
	maxIncludeDeep = 16      // sudoers / sshd_config include nesting
)

// isMissing reports errors that just mean "not there": no warning.
func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// streamFile opens name and hands fn a reader capped at max bytes. It
// returns opened=false when the file cannot be opened: silently when it
// does not exist, with a warning otherwise. A file larger than the cap is
// read up to its last whole line before the cap, with a warning: a line
// cut in the middle (a uid "1000" read as "10") must not become a record.
func streamFile(env *inventory.Env, name string, max int64, fn func(io.Reader) error) (opened bool) {
	f, err := env.FS.OpenFile(name)
	if err != nil {
		if !isMissing(err) {
			env.Warn(name, err)
		}
		return false
	}
	defer f.Close()
	err = fn(&capReader{r: f, n: max})
	switch {
	case errors.Is(err, errCapped):
		env.Warnf(name, "larger than %d bytes; only the lines before that were read", max)
	case err != nil:
		env.Warn(name, fmt.Errorf("read: %w", err))
	}
	return true
}

// errCapped ends a capped read. It is an error, not io.EOF, so the line
// parsers drop the unfinished line instead of parsing it.
var errCapped = errors.New("size cap reached")

// capReader reads at most n bytes, then reports errCapped if there is more.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		var probe [1]byte
		if k, _ := c.r.Read(probe[:]); k == 0 {
			return 0, io.EOF
		}
		return 0, errCapped
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// readSmall reads a configuration file of at most maxConfigFile bytes;
// ok=false when it cannot be read: silently when it does not exist, with a
// warning otherwise.
func readSmall(env *inventory.Env, name string) (data []byte, ok bool) {
	data, err := env.FS.ReadFile(name, maxConfigFile)
	if err != nil {
		if !isMissing(err) {
			env.Warn(name, err)
		}
		return nil, false
	}
	return data, true
}
