// Package limits keeps the agent a good neighbour on the host it watches:
// low CPU and I/O priority, a soft memory limit, few threads during scans,
// and the agent's own CPU% and RSS for its heartbeats.
//
// Linux priorities belong to threads, not processes: setpriority(2) and
// ioprio_set(2) with PRIO_PROCESS / IOPRIO_WHO_PROCESS and who=0 change only
// the calling thread, and a Go program runs on many OS threads that the
// runtime creates and parks as it likes. ApplyPriority therefore sets every
// thread listed in /proc/self/task, repeating until a pass finds no thread
// it has not set. Threads created afterwards inherit the nice value and the
// I/O priority of the thread that clones them (Go does not pass CLONE_IO, so
// the I/O context is copied), and every thread by then has the new values.
// The systemd unit sets the same values (Nice=, IOSchedulingClass=) from the
// start, so under systemd this is a second line of defence.
package limits

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
)

// IOClass is a Linux I/O scheduling class.
type IOClass int

// I/O classes (linux/ioprio.h). IOClassNone leaves the I/O priority alone.
const (
	IOClassNone       IOClass = 0
	IOClassBestEffort IOClass = 2
	IOClassIdle       IOClass = 3
)

// Limits are the agent's self-imposed limits. Zero values leave a setting
// as it is.
type Limits struct {
	// MemoryLimit is the Go runtime's soft memory limit in bytes
	// (debug.SetMemoryLimit): the GC works harder near it; it is not a cap
	// (the unit's MemoryMax is).
	MemoryLimit int64
	// ScanProcs is GOMAXPROCS while a scan runs.
	ScanProcs int
	// Nice is the nice value for every thread, 1..19.
	Nice int
	// IOClass and IOLevel (0 highest .. 7 lowest, best-effort only) set the
	// I/O priority of every thread.
	IOClass IOClass
	IOLevel int
}

// Defaults are docs/fleet.md's: GOMAXPROCS 1 during scans, nice 10, idle
// I/O class, 128 MiB soft memory limit.
func Defaults() Limits {
	return Limits{MemoryLimit: 128 << 20, ScanProcs: 1, Nice: 10, IOClass: IOClassIdle}
}

func (l Limits) validate() error {
	switch {
	case l.Nice < 0 || l.Nice > 19:
		return fmt.Errorf("nice %d out of range 0..19", l.Nice)
	case l.IOClass != IOClassNone && l.IOClass != IOClassBestEffort && l.IOClass != IOClassIdle:
		return fmt.Errorf("unsupported I/O class %d", l.IOClass)
	case l.IOLevel < 0 || l.IOLevel > 7:
		return fmt.Errorf("I/O level %d out of range 0..7", l.IOLevel)
	case l.MemoryLimit < 0 || l.ScanProcs < 0:
		return errors.New("negative memory limit or scan procs")
	}
	return nil
}

// ApplyProcess applies the settings that hold for the agent's whole life:
// the memory limit and the CPU and I/O priority of all its threads. It
// applies what it can and returns every failure.
func ApplyProcess(l Limits) error {
	if err := l.validate(); err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	if l.MemoryLimit > 0 {
		debug.SetMemoryLimit(l.MemoryLimit)
	}
	return ApplyPriority(l.Nice, l.IOClass, l.IOLevel)
}

// ForScan sets GOMAXPROCS for the duration of a scan; call the returned
// function when the scan ends. Scans run one at a time: concurrent calls
// would restore each other's values.
func (l Limits) ForScan() (restore func()) {
	if l.ScanProcs <= 0 {
		return func() {}
	}
	prev := runtime.GOMAXPROCS(l.ScanProcs)
	return func() { runtime.GOMAXPROCS(prev) }
}
