package langpkg

import (
	"context"
	"os"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/rootfs"
)

// BenchmarkWalkLive runs the real collector over "/" of this machine:
//
//	go test -run '^$' -bench WalkLive -benchtime 1x ./internal/inventory/langpkg/
func BenchmarkWalkLive(b *testing.B) {
	if testing.Short() {
		b.Skip("walks the whole live filesystem")
	}
	root, err := rootfs.Open("/")
	if err != nil {
		b.Skip(err)
	}
	defer root.Close()
	env, warnings := inventory.TestEnv(root, "lang/packages")
	if dir := os.Getenv("WARD_BENCH_EXCLUDE"); dir != "" {
		env.Walk.Excludes = append(env.Walk.Excludes, dir)
	}
	c := New().(*Collector)
	b.ReportAllocs()
	for b.Loop() {
		*warnings = (*warnings)[:0]
		inv, err := c.Collect(context.Background(), env)
		if err != nil {
			b.Fatal(err)
		}
		st := c.Stats()
		b.ReportMetric(float64(len(inv.Packages)), "packages")
		b.ReportMetric(float64(st.Files), "files")
		b.ReportMetric(float64(st.ExecCandidates), "exec-stats")
		b.ReportMetric(float64(st.Opened), "opened")
		b.ReportMetric(float64(st.BytesRead)/(1<<20), "MiB-read")
	}
	b.Logf("%d warnings", len(*warnings))
}
