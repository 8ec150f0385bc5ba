package host

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxProcLine bounds one line of a /proc file: a cpuinfo flags line is
// about 2 KB, a mountinfo line with long overlay options a few KB.
const maxProcLine = 256 << 10

func newLineScanner(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxProcLine)
	return sc
}

// maxCPUs bounds the per-CPU maps against a hostile or corrupt file; the
// kernel supports at most 8192 CPUs.
const maxCPUs = 1 << 14

// CPUInfo is what /proc/cpuinfo says about the processors.
type CPUInfo struct {
	Model      string
	Vendor     string
	Sockets    int // distinct "physical id"; 0 when the kernel does not say (most ARM)
	Cores      int
	Threads    int // logical CPUs ("processor" entries)
	MHz        float64
	Hypervisor bool // the "hypervisor" CPU flag: running under a hypervisor
}

// armImplementers names the "CPU implementer" codes of ARM cpuinfo.
var armImplementers = map[string]string{
	"0x41": "ARM", "0x42": "Broadcom", "0x43": "Cavium", "0x46": "Fujitsu", "0x48": "HiSilicon",
	"0x4e": "NVIDIA", "0x50": "APM", "0x51": "Qualcomm", "0x61": "Apple", "0x6d": "Microsoft",
	"0xc0": "Ampere",
}

// ParseCPUInfo reads /proc/cpuinfo of any architecture. Sockets counts
// distinct physical ids; Cores adds up "cpu cores" per socket, or counts
// distinct (physical id, core id) pairs, or falls back to Threads.
func ParseCPUInfo(r io.Reader) (CPUInfo, error) {
	var info CPUInfo
	coresPerSocket := map[string]int{}
	corePairs := map[string]bool{}
	physIDs := map[string]bool{}
	phys, core := "", ""
	flush := func() {
		if phys != "" && core != "" && len(corePairs) < maxCPUs {
			corePairs[phys+"/"+core] = true
		}
		phys, core = "", ""
	}
	sc := newLineScanner(r)
	for sc.Scan() {
		line := sc.Text()
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			if strings.TrimSpace(line) == "" {
				flush()
			}
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "processor":
			flush()
			info.Threads++
		case "model name", "cpu model", "Processor", "cpu":
			// x86 / MIPS / old ARM / POWER names for the model string
			if info.Model == "" {
				info.Model = val
			}
		case "vendor_id", "vendor":
			if info.Vendor == "" {
				info.Vendor = val
			}
		case "CPU implementer":
			if info.Vendor == "" {
				info.Vendor = armImplementers[strings.ToLower(val)]
			}
		case "cpu MHz":
			if info.MHz == 0 {
				if f, err := strconv.ParseFloat(val, 64); err == nil && f > 0 && !math.IsInf(f, 0) {
					info.MHz = math.Round(f*1000) / 1000
				}
			}
		case "physical id":
			phys = val
			if len(physIDs) < maxCPUs {
				physIDs[val] = true
			}
		case "core id":
			core = val
		case "cpu cores":
			if n, err := strconv.Atoi(val); err == nil && n > 0 && n <= maxCPUs && len(coresPerSocket) < maxCPUs {
				coresPerSocket[phys] = n
			}
		case "flags", "Features":
			if !info.Hypervisor {
				for _, f := range strings.Fields(val) {
					if f == "hypervisor" {
						info.Hypervisor = true
						break
					}
				}
			}
		}
	}
	flush()
	info.Sockets = len(physIDs)
	switch {
	case len(coresPerSocket) > 0:
		for _, n := range coresPerSocket {
			info.Cores += n
		}
	case len(corePairs) > 0:
		info.Cores = len(corePairs)
	default:
		info.Cores = info.Threads
	}
	if info.Cores > info.Threads && info.Threads > 0 {
		// A CPU-limited container or VM can show more cores than CPUs.
		info.Cores = info.Threads
	}
	return info, sc.Err()
}

// Meminfo holds the totals Ward reports from /proc/meminfo, in bytes.
type Meminfo struct {
	MemTotal  uint64
	SwapTotal uint64
}

// ParseMeminfo reads "Key:   value kB" lines.
func ParseMeminfo(r io.Reader) (Meminfo, error) {
	var m Meminfo
	sc := newLineScanner(r)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "MemTotal" && key != "SwapTotal") {
			continue
		}
		n, err := parseKB(val)
		if err != nil {
			return m, fmt.Errorf("%s: %w", key, err)
		}
		if key == "MemTotal" {
			m.MemTotal = n
		} else {
			m.SwapTotal = n
		}
	}
	return m, sc.Err()
}

// parseKB parses " 24684084 kB" into bytes.
func parseKB(s string) (uint64, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, errors.New("no value")
	}
	n, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return 0, err
	}
	if len(f) > 1 && f[1] == "kB" {
		if n > math.MaxUint64/1024 {
			return 0, errors.New("value out of range")
		}
		n *= 1024
	}
	return n, nil
}

// ParseUptime reads /proc/uptime ("1641.09 2885.97") into whole seconds.
func ParseUptime(data []byte) (int64, error) {
	f := bytes.Fields(data)
	if len(f) == 0 {
		return 0, errors.New("empty")
	}
	v, err := strconv.ParseFloat(string(f[0]), 64)
	if err != nil || v < 0 || v > math.MaxInt32*100 || math.IsNaN(v) {
		return 0, fmt.Errorf("bad uptime %.32q", f[0])
	}
	return int64(v), nil
}

// ParseBootTime finds "btime <unix seconds>" in /proc/stat, reading only
// as far as that line.
func ParseBootTime(r io.Reader) (int64, error) {
	sc := newLineScanner(r)
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("btime "))
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(string(bytes.TrimSpace(rest)), 10, 64)
		if err != nil || v <= 0 || v > math.MaxInt32*4 {
			return 0, fmt.Errorf("bad btime %.32q", rest)
		}
		return v, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no btime line")
}
