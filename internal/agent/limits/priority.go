package limits

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

const (
	ioprioClassShift = 13
	ioprioWhoProcess = 1 // IOPRIO_WHO_PROCESS: who is a thread id
	maxPasses        = 5
)

func ioprioValue(class IOClass, level int) int { return int(class)<<ioprioClassShift | level }

// ApplyPriority sets nice (when > 0) and the I/O priority (unless
// IOClassNone) on every thread of this process; see the package comment.
func ApplyPriority(nice int, class IOClass, level int) error {
	if err := (Limits{Nice: nice, IOClass: class, IOLevel: level}).validate(); err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	if nice == 0 && class == IOClassNone {
		return nil
	}
	done := map[int]bool{}
	var errs []error
	for range maxPasses {
		tids, err := Threads()
		if err != nil {
			return err
		}
		fresh := 0
		for _, tid := range tids {
			if done[tid] {
				continue
			}
			done[tid] = true
			fresh++
			if err := setThread(tid, nice, class, level); err != nil && !errors.Is(err, unix.ESRCH) {
				errs = append(errs, err) // ESRCH: the thread exited meanwhile
			}
		}
		if fresh == 0 {
			break
		}
	}
	return errors.Join(errs...)
}

func setThread(tid, nice int, class IOClass, level int) error {
	var errs []error
	if nice > 0 {
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, nice); err != nil {
			errs = append(errs, fmt.Errorf("setpriority(thread %d, %d): %w", tid, nice, err))
		}
	}
	if class != IOClassNone {
		if err := ioprioSet(tid, ioprioValue(class, level)); err != nil {
			errs = append(errs, fmt.Errorf("ioprio_set(thread %d, class %d level %d): %w", tid, class, level, err))
		}
	}
	return errors.Join(errs...)
}

func ioprioSet(tid, prio int) error {
	if _, _, e := unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), uintptr(prio)); e != 0 {
		return e
	}
	return nil
}

// ThreadPriority reads back one thread's nice value and I/O class and level.
func ThreadPriority(tid int) (nice int, class IOClass, level int, err error) {
	// The raw syscall returns 20-nice so that the value is never negative.
	p, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("getpriority(thread %d): %w", tid, err)
	}
	r, _, e := unix.Syscall(unix.SYS_IOPRIO_GET, ioprioWhoProcess, uintptr(tid), 0)
	if e != 0 {
		return 0, 0, 0, fmt.Errorf("ioprio_get(thread %d): %w", tid, e)
	}
	return 20 - p, IOClass(r >> ioprioClassShift), int(r & (1<<ioprioClassShift - 1)), nil
}

// Threads lists this process's thread ids.
func Threads() ([]int, error) {
	des, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, fmt.Errorf("list threads: %w", err)
	}
	tids := make([]int, 0, len(des))
	for _, de := range des {
		if tid, err := strconv.Atoi(de.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}
