package db

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/vuln/advisory"
)

func advisories(t *testing.T, sub string) string {
	t.Helper()
	return filepath.Join("..", "testdata", "advisories", sub)
}

func TestImportSharedAdvisories(t *testing.T) {
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Import(ctx, advisories(t, "osv"), advisories(t, "debian"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Logf("problem: %s", p)
	}
	if len(res.Added) < 100 {
		t.Errorf("added %d advisories, want > 100", len(res.Added))
	}
	in, err := d.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", in)
	if in.Stale {
		t.Error("fresh import reported stale")
	}
	keys, err := d.KeysForID(ctx, "CVE-2021-44228")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, " ") != "debian-tracker/CVE-2021-44228 debian-tracker/DLA-2842-1 debian-tracker/DSA-5020-1 osv/GHSA-jfh8-c2jp-5v3q" {
		t.Errorf("keys for CVE-2021-44228: %v", keys)
	}
	// A second import of the same data changes nothing.
	res2, err := d.Import(ctx, advisories(t, "osv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Added)+len(res2.Changed) != 0 || res2.Unchanged == 0 {
		t.Errorf("re-import: added %d changed %d unchanged %d", len(res2.Added), len(res2.Changed), res2.Unchanged)
	}
}

func count(t *testing.T, d *DB) int {
	t.Helper()
	in, err := d.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return in.Advisories
}

// TestImportIsTransactional: a feed that cannot be read (a corrupt zip)
// fails the whole import, including the good feeds named with it.
func TestImportIsTransactional(t *testing.T) {
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Import(ctx, advisories(t, "osv/pypa")); err != nil {
		t.Fatal(err)
	}
	before := count(t, d)
	bad := filepath.Join(t.TempDir(), "all.zip")
	os.WriteFile(bad, []byte("PK\x03\x04garbage"), 0o644)
	_, err = d.Import(ctx, advisories(t, "osv/ghsa"), bad)
	if err == nil || !strings.Contains(err.Error(), "all.zip") || !strings.Contains(err.Error(), "nothing imported") {
		t.Fatalf("err = %v", err)
	}
	if after := count(t, d); after != before {
		t.Errorf("advisories %d -> %d after a failed import", before, after)
	}
	if _, err := d.Import(ctx, filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing path imported")
	}
}

// TestMalformedRecordsSkipped: bad records are named and skipped, the rest
// of the same feed is applied; a withdrawn record deletes the stored one.
func TestMalformedRecordsSkipped(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"id":"GHSA-aaaa","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"id":"GHSA-bbbb",`), 0o644)
	d, err := Open(filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Import(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 || res.Added[0] != "osv/GHSA-aaaa" || len(res.Problems) != 1 || !strings.HasSuffix(res.Problems[0].Record, "b.json") {
		t.Fatalf("added %v problems %v", res.Added, res.Problems)
	}
	// Changed content is reported as changed; withdrawal removes.
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"id":"GHSA-aaaa","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.1"}]}]}]}`), 0o644)
	os.Remove(filepath.Join(dir, "b.json"))
	res, err = d.Import(ctx, dir)
	if err != nil || len(res.Changed) != 1 {
		t.Fatalf("changed: %+v %v", res, err)
	}
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"id":"GHSA-aaaa","withdrawn":"2025-01-01T00:00:00Z","affected":[]}`), 0o644)
	res, err = d.Import(ctx, dir)
	if err != nil || len(res.Removed) != 1 || count(t, d) != 0 {
		t.Fatalf("withdrawn: %+v %v", res, err)
	}
	if keys, _ := d.KeysForID(ctx, "GHSA-aaaa"); len(keys) != 0 {
		t.Errorf("withdrawn record still indexed: %v", keys)
	}
}

func TestStale(t *testing.T) {
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if in, _ := d.Info(ctx); !in.Stale {
		t.Error("never-imported database not stale")
	}
	if _, err := d.Import(ctx, advisories(t, "osv/pypa")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-8 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if _, err := d.sql.Exec(`UPDATE meta SET value=? WHERE key='imported_at'`, old); err != nil {
		t.Fatal(err)
	}
	if in, _ := d.Info(ctx); !in.Stale {
		t.Error("8-day-old import not stale")
	}
}

func TestOpenExistingMissing(t *testing.T) {
	_, err := OpenExisting(filepath.Join(t.TempDir(), "none.db"))
	if err == nil || !strings.Contains(err.Error(), "ward vulndb import") {
		t.Errorf("err = %v", err)
	}
}

// TestUpdate downloads from a local server shaped like osv.dev's bucket
// and the Debian tracker.
func TestUpdate(t *testing.T) {
	zipOf := func(dir string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			w, _ := zw.Create(filepath.Base(f))
			w.Write(b)
		}
		zw.Close()
		return buf.Bytes()
	}
	mavenZip := zipOf(advisories(t, "osv/ghsa"))
	goZip := zipOf(advisories(t, "osv/go"))
	tracker, _ := os.ReadFile(advisories(t, "debian/security-tracker-json/osvdev-debian-tracker-excerpt.json"))
	var hits []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits = append(hits, r.URL.Path)
		switch r.URL.Path {
		case "/Maven/all.zip":
			w.Write(mavenZip)
		case "/Go/all.zip":
			w.Write(goZip)
		case "/Rocky%20Linux/all.zip", "/Rocky Linux/all.zip":
			w.Write(zipOf(t.TempDir()))
		case "/tracker/data/json":
			w.Write(tracker)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Update(ctx, UpdateOptions{OSVBase: srv.URL, Ecosystems: []string{"Maven", "Go", "Rocky Linux"}, TrackerURL: srv.URL + "/tracker/data/json", TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) < 40 {
		t.Errorf("added %d", len(res.Added))
	}
	in, _ := d.Info(ctx)
	if in.Ecosystems["Maven"] == 0 || in.Ecosystems["Go"] == 0 || in.Ecosystems["Debian:12"] == 0 {
		t.Errorf("ecosystems %v", in.Ecosystems)
	}
	if len(in.Sources) != 4 || !strings.HasPrefix(in.Sources[0].Name, srv.URL) {
		t.Errorf("sources %+v", in.Sources)
	}
	// One feed missing: nothing applied.
	before := count(t, d)
	_, err = d.Update(ctx, UpdateOptions{OSVBase: srv.URL, Ecosystems: []string{"Maven", "npm"}, TrackerURL: "-", TempDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "/npm/all.zip") {
		t.Errorf("err = %v", err)
	}
	if count(t, d) != before {
		t.Error("partial update applied")
	}
}

func TestForPackagesTrimsAffected(t *testing.T) {
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Import(ctx, advisories(t, "debian/vuln-list-debian")); err != nil {
		t.Fatal(err)
	}
	advs, err := d.ForPackages(ctx, []advisory.PackageKey{{Ecosystem: "Debian:12", Name: "openssl"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(advs) < 4 {
		t.Fatalf("%d advisories for openssl", len(advs))
	}
	for _, a := range advs {
		for _, af := range a.Affected {
			if af.Ecosystem != "Debian:12" || af.Name != "openssl" {
				t.Errorf("%s kept %s/%s", a.ID, af.Ecosystem, af.Name)
			}
		}
	}
}
