package fleet

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/testutil"
	"github.com/ward-sec/ward/internal/vuln/db"
)

func TestMain(m *testing.M) {
	os.Exit(testutil.RunWithPostgres(m, "ward_fleet_"))
}

func backends(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, testutil.SQLiteDSN(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, testutil.PostgresSchemaDSN(t)) })
}

func debian(version string) *model.Host {
	return &model.Host{OS: model.OSRelease{ID: "debian", Version: version}}
}

func opensslPkgs(version string) []model.Package {
	var out []model.Package
	for _, n := range []string{"openssl", "libssl3"} {
		out = append(out, model.Package{Type: model.PkgDeb, Name: n, Version: version, SourceName: "openssl",
			SourceVersion: version, Arch: "amd64", Location: "/var/lib/dpkg/status"})
	}
	return out
}

type fixture struct {
	st   *store.Store
	m    *Matcher
	host map[string]int64
	seq  int
}

func (fx *fixture) ingest(t *testing.T, name string, inv *model.Inventory) {
	t.Helper()
	ctx := context.Background()
	if fx.host[name] == 0 {
		id, err := fx.st.UpsertHost(ctx, store.HostInfo{IdentityKey: "id-" + name, Hostname: name})
		if err != nil {
			t.Fatal(err)
		}
		fx.host[name] = id
	}
	fx.seq++
	if inv.Host != nil {
		inv.Host.Hostname = name
	}
	inv.SchemaVersion = model.SchemaVersion
	inv.ScannedAt = time.Date(2026, 12, 1, 0, 0, fx.seq, 0, time.UTC)
	if ok, err := fx.st.IngestInventory(ctx, name+"-"+string(rune('a'+fx.seq)), fx.host[name], inv); err != nil || !ok {
		t.Fatalf("ingest %s: %v %v", name, ok, err)
	}
}

