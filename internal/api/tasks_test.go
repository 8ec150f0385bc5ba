package api

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

func TestCreateTaskTargets(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tests := []struct {
			name      string
			target    map[string]any
			schedule  string
			wantHosts []string
		}{
			{"by label", map[string]any{"labels": map[string]string{"env": "prod"}}, "", []string{"web-1", "web-2"}},
			{"by two labels", map[string]any{"labels": map[string]string{"env": "prod", "role": "web"}}, "", []string{"web-1"}},
			{"all", map[string]any{"all": true}, "", []string{"web-1", "web-2", "db-1"}},
			{"explicit hosts", map[string]any{"hosts": []int64{e.hosts["db-1"], e.hosts["db-1"]}}, "", []string{"db-1"}},
			{"hosts and labels", map[string]any{"hosts": []int64{e.hosts["db-1"]}, "labels": map[string]string{"role": "web"}}, "", []string{"web-1", "db-1"}},
			{"label matching nothing", map[string]any{"labels": map[string]string{"env": "nowhere"}}, "", nil},
			{"scheduled: no runs yet", map[string]any{"all": true}, "0 * * * *", nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var got wire.TaskDetail
				e.call(t, "POST", "/api/v1/tasks", store.RoleOperator,
					map[string]any{"type": "inventory", "target": tc.target, "schedule": tc.schedule}, 201, &got)
				var hosts []int64
				for _, r := range got.HostRuns.Items {
					if r.Status != "queued" || r.TaskID != got.ID {
						t.Errorf("run %+v", r)
					}
					hosts = append(hosts, r.HostID)
				}
				if want := e.ids(tc.wantHosts...); !slices.Equal(sorted(hosts), sorted(want)) {
					t.Fatalf("runs on hosts %v, want %v", hosts, want)
				}
				if got.Type != "inventory" || got.CreatedBy != "operator-user" || got.Schedule != tc.schedule {
					t.Fatalf("task %+v", got.Task)
				}
				// The server heard of it, to dispatch.
				e.mu.Lock()
				heard := slices.Contains(e.tasksQueued, got.ID)
				e.mu.Unlock()
				if !heard {
					t.Fatal("OnTaskCreated not called")
				}
				// And GET shows the same runs with their counts.
				var shown wire.TaskDetail
				e.call(t, "GET", fmt.Sprintf("/api/v1/tasks/%d", got.ID), store.RoleViewer, nil, 200, &shown)
				if len(shown.HostRuns.Items) != len(hosts) || (len(hosts) > 0 && shown.Runs["queued"] != len(hosts)) {
					t.Fatalf("GET task: %+v", shown)
				}
			})
		}
		var list wire.List[wire.Task]
		e.call(t, "GET", "/api/v1/tasks", store.RoleViewer, nil, 200, &list)
		if len(list.Items) != len(tests) || list.Items[0].ID < list.Items[1].ID {
			t.Fatalf("task list: %+v", list)
		}
		e.call(t, "GET", "/api/v1/tasks?scheduled=true", store.RoleViewer, nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].Schedule == "" {
			t.Fatalf("scheduled tasks: %+v", list)
		}
	})
}

