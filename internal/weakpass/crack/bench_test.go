package crack

import (
	"context"
	"testing"

	"github.com/ward-sec/ward/internal/weakpass/wordlists"
)

// BenchmarkRunSHA512Crypt cracks four sha512crypt hashes (two weak)
// with the first 500 words of the common list on all cores: the engine's
// scheduling plus the hot loop (bench/weakpass.sh runs the full
// comparison against john).
func BenchmarkRunSHA512Crypt(b *testing.B) {
	targets := []Target{
		{ID: "a", Hash: "$6$J6KmFS52CIPdB2Dw$sTqbWzPq50bfWaLYJ6zzs4TqIalFDCLAaiQ7fgUr1fVaPtpf56wWDNHDymGB8JeQE2.D2la3eheYLslHPUG4V0"},
		{ID: "b", Hash: "$6$rISg9cfjmuSJzZjv$7QOD1noToL.qWcpQ9qnvZaJIK9gkTvVhGSM5Qc2y48jKAT3ZvDbeJTbDLOfunuKJ1EAYNWXnxTfYBAdA7D3Q3/"},
		{ID: "c", Hash: "$6$E4Tco/jB4RTB7z4O$iZN3GLui4Olz5Q5a/IsyQZ9v65TklXititdFQvutmFKBgPFpIsngN.H7Mm8VvvlKcl/5s3bLeY.d9e6/reLiU1"},
		{ID: "d", Hash: "$6$rounds=10000$fjH.c75tj83n8lUD$4rO2bs5HOdUOyAupAkEzQ4U/ACNc7GSvZz4CCsPZB/YPavLw/8hCmWl7WYRf35pvqFHngqrCti7NTl56TlBSG/"},
	}
	list := wordlists.Common()[:500]
	for b.Loop() {
		if _, err := Run(context.Background(), targets, Options{Wordlists: [][]string{list}, NoBuiltin: true, NoMutations: true}); err != nil {
			b.Fatal(err)
		}
	}
}
