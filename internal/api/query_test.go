package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

func TestFleetQueries(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tests := []struct {
			name      string
			path      string
			wantHosts []string
			check     func(t *testing.T, body []byte)
		}{
			{"log4j-core 2.14.1", "/api/v1/query/software?name=log4j-core&version=2.14.1&type=maven", []string{"web-1"},
				func(t *testing.T, b []byte) {
					var r wire.QueryResult[wire.SoftwareHit]
					mustDecode(t, b, &r)
					if p := r.Items[0].Package; p.Group != "org.apache.logging.log4j" || !strings.Contains(p.Location, "app.jar!") || r.Truncated {
						t.Fatalf("hit %+v", r)
					}
				}},
			{"log4j-core any version", "/api/v1/query/software?name=log4j-core", []string{"web-1", "web-2"}, nil},
			{"software of another type", "/api/v1/query/software?name=log4j-core&type=npm", nil, nil},
			{"port 6379 on all addresses", "/api/v1/query/ports?port=6379&wildcard=true", []string{"web-1"},
				func(t *testing.T, b []byte) {
					var r wire.QueryResult[wire.PortHit]
					mustDecode(t, b, &r)
					if h := r.Items[0]; h.Addr != "0.0.0.0" || h.Process != "redis-server" || h.Proto != "tcp" {
						t.Fatalf("hit %+v", h)
					}
				}},
			{"port 6379 anywhere", "/api/v1/query/ports?port=6379&proto=tcp", []string{"web-1", "web-2"}, nil},
			{"redis running", "/api/v1/query/apps?name=redis&running=true", []string{"web-1", "web-2"}, nil},
			{"uid 0", "/api/v1/query/accounts?uid=0", []string{"web-1", "web-2"},
				func(t *testing.T, b []byte) {
					var r wire.QueryResult[wire.AccountHit]
					mustDecode(t, b, &r)
					if h := r.Items[0]; h.Name != "root" || !h.CanLogin || h.Password != "set" {
						t.Fatalf("hit %+v", h)
					}
				}},
			{"locked accounts", "/api/v1/query/accounts?password=locked&can_login=false", []string{"web-1", "web-2"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				body := e.call(t, "GET", tc.path, store.RoleViewer, nil, 200, nil)
				var r wire.QueryResult[struct {
					HostID int64 `json:"host_id"`
				}]
				mustDecode(t, body, &r)
				var got []int64
				for _, h := range r.Items {
					got = append(got, h.HostID)
				}
				if want := e.ids(tc.wantHosts...); !slices.Equal(sorted(got), sorted(want)) {
					t.Fatalf("hosts %v, want %v: %s", got, want, body)
				}
				if tc.check != nil {
					tc.check(t, body)
				}
			})
		}
	})
}

func TestFleetQueryLimitsAndErrors(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	var r wire.QueryResult[wire.SoftwareHit]
	e.call(t, "GET", "/api/v1/query/software?name=log4j-core&limit=1", store.RoleViewer, nil, 200, &r)
	if len(r.Items) != 1 || !r.Truncated {
		t.Fatalf("limited query: %+v", r)
	}
	bad := []struct{ path, field string }{
		{"/api/v1/query/software", "name"},
		{"/api/v1/query/software?name=a&source=b", "name"},
		{"/api/v1/query/software?name=a&limit=0", "limit"},
		{"/api/v1/query/ports", "port"},
		{"/api/v1/query/ports?port=70000", "port"},
		{"/api/v1/query/ports?port=22&proto=sctp", "proto"},
		{"/api/v1/query/ports?port=22&wildcard=maybe", "wildcard"},
		{"/api/v1/query/apps", "name"},
		{"/api/v1/query/accounts", "uid"},
		{"/api/v1/query/accounts?uid=root", "uid"},
	}
	for _, tc := range bad {
		code, body, _ := e.request(t, "GET", tc.path, store.RoleViewer, nil)
		if _, field := apiError(t, body); code != 400 || field != tc.field {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.path, code, body, tc.field)
		}
	}
}

func mustDecode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
