package fleet

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/ospkg/dpkg"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/vuln/db"
)

// Fleet re-match benchmark (bench/vuln-fleet.sh runs it; see
// bench/vuln/FLEET.md): WARD_BENCH_HOSTS stored inventories (default
// 15000) in the store at WARD_BENCH_DSN (default a SQLite file under
// WARD_BENCH_DIR, kept between runs), then each iteration imports one new
// advisory and re-matches the fleet against it.
//
// Inventories: the package list of this machine's dpkg database (a Debian
// host), WARD_BENCH_PACKAGES packages per host (default 400), each in one
// of three versions; one host in five is Debian 11, one in ten carries a
// Spring Boot jar with log4j-core 2.14.1.

func benchEnv(b *testing.B) (string, int, int) {
	hosts, pkgs := 15000, 400
	if v, err := strconv.Atoi(os.Getenv("WARD_BENCH_HOSTS")); err == nil && v > 0 {
		hosts = v
	}
	if v, err := strconv.Atoi(os.Getenv("WARD_BENCH_PACKAGES")); err == nil && v > 0 {
		pkgs = v
	}
	dsn := os.Getenv("WARD_BENCH_DSN")
	if dsn == "" {
		dir := os.Getenv("WARD_BENCH_DIR")
		if dir == "" {
			dir = os.TempDir()
		}
		dsn = "sqlite://" + filepath.Join(dir, fmt.Sprintf("ward-bench-vulnfleet-%d-%d.db", hosts, pkgs))
	}
	return dsn, hosts, pkgs
}

// basePackages reads this machine's dpkg database.
func basePackages(b *testing.B, n int) []model.Package {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		b.Skip("needs a dpkg host for a realistic package list")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		b.Fatal(err)
	}
	defer fsys.Close()
	env, _ := inventory.TestEnv(fsys, "os/dpkg")
	inv, err := dpkg.New().Collect(context.Background(), env)
	if err != nil {
		b.Fatal(err)
	}
	// Keep the libraries a vulnerable-package scenario needs, then fill up.
	var out []model.Package
	seen := map[string]bool{}
	for _, want := range []string{"libssl3", "openssl", "libc6", "zlib1g"} {
		for _, p := range inv.Packages {
			if p.Name == want && !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, p)
			}
		}
	}
	for _, p := range inv.Packages {
		if len(out) >= n {
			break
		}
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p)
		}
	}
	for i := range out {
		out[i].Files = nil
	}
	return out
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// hostInventory varies the base list per host: each package in one of
// three versions ("~bench1"/"~bench2" sort before the real one).
func hostInventory(base []model.Package, i int) *model.Inventory {
	osVer := "12"
	if i%5 == 4 {
		osVer = "11"
	}
	inv := &model.Inventory{SchemaVersion: model.SchemaVersion, ScannedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Host: &model.Host{Hostname: fmt.Sprintf("bench-%05d", i), OS: model.OSRelease{ID: "debian", Version: osVer}}}
	for _, p := range base {
		switch hash(p.Name+strconv.Itoa(i)) % 3 {
		case 1:
			p.Version += "~bench1"
			p.SourceVersion += "~bench1"
		case 2:
			p.Version += "~bench2"
			p.SourceVersion += "~bench2"
		}
		inv.Packages = append(inv.Packages, p)
	}
	if i%10 == 3 {
		inv.Packages = append(inv.Packages, model.Package{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core",
			Version: "2.14.1", Location: "/opt/app/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"})
	}
	return inv
}

