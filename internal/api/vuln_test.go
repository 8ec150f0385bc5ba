package api

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/vuln/db"
	"github.com/ward-sec/ward/internal/vuln/fleet"
)

const log4jAdvisory = `{
  "id": "GHSA-test-0002-xxxx",
  "summary": "log4j-core - test advisory (not a real bug)",
  "aliases": ["CVE-2099-0002"],
  "modified": "2026-12-01T00:00:00Z",
  "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.17.1"}]}]}]
}`

const redisAdvisory = `{
  "id": "WARD-TEST-0003",
  "summary": "redis - test advisory (not a real bug)",
  "modified": "2026-12-01T00:00:00Z",
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "redis-server"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5:7.0.99-1"}]}]}]
}`

func init() { auditCoveredElsewhere["POST /api/v1/vulndb/import"] = true }

// vulnEnv serves the API with an advisory database over the seeded fleet.
func vulnEnv(t *testing.T, b backend) (*env, *fleet.Matcher) {
	e := newEnv(t, b, nil)
	vdb, err := db.Open(filepath.Join(t.TempDir(), "advisories.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vdb.Close() })
	m := fleet.New(e.st, vdb, nil)
	plain := e.srv
	code, _, _ := e.request(t, "GET", "/api/v1/vuln/hosts?id=CVE-2099-0002", store.RoleViewer, nil)
	if code != 503 {
		t.Fatalf("without a database: status %d, want 503", code)
	}
	e.srv = httptest.NewServer(New(e.st, Options{Vuln: m}))
	t.Cleanup(e.srv.Close)
	plain.Close()
	return e, m
}

func TestVulnImportAndHosts(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e, _ := vulnEnv(t, b)
			e.call(t, "POST", "/api/v1/vulndb/import", store.RoleOperator, log4jAdvisory, 403, nil)

			var res wire.VulnDBImportResult
			e.call(t, "POST", "/api/v1/vulndb/import", store.RoleAdmin, log4jAdvisory, 200, &res)
			if res.Added != 1 || res.HostsChecked != 2 || res.HostsAffected != 1 || res.Upserted != 1 {
				t.Errorf("import result %+v: want web-1 affected of web-1 and web-2", res)
			}
			var hosts wire.VulnHosts
			e.call(t, "GET", "/api/v1/vuln/hosts?id=GHSA-test-0002-xxxx", store.RoleViewer, nil, 200, &hosts)
			if len(hosts.Hosts) != 1 || hosts.Hosts[0].Hostname != "web-1" || !slices.Contains(hosts.Aliases, "CVE-2099-0002") || !hosts.Known {
				t.Fatalf("hosts %+v", hosts)
			}
			p := hosts.Hosts[0].Packages[0]
			if p.Name != "org.apache.logging.log4j:log4j-core" || p.Version != "2.14.1" || p.Fixed != "2.17.1" ||
				p.Location != "/opt/app/app.jar!/BOOT-INF/lib/log4j-core.jar" {
				t.Errorf("package %+v", p)
			}
			e.call(t, "GET", "/api/v1/vuln/hosts?id=CVE-2099-0002", store.RoleViewer, nil, 200, &hosts)
			if len(hosts.Hosts) != 1 {
				t.Errorf("by CVE alias: %+v", hosts)
			}
			e.call(t, "GET", "/api/v1/vuln/hosts?id=CVE-1999-0001", store.RoleViewer, nil, 200, &hosts)
			if len(hosts.Hosts) != 0 || hosts.Known {
				t.Errorf("unknown id: %+v", hosts)
			}
			e.call(t, "GET", "/api/v1/vuln/hosts", store.RoleViewer, nil, 400, nil)

			// A feed by path on the server.
			dir := t.TempDir()
			feed := filepath.Join(dir, "WARD-TEST-0003.json")
			if err := os.WriteFile(feed, []byte(redisAdvisory), 0o644); err != nil {
				t.Fatal(err)
			}
			e.call(t, "POST", "/api/v1/vulndb/import", store.RoleAdmin, wire.VulnDBImport{Path: "relative.json"}, 400, nil)
			e.call(t, "POST", "/api/v1/vulndb/import", store.RoleAdmin, wire.VulnDBImport{Path: feed}, 200, &res)
			if res.Added != 1 || res.HostsAffected != 2 {
				t.Errorf("redis import %+v", res)
			}
			e.call(t, "POST", "/api/v1/vulndb/import", store.RoleAdmin, wire.VulnDBImport{Path: filepath.Join(dir, "missing.zip")}, 400, nil)

			var info wire.VulnDBInfo
			e.call(t, "GET", "/api/v1/vulndb", store.RoleViewer, nil, 200, &info)
			if info.Advisories != 2 || len(info.Sources) != 2 {
				t.Errorf("info %+v", info)
			}
			audit, err := e.st.Audit(t.Context(), store.AuditFilter{Action: auditVulnDBImport})
			if err != nil {
				t.Fatal(err)
			}
			if len(audit) != 2 || audit[0].Actor != "admin-user" || audit[1].Actor != "admin-user" {
				t.Errorf("audit entries for imports %+v, want 2 by admin-user", audit)
			}
			targets := []string{audit[0].Target, audit[1].Target}
			if !slices.Contains(targets, "upload") || !slices.Contains(targets, "path:"+feed) {
				t.Errorf("audit targets %q", targets)
			}
		})
	}
}

func TestVulnSchemasMatchWireTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, v := range map[string]any{
		"VulnHosts": wire.VulnHosts{}, "VulnHost": wire.VulnHost{}, "VulnHostPackage": wire.VulnHostPackage{},
		"VulnDBImport": wire.VulnDBImport{}, "VulnDBImportResult": wire.VulnDBImportResult{}, "VulnDBInfo": wire.VulnDBInfo{},
		"VulnDBSource": wire.VulnDBSource{},
	} {
		got := schemaProps(doc, doc.Comps.Schemas[name])
		want := jsonFields(reflect.TypeOf(v))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has %v; wire type has %v", name, got, want)
		}
	}
}
