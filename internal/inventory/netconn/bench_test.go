package netconn

import (
	"context"
	"testing"
)

// BenchmarkSockets reads this machine's socket tables and fd links.
func BenchmarkSockets(b *testing.B) {
	env := liveEnv(b)
	c := New()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Collect(context.Background(), env); err != nil {
			b.Fatal(err)
		}
	}
}
