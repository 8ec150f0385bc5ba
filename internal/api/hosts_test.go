package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
)

func TestListHosts(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tests := []struct {
			query string
			want  []string
		}{
			{"", []string{"web-1", "web-2", "db-1"}},
			{"?label=env=prod", []string{"web-1", "web-2"}},
			{"?label=env=prod&label=role=web", []string{"web-1"}},
			{"?os=rocky", []string{"db-1"}},
			{"?hostname=web", []string{"web-1", "web-2"}},
			{"?online=true", []string{"web-1", "web-2", "db-1"}}, // all just seen
			{"?online=false", nil},
		}
		for _, tc := range tests {
			t.Run(tc.query, func(t *testing.T) {
				var list wire.List[wire.Host]
				e.call(t, "GET", "/api/v1/hosts"+tc.query, store.RoleViewer, nil, 200, &list)
				var got []string
				for _, h := range list.Items {
					got = append(got, h.Hostname)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("hosts %v, want %v", got, tc.want)
				}
			})
		}
		// Pages: limit 2, then the rest.
		var p1, p2 wire.List[wire.Host]
		e.call(t, "GET", "/api/v1/hosts?limit=2", store.RoleViewer, nil, 200, &p1)
		if len(p1.Items) != 2 || p1.NextCursor == "" {
			t.Fatalf("page 1: %+v", p1)
		}
		e.call(t, "GET", "/api/v1/hosts?limit=2&cursor="+p1.NextCursor, store.RoleViewer, nil, 200, &p2)
		if len(p2.Items) != 1 || p2.NextCursor != "" || p2.Items[0].Hostname != "db-1" {
			t.Fatalf("page 2: %+v", p2)
		}
		for _, q := range []string{"?label=env", "?online=yes", "?limit=5000", "?cursor=x"} {
			if code, body, _ := e.request(t, "GET", "/api/v1/hosts"+q, store.RoleViewer, nil); code != 400 {
				t.Errorf("%s: %d %s", q, code, body)
			}
		}
	})
}

func TestGetHost(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		web1 := e.hosts["web-1"]
		if _, err := e.st.CreateAgent(ctx, store.NewAgent{HostID: web1, CredentialID: "agt_aaaaaaaaaaaaaaaaaaaaaaaaaa", Version: "0.1.0"}); err != nil {
			t.Fatal(err)
		}
		var h wire.HostDetail
		e.call(t, "GET", fmt.Sprintf("/api/v1/hosts/%d", web1), store.RoleViewer, nil, 200, &h)
		if h.Hostname != "web-1" || h.Labels["role"] != "web" || h.AgentStatus != "enrolled" || !h.Online || h.InventoryAt == nil {
			t.Fatalf("host %+v", h.Host)
		}
		if len(h.Agents) != 1 || h.Agents[0].CredentialID != "agt_aaaaaaaaaaaaaaaaaaaaaaaaaa" || h.Agents[0].RevokedAt != nil {
			t.Fatalf("agents %+v", h.Agents)
		}
		if h.OpenFindings["high"] != 1 || h.OpenFindings["medium"] != 1 {
			t.Fatalf("open findings %v", h.OpenFindings)
		}

		var inv model.Inventory
		e.call(t, "GET", fmt.Sprintf("/api/v1/hosts/%d/inventory", web1), store.RoleViewer, nil, 200, &inv)
		if inv.Host == nil || inv.Host.Hostname != "web-1" || len(inv.Packages) != 2 || len(inv.Sockets) != 2 {
			t.Fatalf("inventory %+v", inv)
		}
		// db-1 has reported nothing yet.
		code, body, _ := e.request(t, "GET", fmt.Sprintf("/api/v1/hosts/%d/inventory", e.hosts["db-1"]), store.RoleViewer, nil)
		if msg, _ := apiError(t, body); code != 404 || msg != fmt.Sprintf("host %d has not reported an inventory yet", e.hosts["db-1"]) {
			t.Fatalf("no inventory: %d %s", code, body)
		}
		e.call(t, "GET", "/api/v1/hosts/999", store.RoleViewer, nil, 404, nil)
		e.call(t, "GET", "/api/v1/hosts/999/inventory", store.RoleViewer, nil, 404, nil)
		e.call(t, "GET", "/api/v1/hosts/web-1", store.RoleViewer, nil, 400, nil)
	})
}
