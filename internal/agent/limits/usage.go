package limits

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, which
// the kernel fixes at 100 in its ABI on every architecture Ward targets
// (sysconf(_SC_CLK_TCK) needs cgo).
const userHZ = 100

// Usage is the agent's own resource use, for heartbeats.
type Usage struct {
	// CPUPercent is CPU time over wall time since the previous sample, in
	// percent of one CPU (like top: 200 means two CPUs busy).
	CPUPercent float64
	RSSBytes   uint64
}

// Sampler measures the process's CPU% between calls and its RSS, from
// /proc/self/stat and /proc/self/statm. Safe for concurrent use.
type Sampler struct {
	procSelf string
	now      func() time.Time
	pageSize uint64

	mu       sync.Mutex
	lastCPU  time.Duration
	lastWall time.Time
}

// NewSampler starts measuring now: the first Sample covers the time since.
func NewSampler() (*Sampler, error) {
	return newSampler("/proc/self", time.Now)
}

func newSampler(procSelf string, now func() time.Time) (*Sampler, error) {
	s := &Sampler{procSelf: procSelf, now: now, pageSize: uint64(os.Getpagesize())}
	cpu, err := s.cpuTime()
	if err != nil {
		return nil, err
	}
	s.lastCPU, s.lastWall = cpu, now()
	return s, nil
}

// Sample returns the usage since the previous call.
func (s *Sampler) Sample() (Usage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cpu, err := s.cpuTime()
	if err != nil {
		return Usage{}, err
	}
	statm, err := os.ReadFile(s.procSelf + "/statm")
	if err != nil {
		return Usage{}, fmt.Errorf("read statm: %w", err)
	}
	pages, err := parseStatmRSS(statm)
	if err != nil {
		return Usage{}, err
	}
	wall := s.now()
	u := Usage{RSSBytes: pages * s.pageSize}
	if dw := wall.Sub(s.lastWall); dw > 0 {
		u.CPUPercent = 100 * float64(cpu-s.lastCPU) / float64(dw)
	}
	s.lastCPU, s.lastWall = cpu, wall
	return u, nil
}

func (s *Sampler) cpuTime() (time.Duration, error) {
	stat, err := os.ReadFile(s.procSelf + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read stat: %w", err)
	}
	ticks, err := parseStatCPU(stat)
	if err != nil {
		return 0, err
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// parseStatCPU returns utime+stime (fields 14 and 15) of a /proc/<pid>/stat
// line. The command name (field 2) is in parentheses and may itself hold
// spaces and parentheses, so fields are counted after the last ')'.
func parseStatCPU(b []byte) (uint64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("parse stat: no command name")
	}
	f := bytes.Fields(b[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("parse stat: %d fields after the command name, want at least 13", len(f))
	}
	utime, err1 := strconv.ParseUint(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseUint(string(f[12]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("parse stat cpu times: %w", err)
	}
	return utime + stime, nil
}

// parseStatmRSS returns the resident pages (field 2) of /proc/<pid>/statm.
func parseStatmRSS(b []byte) (uint64, error) {
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, errors.New("parse statm: fewer than 2 fields")
	}
	n, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse statm resident: %w", err)
	}
	return n, nil
}
