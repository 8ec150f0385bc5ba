package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

// Ingest throughput, as the server's ingest workers drive it: JetStream
// messages of many hosts applied in batches, one transaction per batch.
//
//	go test ./internal/store/ -run '^$' -bench 'Ingest' -benchtime 20x

func BenchmarkIngestFindingsSQLite(b *testing.B)   { benchIngestFindings(b, backends()[0]) }
func BenchmarkIngestFindingsPostgres(b *testing.B) { benchIngestFindings(b, backends()[1]) }

func BenchmarkIngestInventorySQLite(b *testing.B)   { benchIngestInventory(b, backends()[0]) }
func BenchmarkIngestInventoryPostgres(b *testing.B) { benchIngestInventory(b, backends()[1]) }

// benchIngestFindings: batches of hosts×perHost findings. Every host
// reports the same findings each round but one (new) and misses one
// (resolved): the steady state of a fleet rescanned on schedule.
func benchIngestFindings(b *testing.B, be backend) {
	for _, c := range []struct{ hosts, perHost int }{{50, 20}, {100, 50}} {
		b.Run(fmt.Sprintf("batch=%d", c.hosts*c.perHost), func(b *testing.B) {
			ctx := context.Background()
			s := be.open(b)
			const fleetSize = 1000
			ids := make([]int64, fleetSize)
			for i := range ids {
				id, err := s.UpsertHost(ctx, HostInfo{IdentityKey: fmt.Sprint("h", i), Hostname: fmt.Sprintf("h%04d", i)})
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = id
			}
			pool := make([][]model.Finding, fleetSize)
			for i := range pool {
				pool[i] = findingsFor(i, c.perHost+8)
			}
			round := 0
			batch := func() []Message {
				msgs := make([]Message, c.hosts)
				for j := range msgs {
					k := (round*c.hosts + j) % fleetSize
					pass := round * c.hosts / fleetSize
					off := pass % 8
					msgs[j] = Message{ID: fmt.Sprintf("r%d-%d", round, j), HostID: ids[k], Scope: "posture", Findings: pool[k][off : off+c.perHost]}
				}
				round++
				return msgs
			}
			// Warm up: every host has its findings once.
			for range fleetSize / c.hosts {
				if _, err := s.IngestBatch(ctx, batch()); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.IngestBatch(ctx, batch()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*c.hosts*c.perHost)/b.Elapsed().Seconds(), "findings/s")
		})
	}
}

// benchIngestInventory: full inventories of ~800 packages. new-host is a
// host's first inventory (most software rows already exist fleet-wide);
// rescan is the next full inventory of a known host (a few packages and
// classes changed); delta is the same change sent as a delta.
func benchIngestInventory(b *testing.B, be backend) {
	const pkgs = 800
	ctx := context.Background()
	prepare := func(b *testing.B, s *Store, n int) ([]int64, []*model.Inventory) {
		ids := make([]int64, n)
		invs := make([]*model.Inventory, n)
		for i := range n {
			id, err := s.UpsertHost(ctx, HostInfo{IdentityKey: fmt.Sprint("h", i), Hostname: fmt.Sprintf("h%04d", i)})
			if err != nil {
				b.Fatal(err)
			}
			ids[i], invs[i] = id, genInventory(11, i, pkgs)
		}
		return ids, invs
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hosts/s")
		b.ReportMetric(float64(b.N*pkgs)/b.Elapsed().Seconds(), "packages/s")
	}

	b.Run("new-host", func(b *testing.B) {
		s := be.open(b)
		// The fleet's software exists already.
		ids, invs := prepare(b, s, 20)
		for i := range 10 {
			if _, err := s.IngestInventory(ctx, fmt.Sprint("warm", i), ids[i], invs[i]); err != nil {
				b.Fatal(err)
			}
		}
		i := 0
		for b.Loop() {
			b.StopTimer()
			id, err := s.UpsertHost(ctx, HostInfo{IdentityKey: fmt.Sprint("new", i)})
			if err != nil {
				b.Fatal(err)
			}
			inv := invs[10+i%10]
			b.StartTimer()
			if _, err := s.IngestInventory(ctx, fmt.Sprint("new", i), id, inv); err != nil {
				b.Fatal(err)
			}
			i++
		}
		report(b)
	})

	for _, mode := range []string{"rescan", "delta"} {
		b.Run(mode, func(b *testing.B) {
			s := be.open(b)
			const n = 20
			ids, invs := prepare(b, s, n)
			for i := range n {
				if _, err := s.IngestInventory(ctx, fmt.Sprint("base", i), ids[i], invs[i]); err != nil {
					b.Fatal(err)
				}
			}
			k := 0
			for b.Loop() {
				b.StopTimer()
				i := k % n
				next := mutate(invs[i], 1+k/n)
				var d InventoryDelta
				if mode == "delta" {
					d = Diff(invs[i], next)
				}
				b.StartTimer()
				var err error
				if mode == "delta" {
					_, err = s.IngestInventoryDelta(ctx, fmt.Sprint("d", k), ids[i], &d)
				} else {
					_, err = s.IngestInventory(ctx, fmt.Sprint("f", k), ids[i], next)
				}
				if err != nil {
					b.Fatal(err)
				}
				invs[i] = next
				k++
			}
			report(b)
		})
	}
}
