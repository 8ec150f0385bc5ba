package api

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

// seedBaseline stores baseline results: web-1 fails the ssh check, web-2
// passes it; db-1 has none.
func (e *env) seedBaseline(t *testing.T) {
	t.Helper()
	check := func(id, title, sev, status, reason, fix string) map[string]any {
		return map[string]any{"check": id, "title": title, "severity": sev, "status": status, "reason": reason, "remediation": fix,
			"evidence": []string{"evidence of " + id}}
	}
	report := func(ssh string) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"policies": []any{map[string]any{
			"policy": "debian12-l1", "title": "Debian 12 L1", "version": "1.0.0",
			"checks": []any{
				check("sshd-permit-root-login", "SSH root login is disabled", "high", ssh, "PermitRootLogin yes", "set PermitRootLogin no in /etc/ssh/sshd_config"),
				check("tmp-separate", "/tmp is a separate file system", "medium", "fail", "no /tmp mount", "mount /tmp"),
				check("interview-1", "Security policy documents exist", "low", "manual", "", ""),
			},
		}}})
		return b
	}
	_, err := e.st.IngestBatch(context.Background(), []store.Message{
		{ID: "b1", HostID: e.hosts["web-1"], DataKind: store.BaselineKind, Data: report("fail")},
		{ID: "b2", HostID: e.hosts["web-2"], DataKind: store.BaselineKind, Data: report("pass")},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBaselineAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.seedBaseline(t)
		web1, web2 := e.hosts["web-1"], e.hosts["web-2"]

		var pols wire.List[wire.BaselinePolicy]
		e.call(t, "GET", "/api/v1/baseline/policies", store.RoleViewer, nil, 200, &pols)
		if len(pols.Items) != 1 || pols.Items[0].Hosts != 2 || pols.Items[0].MeanScore != 25 {
			t.Fatalf("policies: %+v", pols)
		}

		var items wire.List[wire.BaselineItem]
		e.call(t, "GET", "/api/v1/baseline/items?policy=debian12-l1", store.RoleViewer, nil, 200, &items)
		got := map[string]wire.BaselineCounts{}
		for _, it := range items.Items {
			got[it.Check] = it.Hosts
		}
		want := map[string]wire.BaselineCounts{"sshd-permit-root-login": {Pass: 1, Fail: 1}, "tmp-separate": {Fail: 2}, "interview-1": {Manual: 2}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("items: %+v", items.Items)
		}
		e.call(t, "GET", "/api/v1/baseline/items?status=pass", store.RoleViewer, nil, 200, &items)
		if len(items.Items) != 1 || items.Items[0].Check != "sshd-permit-root-login" || items.Items[0].Remediation == "" {
			t.Fatalf("items with a passing host: %+v", items.Items)
		}

		// Only web-1 (role=web, env=prod) is counted.
		items = wire.List[wire.BaselineItem]{}
		e.call(t, "GET", "/api/v1/baseline/items?policy=debian12-l1&label=role=web&label=env=prod", store.RoleViewer, nil, 200, &items)
		got = map[string]wire.BaselineCounts{}
		for _, it := range items.Items {
			got[it.Check] = it.Hosts
		}
		want = map[string]wire.BaselineCounts{"sshd-permit-root-login": {Fail: 1}, "tmp-separate": {Fail: 1}, "interview-1": {Manual: 1}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("items of hosts labelled role=web,env=prod: %+v", items.Items)
		}

		var hosts wire.List[wire.BaselineItemHost]
		e.call(t, "GET", "/api/v1/baseline/items/debian12-l1/tmp-separate/hosts?limit=1", store.RoleViewer, nil, 200, &hosts)
		if len(hosts.Items) != 1 || hosts.Items[0].HostID != web1 || hosts.Items[0].Hostname != "web-1" || hosts.NextCursor == "" {
			t.Fatalf("failing hosts page 1: %+v", hosts)
		}
		cur := hosts.NextCursor
		hosts = wire.List[wire.BaselineItemHost]{}
		e.call(t, "GET", "/api/v1/baseline/items/debian12-l1/tmp-separate/hosts?limit=1&cursor="+cur, store.RoleViewer, nil, 200, &hosts)
		if len(hosts.Items) != 1 || hosts.Items[0].HostID != web2 || hosts.NextCursor != "" {
			t.Fatalf("failing hosts page 2: %+v", hosts)
		}
		hosts = wire.List[wire.BaselineItemHost]{}
		e.call(t, "GET", "/api/v1/baseline/items/debian12-l1/sshd-permit-root-login/hosts?status=pass", store.RoleViewer, nil, 200, &hosts)
		if len(hosts.Items) != 1 || hosts.Items[0].HostID != web2 || hosts.Items[0].Evidence != nil {
			t.Fatalf("passing hosts: %+v", hosts)
		}

		var hv wire.List[wire.BaselineHost]
		e.call(t, "GET", "/api/v1/baseline/hosts?policy=debian12-l1&below=40", store.RoleViewer, nil, 200, &hv)
		if len(hv.Items) != 1 || hv.Items[0].HostID != web1 || hv.Items[0].Score != 0 || hv.Items[0].Checks.Fail != 2 {
			t.Fatalf("hosts below 40: %+v", hv)
		}
		hv = wire.List[wire.BaselineHost]{}
		e.call(t, "GET", "/api/v1/baseline/hosts?label=role=web&label=env=prod", store.RoleViewer, nil, 200, &hv)
		if len(hv.Items) != 1 || hv.Items[0].HostID != web1 {
			t.Fatalf("hosts labelled role=web: %+v", hv)
		}
		e.call(t, "GET", "/api/v1/baseline/hosts?limit=1", store.RoleViewer, nil, 200, &hv)
		cur = hv.NextCursor
		hv = wire.List[wire.BaselineHost]{}
		e.call(t, "GET", "/api/v1/baseline/hosts?limit=1&cursor="+cur, store.RoleViewer, nil, 200, &hv)
		if len(hv.Items) != 1 || hv.Items[0].HostID != web2 || hv.Items[0].Score != 50 {
			t.Fatalf("hosts page 2: %+v", hv)
		}

		var hd wire.BaselineHostDetail
		e.call(t, "GET", fmt.Sprintf("/api/v1/baseline/hosts/%d", web1), store.RoleViewer, nil, 200, &hd)
		if len(hd.Policies) != 1 || len(hd.Policies[0].Results) != 2 {
			t.Fatalf("host detail: %+v", hd)
		}
		if r := hd.Policies[0].Results[0]; r.Check != "sshd-permit-root-login" || r.Remediation == "" || r.Status != "fail" || r.Reason != "PermitRootLogin yes" {
			t.Fatalf("worst failed check first, with remediation: %+v", r)
		}
		e.call(t, "GET", fmt.Sprintf("/api/v1/baseline/hosts/%d?status=all", web1), store.RoleViewer, nil, 200, &hd)
		if len(hd.Policies[0].Results) != 3 {
			t.Fatalf("all results: %+v", hd.Policies[0].Results)
		}
		var db1 wire.BaselineHostDetail
		e.call(t, "GET", fmt.Sprintf("/api/v1/baseline/hosts/%d", e.hosts["db-1"]), store.RoleViewer, nil, 200, &db1)
		if len(db1.Policies) != 0 {
			t.Fatalf("db-1 has no results: %+v", db1)
		}

		var hist wire.List[wire.BaselineRun]
		e.call(t, "GET", fmt.Sprintf("/api/v1/baseline/hosts/%d/history", web2), store.RoleViewer, nil, 200, &hist)
		if len(hist.Items) != 1 || hist.Items[0].Score != 50 || hist.Items[0].Checks.Manual != 1 {
			t.Fatalf("history: %+v", hist)
		}

		// Bad input names the parameter; unknown hosts are 404.
		for path, field := range map[string]string{
			"/api/v1/baseline/items?status=passed":                 "status",
			"/api/v1/baseline/items?label=noequals":                "label",
			"/api/v1/baseline/hosts?below=abc":                     "below",
			"/api/v1/baseline/hosts?cursor=zzz":                    "cursor",
			"/api/v1/baseline/items/debian12-l1/x/hosts?cursor=-1": "cursor",
			"/api/v1/baseline/hosts/0":                             "id",
		} {
			var er wire.Error
			e.call(t, "GET", path, store.RoleViewer, nil, 400, &er)
			if er.Field != field {
				t.Errorf("%s: field %q, want %q (%s)", path, er.Field, field, er.Error)
			}
		}
		e.call(t, "GET", "/api/v1/baseline/hosts/99999", store.RoleViewer, nil, 404, nil)
		e.call(t, "GET", "/api/v1/baseline/hosts/99999/history", store.RoleViewer, nil, 404, nil)
		e.call(t, "GET", "/api/v1/baseline/items", "", nil, 401, nil)
	})
}

