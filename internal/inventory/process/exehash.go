package process

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"sync"
	"syscall"

	"github.com/ward-sec/ward/internal/inventory"
)

// maxExeHash: larger executables are not hashed (time and I/O, not memory:
// hashing streams).
const maxExeHash = 256 << 20

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// openExe opens the executable a process runs. On the live host that is
// ProcRoot/<pid>/exe itself: the kernel's magic link reaches the file even
// when it was deleted or lives in another mount namespace (a container).
// Off-line (a saved /proc next to a root tree) the link is only text, so
// the path is resolved inside the scanned root instead; a deleted binary
// cannot be found there. A nil file with a nil error means "nothing to hash".
func openExe(env *inventory.Env, pidDir, exe string, deleted bool) (*os.File, error) {
	if env.Live {
		// O_NONBLOCK|O_NOCTTY: never hang or take a terminal whatever the link reaches.
		return os.OpenFile(path.Join(pidDir, "exe"), os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	}
	if deleted || !path.IsAbs(exe) {
		return nil, nil
	}
	return env.FS.OpenFile(exe)
}

// hashFile returns the hex SHA-256 of an open regular file, from the cache
// when the same file version was hashed before. Files over limit are skipped
// (empty sum, nil error).
func (c *Collector) hashFile(f *os.File, limit int64) (string, error) {
	k, regular, err := keyOf(f)
	if err != nil {
		return "", err
	}
	if !regular || k.size > limit {
		return "", nil
	}
	if sum, ok := c.hashes.get(k); ok {
		return sum, nil
	}
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	h := sha256.New()
	if _, err := io.CopyBuffer(h, io.LimitReader(f, k.size), *bufp); err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	c.hashed.Add(1)
	sum := hex.EncodeToString(h.Sum(nil))
	// Only cache what provably matches the key: a file rewritten while it
	// was read gets this run's digest but no cache entry.
	if after, _, err := keyOf(f); err == nil && after == k {
		c.hashes.put(k, sum)
	}
	return sum, nil
}

func keyOf(f *os.File) (fileKey, bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileKey{}, false, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false, fmt.Errorf("no stat data")
	}
	return fileKey{
		dev:   uint64(st.Dev),
		ino:   st.Ino,
		size:  st.Size,
		mtime: st.Mtim.Nano(),
		ctime: st.Ctim.Nano(),
	}, fi.Mode().IsRegular(), nil
}
