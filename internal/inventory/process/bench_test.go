package process

import (
	"context"
	"testing"
)

// BenchmarkProcesses reads the whole /proc of this machine with a warm
// digest cache, as the agent does on every run after the first.
func BenchmarkProcesses(b *testing.B) {
	env, _ := liveEnv(b)
	c := newCollector()
	ctx := context.Background()
	if _, err := c.Collect(ctx, env); err != nil { // warm the cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Collect(ctx, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessesColdCache includes hashing every distinct executable.
func BenchmarkProcessesColdCache(b *testing.B) {
	env, _ := liveEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := newCollector().Collect(ctx, env); err != nil {
			b.Fatal(err)
		}
	}
}