func TestCreateTaskRejects(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	all := map[string]any{"all": true}
	tests := []struct {
		name      string
		body      map[string]any
		wantField string
		wantMsg   string
	}{
		{"unknown type", map[string]any{"type": "vuln", "target": all}, "type", `unknown task type "vuln"; known task types: inventory`},
		{"no type", map[string]any{"target": all}, "type", "known task types: inventory"},
		{"empty target", map[string]any{"type": "inventory", "target": map[string]any{}}, "target", "needs"},
		{"all with labels", map[string]any{"type": "inventory", "target": map[string]any{"all": true, "labels": map[string]string{"a": "b"}}}, "target", "cannot be combined"},
		{"unknown host", map[string]any{"type": "inventory", "target": map[string]any{"hosts": []int64{e.hosts["web-1"], 999}}}, "target.hosts", "no hosts with ids 999"},
		{"bad label key", map[string]any{"type": "inventory", "target": map[string]any{"labels": map[string]string{"a=b": "c"}}}, "target.labels", "label key"},
		{"bad params", map[string]any{"type": "inventory", "target": all, "params": map[string]any{"full": "yes"}}, "params", "params of task type inventory"},
		{"bad cron", map[string]any{"type": "inventory", "target": all, "schedule": "0 25 * * *"}, "schedule", "hour"},
		{"cron macro", map[string]any{"type": "inventory", "target": all, "schedule": "@hourly"}, "schedule", "want 5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := e.request(t, "POST", "/api/v1/tasks", store.RoleOperator, tc.body)
			msg, field := apiError(t, body)
			if code != 400 || field != tc.wantField || !strings.Contains(msg, tc.wantMsg) {
				t.Fatalf("%d %q field %q; want 400 with %q, field %q", code, msg, field, tc.wantMsg, tc.wantField)
			}
		})
	}
	var list wire.List[wire.Task]
	e.call(t, "GET", "/api/v1/tasks", store.RoleViewer, nil, 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("rejected tasks were created: %+v", list.Items)
	}
}

func TestTaskTypesAndPages(t *testing.T) {
	e := newEnv(t, backends()[0], func(o *Options) { o.TaskTypes = nil })
	var types wire.List[wire.TaskType]
	e.call(t, "GET", "/api/v1/task-types", store.RoleViewer, nil, 200, &types)
	if len(types.Items) != 1 || types.Items[0].Name != "inventory" {
		t.Fatalf("task types: %+v", types)
	}
	var created wire.TaskDetail
	e.call(t, "POST", "/api/v1/tasks", store.RoleOperator, map[string]any{"type": "inventory", "target": map[string]any{"all": true},
		"params": map[string]any{"full": true}}, 201, &created)
	if string(created.Params) != `{"full":true}` {
		t.Fatalf("params %s", created.Params)
	}
	// Runs page through, oldest first.
	var seen []int64
	cursor := ""
	for range 5 {
		var page wire.TaskDetail
		e.call(t, "GET", fmt.Sprintf("/api/v1/tasks/%d?limit=2&cursor=%s", created.ID, cursor), store.RoleViewer, nil, 200, &page)
		for _, r := range page.HostRuns.Items {
			seen = append(seen, r.ID)
		}
		if cursor = page.HostRuns.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != 3 || !slices.IsSorted(seen) {
		t.Fatalf("paged runs %v", seen)
	}
	e.call(t, "GET", "/api/v1/tasks/999", store.RoleViewer, nil, 404, nil)
	e.call(t, "GET", "/api/v1/tasks/abc", store.RoleViewer, nil, 400, nil)
}

func TestCheckCron(t *testing.T) {
	tests := []struct {
		expr string
		ok   bool
	}{
		{"0 * * * *", true},
		{"*/15 9-17 * * mon-fri", true},
		{"0 0 1,15 jan,jul 0", true},
		{"30 2 * * 7", true},
		{"0-59/5 0 1 12 SUN", true},
		{"", false},
		{"* * * *", false},
		{"* * * * * *", false},
		{"60 * * * *", false},
		{"* * 0 * *", false},
		{"* * * 13 *", false},
		{"5/10 * * * *", false},
		{"*/0 * * * *", false},
		{"10-5 * * * *", false},
		{"@daily", false},
		{"* * * * funday", false},
	}
	for _, tc := range tests {
		if err := checkCron(tc.expr); (err == nil) != tc.ok {
			t.Errorf("checkCron(%q) = %v, want ok=%v", tc.expr, err, tc.ok)
		}
	}
}

// ids maps hostnames to ids.
func (e *env) ids(names ...string) []int64 {
	var out []int64
	for _, n := range names {
		out = append(out, e.hosts[n])
	}
	return out
}

func sorted(x []int64) []int64 {
	y := slices.Clone(x)
	slices.Sort(y)
	return y
}