// fill stores the inventories the store does not have yet.
func fill(b *testing.B, st *store.Store, hosts, npkgs int) {
	ctx := context.Background()
	have, err := st.HostIDsWithInventory(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(have) >= hosts {
		return
	}
	base := basePackages(b, npkgs)
	start := time.Now()
	const batch = 50
	for lo := len(have); lo < hosts; lo += batch {
		var msgs []store.Message
		for i := lo; i < min(lo+batch, hosts); i++ {
			id, err := st.UpsertHost(ctx, store.HostInfo{IdentityKey: fmt.Sprintf("bench-%05d", i), Hostname: fmt.Sprintf("bench-%05d", i)})
			if err != nil {
				b.Fatal(err)
			}
			msgs = append(msgs, store.Message{ID: fmt.Sprintf("bench-inv-%d", i), HostID: id, Inventory: hostInventory(base, i)})
		}
		res, err := st.IngestBatch(ctx, msgs)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Outcome != store.Applied && r.Outcome != store.Duplicate {
				b.Fatalf("ingest: %v %v", r.Outcome, r.Err)
			}
		}
		if (lo/batch)%20 == 0 {
			b.Logf("stored %d/%d inventories (%s)", min(lo+batch, hosts), hosts, time.Since(start).Round(time.Second))
		}
	}
	b.Logf("stored %d inventories of %d packages in %s", hosts, len(base), time.Since(start).Round(time.Second))
}

func benchRematch(b *testing.B, advisory func(id string) string) {
	dsn, hosts, npkgs := benchEnv(b)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	fill(b, st, hosts, npkgs)
	vdb, err := db.Open(filepath.Join(b.TempDir(), "advisories.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer vdb.Close()
	m := New(st, vdb, nil)
	dir := b.TempDir()
	b.ResetTimer()
	var last ImportStats
	var cpu time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		// A new advisory each time: new findings, as after a real import.
		id := fmt.Sprintf("WARD-BENCH-%d-%d", time.Now().UnixNano(), i)
		p := filepath.Join(dir, id+".json")
		if err := os.WriteFile(p, []byte(advisory(id)), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c0 := cpuTime()
		_, is, err := m.Import(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
		last = is
	}
	// On a shared machine wall time swings with the load; the CPU time of
	// this process (user + system; PostgreSQL's own is not in it) does not.
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(last.HostsChecked), "hosts-checked")
	b.ReportMetric(float64(last.HostsAffected), "hosts-affected")
	b.ReportMetric(float64(last.Upserted), "findings")
	load, _ := os.ReadFile("/proc/loadavg")
	b.Logf("%s: %d stored inventories; last import: %+v; load average %s", st.Backend(), hosts, last, strings.TrimSpace(string(load)))
}

// An OpenSSL bug: every Debian 12 host holds libssl3 (80% of the fleet).
func BenchmarkRematchOpenSSLAdvisory(b *testing.B) {
	benchRematch(b, func(id string) string {
		return `{"id": "` + id + `", "aliases": ["CVE-2099-` + id[len(id)-4:] + `"], "modified": "2026-12-01T00:00:00Z",
		 "summary": "benchmark advisory", "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
		 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.99-1"}]}]}]}`
	})
}

// A log4j bug: one host in ten carries the jar.
func BenchmarkRematchLog4jAdvisory(b *testing.B) {
	benchRematch(b, func(id string) string {
		return `{"id": "` + id + `", "modified": "2026-12-01T00:00:00Z", "summary": "benchmark advisory",
		 "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
		 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.17.1"}]}]}]}`
	})
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMatchHost is the re-match an arriving inventory triggers: one
// host's packages read from the store, looked up in the database, matched
// and its vuln findings replaced.
func BenchmarkMatchHost(b *testing.B) {
	dsn, hosts, npkgs := benchEnv(b)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	fill(b, st, hosts, npkgs)
	vdb, err := db.Open(filepath.Join(b.TempDir(), "advisories.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer vdb.Close()
	p := filepath.Join(b.TempDir(), "adv.json")
	if err := os.WriteFile(p, []byte(`{"id": "WARD-BENCH-HOST", "modified": "2026-12-01T00:00:00Z", "affected": [
		{"package": {"ecosystem": "Debian:12", "name": "openssl"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.99-1"}]}]}]}`), 0o644); err != nil {
		b.Fatal(err)
	}
	m := New(st, vdb, nil)
	if _, _, err := m.Import(ctx, p); err != nil {
		b.Fatal(err)
	}
	ids, err := st.HostIDsWithInventory(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	for i := 0; b.Loop(); i++ {
		c0 := cpuTime()
		if _, err := m.MatchHost(ctx, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/1000, "cpu-ms/op")
}
