package limits

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSamplerArithmetic uses a fake /proc/self and clock: 50 ticks (0.5 s
// of CPU) over 1 s of wall time is 50%; 4 pages resident.
func TestSamplerArithmetic(t *testing.T) {
	dir := t.TempDir()
	write := func(ticks string) {
		stat := "42 (x) S 1 1 1 0 -1 0 0 0 0 0 " + ticks + " 0 0 0 20 0 1 0 1 0 0\n"
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "statm"), []byte("10 4 1 1 0 1 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	write("100")
	s, err := newSampler(dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	write("150")
	now = now.Add(time.Second)
	u, err := s.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if u.CPUPercent != 50 || u.RSSBytes != 4*uint64(os.Getpagesize()) {
		t.Fatalf("%+v", u)
	}
	// No wall time passed: no division by zero.
	if u, _ := s.Sample(); u.CPUPercent != 0 {
		t.Fatalf("zero interval: %+v", u)
	}
	os.Remove(filepath.Join(dir, "stat"))
	if _, err := s.Sample(); err == nil {
		t.Fatal("missing stat accepted")
	}
}
