package cli

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
)

// newLeakedFixture is newFixture with a server that runs leaked-password
// queries, recording the params it keeps in memory.
func newLeakedFixture(t *testing.T) (*fixture, func(int64) json.RawMessage) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{ca: newTestCA(t, "Ward test CA"), st: st, tokens: map[store.Role]string{}, hosts: map[string]int64{}}
	u, err := st.CreateUser(ctx, "operator-user", store.RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	if f.tokens[store.RoleOperator], _, err = st.CreateAPIToken(ctx, u.ID, "operator", store.RoleOperator, 0); err != nil {
		t.Fatal(err)
	}
	f.seed(t)
	var mu sync.Mutex
	kept := map[int64]json.RawMessage{}
	leakedType := api.TaskType{Name: "weakpass-leaked", SecretParams: true, CheckParams: func(json.RawMessage) error { return nil }}
	srv := httptest.NewUnstartedServer(api.New(st, api.Options{CAFingerprint: f.ca.fingerprint,
		TaskTypes: append(api.DefaultTaskTypes(), leakedType),
		KeepSecretParams: func(id int64, p json.RawMessage) {
			mu.Lock()
			kept[id] = p
			mu.Unlock()
		}}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{f.ca.serverCert(t, f.ca.cert)}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f, func(id int64) json.RawMessage {
		mu.Lock()
		defer mu.Unlock()
		return kept[id]
	}
}

func TestWeakpassLeaked(t *testing.T) {
	f, kept := newLeakedFixture(t)
	ctx := context.Background()
	// Passwords on standard input, one a line (not in the shell history).
	old := leakedStdin
	leakedStdin = strings.NewReader("Winter2026!\r\nhunter2\n\n")
	defer func() { leakedStdin = old }()
	code, out, errOut := f.run(t, store.RoleOperator, "weakpass", "leaked", "--hosts", "web-1,web-2", "--wait", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var id int64
	if _, err := fmt.Sscanf(out, "query %d:", &id); err != nil {
		t.Fatalf("output %q", out)
	}
	var p wire.WeakpassLeakedParams
	if err := json.Unmarshal(kept(id), &p); err != nil || strings.Join(p.Passwords, ",") != "Winter2026!,hunter2" {
		t.Fatalf("params kept %s (%v)", kept(id), err)
	}

	// The agents answer: web-1 uses it, web-2 does not.
	runs, err := f.st.Runs(ctx, store.RunFilter{TaskID: id})
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %v %v", runs, err)
	}
	asset := model.AssetRef{Type: "account", ID: "shadow/alice", Path: "/etc/shadow"}
	if _, err := f.st.IngestFindings(ctx, "leak", f.hosts["web-1"], fmt.Sprintf("weakpass-leaked:%d", id), []model.Finding{{
		ID: "x", Kind: model.KindWeakPassword, Rule: "weakpass/leaked-password", Severity: model.SevCritical, Title: "t", Asset: asset}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		for _, s := range []store.RunStatus{store.RunRunning, store.RunDone} {
			if err := f.st.SetRunStatus(ctx, r.ID, s, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	code, out, errOut = f.run(t, store.RoleOperator, "weakpass", "leaked", "--query", fmt.Sprint(id))
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	for _, want := range []string{"web-1", "shadow", "alice", "/etc/shadow", "web-2", "(not used)", "in use on 1 of 2 hosts (1 accounts)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestWeakpassLeakedUsage(t *testing.T) {
	f, _ := newLeakedFixture(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"weakpass", "leaked", "pw"}, "say where to look"},
		{[]string{"weakpass", "leaked", "--all", "--hosts", "web-1", "pw"}, "cannot be combined"},
		{[]string{"weakpass", "leaked", "--query", "1", "--all"}, "give no target"},
	} {
		code, _, errOut := f.run(t, store.RoleOperator, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut)
		}
	}
	old := leakedStdin
	leakedStdin = strings.NewReader("\n")
	defer func() { leakedStdin = old }()
	if code, _, errOut := f.run(t, store.RoleOperator, "weakpass", "leaked", "--all"); code != 2 || !strings.Contains(errOut, "no passwords") {
		t.Errorf("empty stdin: exit %d, %q", code, errOut)
	}
}