// The baseline schemas list exactly the JSON fields of the wire types.
func TestOpenAPIBaselineSchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	types := map[string]any{
		"BaselineCounts": wire.BaselineCounts{}, "BaselinePolicy": wire.BaselinePolicy{}, "BaselineItem": wire.BaselineItem{},
		"BaselineItemHost": wire.BaselineItemHost{}, "BaselineHost": wire.BaselineHost{}, "BaselineResult": wire.BaselineResult{},
		"BaselineHostPolicy": wire.BaselineHostPolicy{}, "BaselineHostDetail": wire.BaselineHostDetail{}, "BaselineRun": wire.BaselineRun{},
		"BaselineTaskParams": wire.BaselineTaskParams{}, "BaselineItemList": wire.List[wire.BaselineItem]{},
	}
	for name, v := range types {
		s, ok := doc.Comps.Schemas[name]
		if !ok {
			t.Errorf("schema %s missing", name)
			continue
		}
		got, want := schemaProps(doc, s), jsonFields(reflect.TypeOf(v))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has %v; wire type has %v", name, got, want)
		}
	}
}

func TestPolicyListJSON(t *testing.T) {
	for in, want := range map[string][]string{`{"policies":"auto"}`: {"auto"}, `{"policies":["a","b"]}`: {"a", "b"}} {
		var p wire.BaselineTaskParams
		if err := json.Unmarshal([]byte(in), &p); err != nil || !slices.Equal(p.Policies, want) {
			t.Errorf("%s: %v %v", in, p.Policies, err)
		}
	}
	var p wire.BaselineTaskParams
	if err := json.Unmarshal([]byte(`{"policies":3}`), &p); err == nil || !strings.Contains(err.Error(), "policies") {
		t.Errorf("policies 3: %v", err)
	}
}
