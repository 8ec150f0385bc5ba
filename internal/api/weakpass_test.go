package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
)

// testLeakedType stands for the weakpass capability's task type (the
// real one is registered by cmd/ward).
var testLeakedType = TaskType{Name: leakedTaskType, SecretParams: true,
	CheckParams: func(params json.RawMessage) error {
		var p wire.WeakpassLeakedParams
		if err := strictParams(params, &p); err != nil {
			return err
		}
		if len(p.Passwords) == 0 {
			return fmt.Errorf("no passwords given")
		}
		return nil
	}}

const leakedPassword = "Summer-2026-Leak"

func TestLeakedQueryParamsNeverStored(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var created wire.TaskDetail
		e.call(t, "POST", "/api/v1/weakpass/leaked", store.RoleOperator,
			wire.LeakedQuery{Target: wire.TaskTarget{Hosts: []int64{e.hosts["web-1"]}}, Passwords: []string{leakedPassword}}, 201, &created)
		if created.Type != leakedTaskType || len(created.HostRuns.Items) != 1 {
			t.Fatalf("created %+v", created)
		}
		// The store holds the placeholder; the server's memory the passwords.
		task, err := e.st.Task(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !store.Withheld(task.Params) {
			t.Errorf("stored params %s", task.Params)
		}
		e.mu.Lock()
		kept := e.secretParams[created.ID]
		e.mu.Unlock()
		var p wire.WeakpassLeakedParams
		if err := json.Unmarshal(kept, &p); err != nil || len(p.Passwords) != 1 || p.Passwords[0] != leakedPassword {
			t.Errorf("kept params %s (%v)", kept, err)
		}
		body := e.call(t, "GET", fmt.Sprintf("/api/v1/tasks/%d", created.ID), store.RoleViewer, nil, 200, nil)
		if bytes.Contains(body, []byte(leakedPassword)) || !bytes.Contains(body, []byte("withheld")) {
			t.Errorf("GET task shows %s", body)
		}
		// The generic endpoint keeps them out of the store too, and refuses
		// a schedule (the params would not outlive the server).
		var viaTasks wire.TaskDetail
		e.call(t, "POST", "/api/v1/tasks", store.RoleOperator, map[string]any{"type": leakedTaskType,
			"target": map[string]any{"all": true}, "params": map[string]any{"passwords": []string{leakedPassword}}}, 201, &viaTasks)
		if task, _ := e.st.Task(ctx, viaTasks.ID); !store.Withheld(task.Params) {
			t.Errorf("POST /tasks stored params %s", task.Params)
		}
		e.call(t, "POST", "/api/v1/tasks", store.RoleOperator, map[string]any{"type": leakedTaskType, "schedule": "0 * * * *",
			"target": map[string]any{"all": true}, "params": map[string]any{"passwords": []string{leakedPassword}}}, 400, nil)
		if strings.Contains(e.logBuf.String(), leakedPassword) {
			t.Error("a password reached the server log")
		}
		var audit wire.List[wire.AuditEntry]
		if b := e.call(t, "GET", "/api/v1/audit", store.RoleAdmin, nil, 200, &audit); bytes.Contains(b, []byte(leakedPassword)) {
			t.Error("a password reached the audit log")
		}
	})
}

func TestLeakedQueryErrors(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		body := e.call(t, "POST", "/api/v1/weakpass/leaked", store.RoleOperator,
			wire.LeakedQuery{Target: wire.TaskTarget{All: true}}, 400, nil)
		if !strings.Contains(string(body), "no passwords") {
			t.Errorf("no passwords: %s", body)
		}
		e.call(t, "POST", "/api/v1/weakpass/leaked", store.RoleOperator, wire.LeakedQuery{Passwords: []string{"x1"}}, 400, nil)
		e.call(t, "POST", "/api/v1/weakpass/leaked", store.RoleViewer,
			wire.LeakedQuery{Target: wire.TaskTarget{All: true}, Passwords: []string{"x1"}}, 403, nil)
		e.call(t, "GET", "/api/v1/weakpass/leaked/999", store.RoleViewer, nil, 404, nil)
	})
	// A server that cannot keep secrets refuses rather than storing them.
	e := newEnv(t, backends()[0], func(o *Options) { o.KeepSecretParams = nil })
	e.call(t, "POST", "/api/v1/weakpass/leaked", store.RoleOperator,
		wire.LeakedQuery{Target: wire.TaskTarget{All: true}, Passwords: []string{"x1"}}, 501, nil)
}

func TestLeakedQueryResult(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var created wire.TaskDetail
		e.call(t, "POST", "/api/v1/weakpass/leaked", store.RoleOperator,
			wire.LeakedQuery{Target: wire.TaskTarget{Labels: map[string]string{"env": "prod"}}, Passwords: []string{leakedPassword}}, 201, &created)
		var res wire.LeakedResult
		e.call(t, "GET", fmt.Sprintf("/api/v1/weakpass/leaked/%d", created.ID), store.RoleViewer, nil, 200, &res)
		if res.Done || len(res.Hosts) != 2 {
			t.Fatalf("fresh query %+v", res)
		}
		web1 := e.hosts["web-1"]
		asset := model.AssetRef{Type: "account", ID: "shadow/alice", Path: "/etc/shadow"}
		f := model.Finding{ID: model.FindingID(leakedRule, asset), Kind: model.KindWeakPassword, Rule: leakedRule,
			Severity: model.SevCritical, Title: "Leaked password in use: shadow account alice", Asset: asset}
		if _, err := e.st.IngestFindings(ctx, "leak-1", web1, fmt.Sprintf("%s%d", LeakedScope, created.ID), []model.Finding{f}); err != nil {
			t.Fatal(err)
		}
		for _, r := range created.HostRuns.Items {
			for _, st := range []store.RunStatus{store.RunRunning, store.RunDone} {
				if err := e.st.SetRunStatus(ctx, r.ID, st, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		e.call(t, "GET", fmt.Sprintf("/api/v1/weakpass/leaked/%d", created.ID), store.RoleViewer, nil, 200, &res)
		if !res.Done || res.Runs["done"] != 2 {
			t.Fatalf("finished query %+v", res)
		}
		matched := 0
		for _, h := range res.Hosts {
			if h.HostID == web1 {
				if len(h.Matches) != 1 || h.Matches[0] != (wire.LeakedMatch{Store: "shadow", Account: "alice", Path: "/etc/shadow"}) || h.Hostname != "web-1" {
					t.Errorf("web-1: %+v", h)
				}
				matched++
			} else if len(h.Matches) != 0 {
				t.Errorf("host %d: %+v", h.HostID, h)
			}
		}
		if matched != 1 {
			t.Errorf("hosts %+v", res.Hosts)
		}
	})
}
