package process

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// pfKthread is PF_KTHREAD in the flags field of /proc/<pid>/stat.
const pfKthread = 0x00200000

// procStat holds the fields of /proc/<pid>/stat that Ward records.
type procStat struct {
	PID        int
	Comm       string
	State      byte
	PPID       int
	Flags      uint64
	StartTicks uint64 // clock ticks after boot (field 22)
	RSSPages   uint64 // resident pages (field 24)
}

var errStatShort = errors.New("stat: too few fields")

// parseStat parses one /proc/<pid>/stat line. comm may hold spaces and
// parentheses ("(sd-pam)", "a) b (c"), so it is everything between the
// first '(' and the LAST ')'.
func parseStat(data []byte) (procStat, error) {
	var s procStat
	open := bytes.IndexByte(data, '(')
	closing := bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return s, errors.New("stat: no (comm)")
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
	if err != nil || pid < 0 {
		return s, fmt.Errorf("stat: bad pid %q", bytes.TrimSpace(data[:open]))
	}
	s.PID = pid
	s.Comm = string(data[open+1 : closing])
	// Fields from 3 (state) on; rest[0] is field 3.
	rest := bytes.Fields(data[closing+1:])
	const (
		fState = 3 - 3
		fPPID  = 4 - 3
		fFlags = 9 - 3
		fStart = 22 - 3
		fRSS   = 24 - 3
	)
	if len(rest) <= fRSS {
		return s, errStatShort
	}
	if len(rest[fState]) != 1 {
		return s, fmt.Errorf("stat: bad state %q", rest[fState])
	}
	s.State = rest[fState][0]
	if s.PPID, err = strconv.Atoi(string(rest[fPPID])); err != nil || s.PPID < 0 {
		return s, fmt.Errorf("stat: bad ppid %q", rest[fPPID])
	}
	if s.Flags, err = strconv.ParseUint(string(rest[fFlags]), 10, 64); err != nil {
		return s, fmt.Errorf("stat: bad flags %q", rest[fFlags])
	}
	if s.StartTicks, err = strconv.ParseUint(string(rest[fStart]), 10, 64); err != nil {
		return s, fmt.Errorf("stat: bad starttime %q", rest[fStart])
	}
	// rss is a signed long in the kernel; a negative value means nothing useful.
	if rss, err := strconv.ParseInt(string(rest[fRSS]), 10, 64); err == nil && rss > 0 {
		s.RSSPages = uint64(rss)
	}
	return s, nil
}

// kernelThread reports whether the task is a kernel thread. The flag, not
// "pid 2 or child of 2", decides: inside a PID namespace pid 2 is an
// ordinary process.
func (s procStat) kernelThread() bool {
	return s.Flags&pfKthread != 0
}
