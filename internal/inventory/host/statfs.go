package host

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// fsUsage is a filesystem's size and the space still available to users.
type fsUsage struct{ Total, Free uint64 }

type statfsFunc func(path string) (fsUsage, error)

func statfsUsage(path string) (fsUsage, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return fsUsage{}, err
	}
	unit := uint64(st.Frsize)
	if unit == 0 {
		unit = uint64(st.Bsize)
	}
	// Bavail, not Bfree: what df shows as available, without root's reserve.
	return fsUsage{Total: st.Blocks * unit, Free: st.Bavail * unit}, nil
}

var (
	errStatfsTimeout = errors.New("statfs did not answer in time (unresponsive network filesystem?)")
	errStatfsStuck   = errors.New("an earlier statfs of this mount never returned; not trying again")
)

// statfsGuard runs statfs off the scan's goroutine with a deadline, so a
// dead NFS server cannot hang the scan. A statfs that never returns keeps
// its goroutine (a blocked syscall cannot be cancelled); the guard
// remembers the mount point and starts no second one there, so a
// long-running agent does not pile them up scan after scan.
type statfsGuard struct {
	mu    sync.Mutex
	stuck map[string]bool
}

func (g *statfsGuard) statfs(ctx context.Context, fn statfsFunc, path string, timeout time.Duration) (fsUsage, error) {
	g.mu.Lock()
	if g.stuck[path] {
		g.mu.Unlock()
		return fsUsage{}, errStatfsStuck
	}
	g.mu.Unlock()

	type result struct {
		u   fsUsage
		err error
	}
	ch := make(chan result, 1)
	done := false // guarded by g.mu
	go func() {
		u, err := fn(path)
		g.mu.Lock()
		done = true
		delete(g.stuck, path)
		g.mu.Unlock()
		ch <- result{u, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.u, r.err
	case <-t.C:
	case <-ctx.Done():
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if done {
		r := <-ch
		return r.u, r.err
	}
	if g.stuck == nil {
		g.stuck = map[string]bool{}
	}
	g.stuck[path] = true
	if ctx.Err() != nil {
		return fsUsage{}, ctx.Err()
	}
	return fsUsage{}, errStatfsTimeout
}
