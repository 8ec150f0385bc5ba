package api

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

func TestFindings(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		web1 := e.hosts["web-1"]
		tests := []struct {
			query string
			want  []string // rules
		}{
			{"", []string{"inventory/root-login", "inventory/wildcard-listener"}},
			{"?severity=high", []string{"inventory/wildcard-listener"}},
			{"?kind=account", []string{"inventory/root-login"}},
			{fmt.Sprintf("?host=%d&status=open", web1), []string{"inventory/root-login", "inventory/wildcard-listener"}},
			{fmt.Sprintf("?host=%d", e.hosts["web-2"]), nil},
			{"?status=resolved", nil},
		}
		for _, tc := range tests {
			t.Run(tc.query, func(t *testing.T) {
				var list wire.List[wire.Finding]
				e.call(t, "GET", "/api/v1/findings"+tc.query, store.RoleViewer, nil, 200, &list)
				if got := rules(list.Items); fmt.Sprint(got) != fmt.Sprint(tc.want) && !sameSet(got, tc.want) {
					t.Fatalf("rules %v, want %v", got, tc.want)
				}
			})
		}
		// Pages of one.
		var p1, p2 wire.List[wire.Finding]
		e.call(t, "GET", "/api/v1/findings?limit=1", store.RoleViewer, nil, 200, &p1)
		e.call(t, "GET", "/api/v1/findings?limit=1&cursor="+url.QueryEscape(p1.NextCursor), store.RoleViewer, nil, 200, &p2)
		if len(p1.Items) != 1 || len(p2.Items) != 1 || p2.NextCursor != "" || p1.Items[0].ID == p2.Items[0].ID {
			t.Fatalf("pages %+v / %+v", p1, p2)
		}
		for _, q := range []string{"?severity=urgent", "?status=closed", "?host=x", "?cursor=!!"} {
			if code, body, _ := e.request(t, "GET", "/api/v1/findings"+q, store.RoleViewer, nil); code != 400 {
				t.Errorf("%s: %d %s", q, code, body)
			}
		}

		// Suppress the exposure, with a reason, and lift it again.
		f := p1.Items[0]
		path := fmt.Sprintf("/api/v1/findings/%d/%s/suppress", f.HostID, f.ID)
		var got wire.Finding
		e.call(t, "POST", path, store.RoleOperator, map[string]string{"reason": "accepted risk"}, 200, &got)
		if got.Status != "suppressed" || got.ID != f.ID {
			t.Fatalf("suppressed: %+v", got)
		}
		var sup wire.List[wire.Finding]
		e.call(t, "GET", "/api/v1/findings?status=suppressed", store.RoleViewer, nil, 200, &sup)
		if len(sup.Items) != 1 {
			t.Fatalf("suppressed list: %+v", sup)
		}
		e.call(t, "POST", path, store.RoleOperator, nil, 200, nil) // a body is optional
		e.call(t, "DELETE", path, store.RoleOperator, nil, 200, &got)
		if got.Status != "open" {
			t.Fatalf("unsuppressed: %+v", got)
		}
		e.call(t, "POST", path, store.RoleViewer, nil, 403, nil)
		e.call(t, "POST", fmt.Sprintf("/api/v1/findings/%d/nosuch/suppress", f.HostID), store.RoleOperator, nil, 404, nil)
		e.call(t, "POST", path, store.RoleOperator, map[string]string{"why": "x"}, 400, nil)
	})
}

func rules(fs []wire.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		if m[x]--; m[x] < 0 {
			return false
		}
	}
	return true
}
