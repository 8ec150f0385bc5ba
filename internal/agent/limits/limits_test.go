package limits

import (
	"golang.org/x/sys/unix"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

// restorePriorities puts every thread back to its nice value and I/O
// priority from before the test (the test runs as root in CI; if not, the
// later tests in this package simply run at the lower priority).
func restorePriorities(t *testing.T) {
	tids, err := Threads()
	if err != nil {
		t.Fatal(err)
	}
	nice, class, level, err := ThreadPriority(tids[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tids, _ := Threads()
		for _, tid := range tids {
			_ = setThread(tid, nice, class, level)
		}
	})
}

func checkAllThreads(t *testing.T, nice int, class IOClass, level int) {
	t.Helper()
	tids, err := Threads()
	if err != nil {
		t.Fatal(err)
	}
	if len(tids) < 2 {
		t.Fatalf("only %d threads: the test would not show per-thread handling", len(tids))
	}
	for _, tid := range tids {
		n, c, l, err := ThreadPriority(tid)
		if err != nil {
			t.Fatal(err)
		}
		if n != nice || c != class || l != level {
			t.Errorf("thread %d: nice %d class %d level %d, want %d %d %d", tid, n, c, l, nice, class, level)
		}
	}
}

func TestApplyPriorityAllThreads(t *testing.T) {
	restorePriorities(t)
	for _, tc := range []struct {
		nice  int
		class IOClass
		level int
	}{
		{5, IOClassBestEffort, 7},
		{10, IOClassIdle, 0},
	} {
		if err := ApplyPriority(tc.nice, tc.class, tc.level); err != nil {
			t.Fatal(err)
		}
		checkAllThreads(t, tc.nice, tc.class, tc.level)
	}

	// Threads the runtime creates afterwards inherit the values: force new
	// OS threads by locking goroutines to threads at once.
	before, _ := Threads()
	var ready, release sync.WaitGroup
	release.Add(1)
	for range 8 {
		ready.Add(1)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ready.Done()
			release.Wait()
		}()
	}
	ready.Wait()
	after, _ := Threads()
	if len(after) <= len(before) {
		t.Logf("no new threads were created (%d -> %d)", len(before), len(after))
	}
	checkAllThreads(t, 10, IOClassIdle, 0)
	release.Done()
}

func TestApplyProcess(t *testing.T) {
	restorePriorities(t)
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	l := Defaults()
	if err := ApplyProcess(l); err != nil {
		t.Fatal(err)
	}
	if got := debug.SetMemoryLimit(-1); got != 128<<20 {
		t.Errorf("memory limit %d", got)
	}
	checkAllThreads(t, 10, IOClassIdle, 0)
}

func TestInvalidLimits(t *testing.T) {
	for _, l := range []Limits{{Nice: 20}, {Nice: -1}, {IOClass: 1}, {IOClass: IOClassBestEffort, IOLevel: 8}, {MemoryLimit: -5}} {
		if err := ApplyProcess(l); err == nil {
			t.Errorf("%+v accepted", l)
		}
	}
}

func TestForScan(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	restore := Limits{ScanProcs: 1}.ForScan()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("during scan GOMAXPROCS %d", got)
	}
	restore()
	if got := runtime.GOMAXPROCS(0); got != prev {
		t.Errorf("after scan GOMAXPROCS %d, want %d", got, prev)
	}
	Limits{}.ForScan()() // zero: no change
	if got := runtime.GOMAXPROCS(0); got != prev {
		t.Errorf("zero limits changed GOMAXPROCS to %d", got)
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		line string
		want uint64
		err  string
	}{
		{"1234 (ward) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 12 0 100 0 0", 300, ""},
		{"1234 (a) b) (c) S 1 1234 1234 0 -1 4194560 1000 0 0 0 7 8 0 0 20 0 12 0 100", 15, ""},
		{"1234 (ward S 1", 0, "no command name"},
		{"1234 (ward) S 1 2 3", 0, "fields"},
		{"1234 (ward) S 1 1234 1234 0 -1 4194560 1000 0 0 0 x 50 0", 0, "cpu times"},
		{"", 0, "no command name"},
	}
	for _, tt := range tests {
		got, err := parseStatCPU([]byte(tt.line))
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) || got != tt.want {
			t.Errorf("%q: got %d, %v; want %d, %q", tt.line, got, err, tt.want, tt.err)
		}
	}
}

func TestParseStatm(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"5000 1200 300 10 0 900 0\n", 1200, true},
		{"5000", 0, false},
		{"5000 -3", 0, false},
	}
	for _, tt := range tests {
		got, err := parseStatmRSS([]byte(tt.in))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%q: %d %v", tt.in, got, err)
		}
	}
}

// TestSamplerBusyLoop: a goroutine spinning for a while shows as CPU use,
// and a sleeping process does not; RSS grows with touched memory.
func TestSamplerBusyLoop(t *testing.T) {
	s, err := NewSampler()
	if err != nil {
		t.Fatal(err)
	}
	spin := func(d time.Duration) {
		start := time.Now()
		x := 0.0
		for time.Since(start) < d {
			for i := range 1000 {
				x += math.Sqrt(float64(i))
			}
		}
		sink = x
	}
	// The loop's share of a core depends on what else the machine runs,
	// so the sampler is checked against the process's own CPU clock over
	// the same interval rather than against "about 100%".
	cpuNow := func() time.Duration {
		var ru unix.Rusage
		if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.Sample()
	cpu0, wall0 := cpuNow(), time.Now()
	spin(600 * time.Millisecond)
	busy, err := s.Sample()
	if err != nil {
		t.Fatal(err)
	}
	want := 100 * float64(cpuNow()-cpu0) / float64(time.Since(wall0))
	if busy.CPUPercent < want*0.5-5 || busy.CPUPercent > want*1.5+5 || busy.CPUPercent > 100*float64(runtime.NumCPU())+25 {
		t.Errorf("busy loop: sampler says CPU %.1f%%, the process clock %.1f%%", busy.CPUPercent, want)
	}
	// Return freed heap (an earlier run's buffer) to the OS, so touching a
	// new one below must grow RSS.
	debug.FreeOSMemory()
	time.Sleep(400 * time.Millisecond)
	idle, _ := s.Sample()
	if idle.CPUPercent > 30 || idle.CPUPercent >= busy.CPUPercent {
		t.Errorf("sleeping: CPU %.1f%% (busy was %.1f%%)", idle.CPUPercent, busy.CPUPercent)
	}
	if idle.RSSBytes < 1<<20 || idle.RSSBytes > 4<<30 {
		t.Errorf("RSS %d", idle.RSSBytes)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		if i%4096 == 0 {
			buf[i] = 1
		}
	}
	grown, _ := s.Sample()
	if grown.RSSBytes < idle.RSSBytes+32<<20 {
		t.Errorf("RSS %d after touching 64 MiB, was %d", grown.RSSBytes, idle.RSSBytes)
	}
	runtime.KeepAlive(buf)
	t.Logf("busy %.1f%%, idle %.1f%%, RSS %d -> %d", busy.CPUPercent, idle.CPUPercent, idle.RSSBytes, grown.RSSBytes)
}

var sink float64