// open finding rules per host name.
func (fx *fixture) open(t *testing.T) map[string][]string {
	t.Helper()
	recs, err := fx.st.Findings(context.Background(), store.FindingFilter{Scope: Scope, Status: store.FindingOpen})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range recs {
		for name, id := range fx.host {
			if id == r.HostID {
				out[name] = append(out[name], r.Finding.Rule+" "+r.Finding.Asset.ID)
			}
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

func newFixture(t *testing.T, dsn string) *fixture {
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	vdb, err := db.Open(filepath.Join(t.TempDir(), "advisories.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vdb.Close() })
	fx := &fixture{st: st, m: New(st, vdb, nil), host: map[string]int64{}}

	web1 := &model.Inventory{Host: debian("12"), Packages: append(opensslPkgs("3.0.11-1~deb12u2"),
		model.Package{Type: model.PkgMaven, Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1",
			Location: "/opt/app/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"}),
		Processes: []model.Process{
			{PID: 812, Name: "nginx", Cgroup: "/system.slice/nginx.service", Files: []model.ProcessFile{
				{Path: "/usr/sbin/nginx", Package: "nginx-core"}, {Path: "/usr/lib/x86_64-linux-gnu/libssl.so.3", Package: "libssl3"}}},
			{PID: 813, Name: "nginx", Cgroup: "/system.slice/nginx.service", Files: []model.ProcessFile{
				{Path: "/usr/lib/x86_64-linux-gnu/libssl.so.3", Package: "libssl3"}}},
			{PID: 2201, Name: "java", Files: []model.ProcessFile{{Path: "/opt/app/app.jar"}}},
			{PID: 900, Name: "cron", Cgroup: "/system.slice/cron.service", Files: []model.ProcessFile{{Path: "/usr/sbin/cron", Package: "cron"}}},
		}}
	fx.ingest(t, "web1", web1)
	fx.ingest(t, "web2", &model.Inventory{Host: debian("12"), Packages: opensslPkgs("3.0.15-1~deb12u1")})
	fx.ingest(t, "old", &model.Inventory{Host: debian("11"), Packages: opensslPkgs("1.1.1w-0+deb11u1")})
	fx.ingest(t, "db1", &model.Inventory{Host: debian("12"), Packages: opensslPkgs("3.0.9-1")})
	fx.ingest(t, "bare", &model.Inventory{Host: debian("12")})
	return fx
}

// New advisories reach the stored inventories without any agent: the
// affected hosts get findings, the others none; a changed advisory
// resolves what no longer applies; "which hosts" answers by any alias.
func TestImportRematchesFleet(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		fx := newFixture(t, dsn)
		for _, id := range fx.host {
			if n, err := fx.m.MatchHost(ctx, id); err != nil || n != 0 {
				t.Fatalf("empty database: %d findings, %v", n, err)
			}
		}

		_, st, err := fx.m.Import(ctx, filepath.Join("testdata", "WARD-TEST-0001.json"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Added != 1 || st.HostsChecked != 3 || st.HostsAffected != 2 || st.Upserted != 2 {
			t.Errorf("import stats %+v: want 1 added, 3 hosts checked (web1, web2, db1), 2 affected", st)
		}
		want := map[string][]string{
			"web1": {"vuln/CVE-2099-0001 openssl@3.0.11-1~deb12u2"},
			"db1":  {"vuln/CVE-2099-0001 openssl@3.0.9-1"},
		}
		if got := fx.open(t); !mapsEqual(got, want) {
			t.Fatalf("open findings after import:\n%v\nwant\n%v", got, want)
		}

		for _, id := range []string{"CVE-2099-0001", "WARD-TEST-0001"} {
			ans, err := fx.m.Hosts(ctx, HostsQuery{ID: id})
			if err != nil {
				t.Fatal(err)
			}
			hosts, aliases := ans.Hosts, ans.Aliases
			if !ans.Known {
				t.Errorf("%s: not known to the database", id)
			}
			if !slices.Contains(aliases, "CVE-2099-0001") || !slices.Contains(aliases, "WARD-TEST-0001") {
				t.Errorf("%s: aliases %v", id, aliases)
			}
			if len(hosts) != 2 || hosts[0].Hostname != "web1" || hosts[1].Hostname != "db1" {
				t.Fatalf("%s: hosts %+v", id, hosts)
			}
			p := hosts[0].Packages[0]
			if p.Name != "openssl" || p.Version != "3.0.11-1~deb12u2" || p.Fixed != "3.0.15-1~deb12u1" ||
				!slices.Equal(p.Restart, []string{"nginx.service (pid 812, 813)"}) {
				t.Errorf("%s: web1 package %+v", id, p)
			}
			if r := hosts[1].Packages[0].Restart; len(r) != 0 {
				t.Errorf("db1 runs nothing, restart %q", r)
			}
		}

		// A second advisory, about a nested jar: only its findings are added.
		if _, st, err = fx.m.Import(ctx, filepath.Join("testdata", "WARD-TEST-0002.json")); err != nil {
			t.Fatal(err)
		}
		if st.HostsAffected != 1 || st.Resolved != 0 {
			t.Errorf("second import stats %+v", st)
		}
		ans, err := fx.m.Hosts(ctx, HostsQuery{ID: "GHSA-test-0002-xxxx"})
		if err != nil {
			t.Fatal(err)
		}
		hosts := ans.Hosts
		if len(hosts) != 1 || hosts[0].Hostname != "web1" || hosts[0].Packages[0].Name != "org.apache.logging.log4j:log4j-core" ||
			!slices.Equal(hosts[0].Packages[0].Restart, []string{"java (pid 2201, /opt/app/app.jar)"}) {
			t.Errorf("log4j hosts %+v", hosts)
		}

		// The openssl advisory changes: the fix was earlier than said, so
		// web1's version is fixed; db1's is still affected.
		if _, st, err = fx.m.Import(ctx, filepath.Join("testdata", "WARD-TEST-0001-changed.json")); err != nil {
			t.Fatal(err)
		}
		if st.Changed != 1 || st.Resolved != 1 {
			t.Errorf("changed import stats %+v", st)
		}
		want = map[string][]string{
			"web1": {"vuln/CVE-2099-0002 org.apache.logging.log4j:log4j-core@2.14.1"},
			"db1":  {"vuln/CVE-2099-0001 openssl@3.0.9-1"},
		}
		got := fx.open(t)
		if !mapsEqual(got, want) {
			t.Fatalf("open findings after the change:\n%v\nwant\n%v", got, want)
		}

		// The incremental path agrees with a full re-match of every host.
		for _, id := range fx.host {
			if _, err := fx.m.MatchHost(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if again := fx.open(t); !mapsEqual(again, got) {
			t.Errorf("full re-match differs from the incremental one:\n%v\nvs\n%v", again, got)
		}
	})
}

// An inventory arriving for a host is matched in the background (the
// server's OnApplied hook), coalesced per host.
func TestInventoryTriggersRematch(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		fx := newFixture(t, dsn)
		if _, _, err := fx.m.Import(ctx, filepath.Join("testdata", "WARD-TEST-0001.json")); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { fx.m.Run(ctx); close(done) }()
		// web2 downgrades to a vulnerable build; two inventories in a row.
		for _, v := range []string{"3.0.10-1", "3.0.11-1~deb12u2"} {
			fx.ingest(t, "web2", &model.Inventory{Host: debian("12"), Packages: opensslPkgs(v)})
			fx.m.OnApplied(ctx, []store.Message{{HostID: fx.host["web2"], Inventory: &model.Inventory{}},
				{HostID: fx.host["web2"], Scope: "posture"}})
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			got := fx.open(t)["web2"]
			if slices.Equal(got, []string{"vuln/CVE-2099-0001 openssl@3.0.11-1~deb12u2"}) && fx.m.Pending() == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("web2 findings %v, pending %d", got, fx.m.Pending())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
	})
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// Deltas that touch neither packages nor the host record cannot change a
// host's matches: they are not queued.
func TestNeedsRematch(t *testing.T) {
	tests := []struct {
		msg  store.Message
		want bool
	}{
		{store.Message{Inventory: &model.Inventory{}}, true},
		{store.Message{Delta: &store.InventoryDelta{Replace: []string{"processes", "sockets"}}}, false},
		{store.Message{Delta: &store.InventoryDelta{Replace: []string{"host"}}}, true},
		{store.Message{Delta: &store.InventoryDelta{AddedPackages: []model.Package{{Name: "x"}}}}, true},
		{store.Message{Delta: &store.InventoryDelta{RemovedPackages: []store.PackageRef{{}}}}, true},
		{store.Message{Scope: "vuln"}, false},
	}
	for i, tc := range tests {
		if got := needsRematch(&tc.msg); got != tc.want {
			t.Errorf("case %d: %v, want %v", i, got, tc.want)
		}
	}
	m := New(nil, nil, nil)
	m.OnApplied(context.Background(), []store.Message{{HostID: 1, Delta: &store.InventoryDelta{Replace: []string{"processes"}}},
		{HostID: 2, Inventory: &model.Inventory{}}, {HostID: 2, Inventory: &model.Inventory{}}})
	if m.Pending() != 1 {
		t.Errorf("pending %d, want host 2 once", m.Pending())
	}
}

// A host queued again while being matched waits for that match.
func TestQueueOneMatchPerHost(t *testing.T) {
	m := New(nil, nil, nil)
	m.Enqueue(1, 2)
	if h, ok := m.next(); !ok || h != 1 {
		t.Fatalf("next %d %v", h, ok)
	}
	m.Enqueue(1)
	if h, ok := m.next(); !ok || h != 2 {
		t.Fatalf("next %d %v, want 2 (1 is running)", h, ok)
	}
	if h, ok := m.next(); ok {
		t.Fatalf("next %d while host 1 runs", h)
	}
	m.done(1)
	if h, ok := m.next(); !ok || h != 1 {
		t.Fatalf("after done: next %d %v", h, ok)
	}
}

// An advisory changed so that it no longer names a package: the hosts
// with its findings are queued for a full re-match, which resolves them.
func TestChangedAdvisoryDropsPackage(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		fx := newFixture(t, dsn)
		dir := t.TempDir()
		write := func(name, pkg, modified string) string {
			p := filepath.Join(dir, name)
			data := `{"id": "WARD-TEST-0009", "modified": "` + modified + `", "affected": [{"package": {"ecosystem": "Debian:12", "name": "` + pkg + `"},
			  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.9-1"}]}]}]}`
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		if _, st, err := fx.m.Import(ctx, write("a.json", "openssl", "2026-12-01T00:00:00Z")); err != nil || st.HostsAffected != 3 {
			t.Fatalf("import %+v %v", st, err)
		}
		_, st, err := fx.m.Import(ctx, write("b.json", "zlib", "2026-12-02T00:00:00Z"))
		if err != nil || st.Changed != 1 || st.HostsChecked != 0 || st.Queued != 3 {
			t.Fatalf("changed import %+v %v: want the 3 hosts with its findings queued", st, err)
		}
		for m := fx.m.Pending(); m > 0; m = fx.m.Pending() {
			h, _ := fx.m.next()
			if _, err := fx.m.MatchHost(ctx, h); err != nil {
				t.Fatal(err)
			}
			fx.m.done(h)
		}
		if open := fx.open(t); len(open) != 0 {
			t.Errorf("open findings after the full re-match: %v", open)
		}
	})
}
