package cli

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

func TestCommands(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name    string
		as      store.Role
		args    []string
		want    []string // in stdout
		notWant []string
	}{
		{"whoami", store.RoleViewer, []string{"whoami"}, []string{"viewer-user (viewer)"}, nil},
		{"hosts", store.RoleViewer, []string{"hosts"}, []string{"HOSTNAME", "web-1", "web-2", "db-1", "env=prod"}, nil},
		{"hosts by label", store.RoleViewer, []string{"hosts", "--label", "env=staging"}, []string{"db-1"}, []string{"web-1"}},
		{"host show by name", store.RoleViewer, []string{"host", "show", "web-1", "--inventory"},
			[]string{"web-1", "1 high", "redis-server", "6379", "APPLICATION", "redis"}, nil},
		{"query software", store.RoleViewer, []string{"query", "software", "log4j-core", "--version", "2.14.1"},
			[]string{"web-1", "org.apache.logging.log4j:log4j-core", "2.14.1"}, []string{"web-2"}},
		{"query ports wildcard", store.RoleViewer, []string{"query", "ports", "6379", "--wildcard"}, []string{"web-1", "0.0.0.0", "redis-server"}, []string{"web-2"}},
		{"query port (alias)", store.RoleViewer, []string{"query", "port", "6379"}, []string{"web-1", "web-2"}, nil},
		{"query apps", store.RoleViewer, []string{"query", "apps", "redis", "--running"}, []string{"web-1", "web-2", "7.0.15"}, nil},
		{"query accounts", store.RoleViewer, []string{"query", "accounts", "--uid", "0"}, []string{"root", "web-1", "web-2"}, nil},
		{"findings", store.RoleViewer, []string{"findings", "--severity", "high", "--host", "web-1"}, []string{"exposed-redis", "high", "redis listens"}, nil},
		{"task types", store.RoleViewer, []string{"tasks", "types"}, []string{"inventory"}, nil},
		{"create task by label", store.RoleOperator, []string{"tasks", "create", "--type", "inventory", "--label", "env=prod"}, []string{"task 1 (inventory) created, queued on 2 hosts"}, nil},
		{"create task on named hosts", store.RoleOperator, []string{"tasks", "create", "--type", "inventory", "--hosts", "web-2,db-1", "--params", `{"full":true}`}, []string{"queued on 2 hosts"}, nil},
		{"create scheduled task", store.RoleOperator, []string{"tasks", "create", "--type", "inventory", "--all", "--cron", "0 * * * *"}, []string{`scheduled "0 * * * *"`}, nil},
		{"list tasks", store.RoleViewer, []string{"tasks", "list"}, []string{"labels env=prod", "all hosts", "operator-user"}, nil},
		{"show task", store.RoleViewer, []string{"tasks", "show", "1"}, []string{"2 queued", "RUN", "queued"}, nil},
		{"suppress", store.RoleOperator, []string{"findings", "suppress", "web-1", "exposed-redis", "--reason", "lab box"}, []string{"is now suppressed"}, nil},
		{"unsuppress", store.RoleOperator, []string{"findings", "unsuppress", "web-1", "exposed-redis"}, []string{"is now open"}, nil},
		{"enroll-token list (empty)", store.RoleOperator, []string{"enroll-token", "list"}, []string{"STATUS"}, nil},
		{"users", store.RoleAdmin, []string{"users", "list"}, []string{"admin-user", "operator-user"}, nil},
		{"audit", store.RoleAdmin, []string{"audit", "--action", "task.create"}, []string{"operator-user", "task.create", "task:1"}, []string{"finding.suppress"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := f.run(t, tc.as, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("stdout has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestJSONOutput(t *testing.T) {
	f := newFixture(t)
	code, out, errOut := f.run(t, store.RoleViewer, "hosts", "--json", "--label", "env=prod")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var l wire.List[wire.Host]
	if err := json.Unmarshal([]byte(out), &l); err != nil || len(l.Items) != 2 {
		t.Fatalf("json %v: %s", err, out)
	}
	code, out, _ = f.run(t, store.RoleViewer, "host", "show", "web-1", "--inventory", "--json")
	var both struct {
		Host      wire.HostDetail `json:"host"`
		Inventory struct {
			Packages []any `json:"packages"`
		} `json:"inventory"`
	}
	if err := json.Unmarshal([]byte(out), &both); code != 0 || err != nil || both.Host.Hostname != "web-1" || len(both.Inventory.Packages) != 1 {
		t.Fatalf("host show --json: %d %v %s", code, err, out)
	}
}

func TestTokenLifecycle(t *testing.T) {
	f := newFixture(t)
	// An API token for a new viewer user; the secret alone on stdout.
	if code, out, errOut := f.run(t, store.RoleAdmin, "users", "create", "ci", "--role", "viewer"); code != 0 {
		t.Fatalf("users create: %d %s %s", code, out, errOut)
	}
	code, out, errOut := f.run(t, store.RoleAdmin, "token", "create", "--name", "pipeline", "--role", "viewer", "--user", "ci")
	secret := strings.TrimSpace(out)
	if code != 0 || !regexp.MustCompile(`^ward_at_[A-Za-z0-9_-]+$`).MatchString(secret) || !strings.Contains(errOut, "Shown once") {
		t.Fatalf("token create: %d %q %s", code, out, errOut)
	}
	f.tokens["ci"] = secret
	if code, out, _ := f.run(t, "ci", "whoami"); code != 0 || !strings.Contains(out, "ci (viewer)") {
		t.Fatalf("whoami with the new token: %d %s", code, out)
	}
	// A viewer cannot create tasks: the server's 403 is shown.
	code, _, errOut = f.run(t, "ci", "tasks", "create", "--type", "inventory", "--all")
	if code != 1 || !strings.Contains(errOut, "403 Forbidden") || !strings.Contains(errOut, "operator role") {
		t.Fatalf("viewer creating a task: %d %s", code, errOut)
	}
	if code, out, _ := f.run(t, store.RoleAdmin, "token", "list", "--user", "ci"); code != 0 || !strings.Contains(out, "pipeline") {
		t.Fatalf("token list: %s", out)
	}
	if code, out, errOut := f.run(t, store.RoleAdmin, "token", "revoke", "4"); code != 0 || !strings.Contains(out, "API token 4 revoked") {
		t.Fatalf("token revoke: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := f.run(t, "ci", "whoami"); code != 1 || !strings.Contains(errOut, "401 Unauthorized") {
		t.Fatalf("revoked token: %d %s", code, errOut)
	}

	// Enrollment tokens carry the CA fingerprint.
	code, out, errOut = f.run(t, store.RoleOperator, "enroll-token", "create", "--label", "env=prod", "--max-uses", "5", "--ttl", "1h")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "ward1."+f.ca.fingerprint+".") {
		t.Fatalf("enroll-token create: %d %q %s", code, out, errOut)
	}
	if code, out, _ := f.run(t, store.RoleOperator, "enroll-token", "list"); code != 0 || !strings.Contains(out, "0/5") || !strings.Contains(out, "env=prod") || strings.Contains(out, "ward_et_") {
		t.Fatalf("enroll-token list: %s", out)
	}
	if code, _, _ := f.run(t, store.RoleOperator, "enroll-token", "revoke", "1"); code != 0 {
		t.Fatal("enroll-token revoke failed")
	}
	if _, out, _ := f.run(t, store.RoleOperator, "enroll-token", "list"); !strings.Contains(out, "revoked") {
		t.Fatalf("after revoke: %s", out)
	}
}

func TestAgentRevoke(t *testing.T) {
	f := newFixture(t)
	a, err := f.st.CreateAgent(t.Context(), store.NewAgent{HostID: f.hosts["web-1"], CredentialID: "agt_aaaaaaaaaaaaaaaaaaaaaaaaaa"})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := f.run(t, store.RoleAdmin, "agents", "revoke", "agt_aaaaaaaaaaaaaaaaaaaaaaaaaa")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("revoked agent %d", a.ID)) {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	if code, _, errOut := f.run(t, store.RoleOperator, "agents", "revoke", "1"); code != 1 || !strings.Contains(errOut, "403") {
		t.Fatalf("operator revoking: %d %s", code, errOut)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"no subcommand", []string{"tasks"}, 2, "tasks needs a subcommand"},
		{"unknown subcommand", []string{"tasks", "delete"}, 2, `unknown subcommand "delete"`},
		{"missing argument", []string{"host", "show"}, 2, "usage: ward host show ID|HOSTNAME"},
		{"extra argument", []string{"hosts", "web-1"}, 2, `unexpected argument "web-1"`},
		{"unknown flag", []string{"hosts", "--colour"}, 2, "flag provided but not defined: -colour"},
		{"task without target", []string{"tasks", "create", "--type", "inventory"}, 2, "--hosts A,B, --label k=v or --all"},
		{"bad label", []string{"hosts", "--label", "env"}, 2, "want key=value"},
		{"unknown task type (server)", []string{"tasks", "create", "--type", "vuln", "--all"}, 1, "400 Bad Request: unknown task type \"vuln\"; known task types: inventory (field type)"},
		{"bad cron (server)", []string{"tasks", "create", "--type", "inventory", "--all", "--cron", "0 0 * *"}, 1, "(field schedule)"},
		{"unknown host", []string{"host", "show", "mail-1"}, 1, `no host named "mail-1"`},
		{"unknown host id", []string{"host", "show", "999"}, 1, "404 Not Found: no host with id 999"},
		{"bad port", []string{"query", "ports", "http"}, 2, "PORT must be a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := f.run(t, store.RoleOperator, tc.args...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d with %q", code, errOut, tc.wantCode, tc.wantErr)
			}
		})
	}
	// Help is not an error.
	if code, _, errOut := runEnv(t, nil, "hosts", "-h"); code != 0 || !strings.Contains(errOut, "--label") {
		t.Fatalf("help: %d %s", code, errOut)
	}
}

func TestConnectionSettings(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens[store.RoleViewer]
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"everything from the environment", map[string]string{"WARD_SERVER": f.url, "WARD_TOKEN": tok, "WARD_CA": f.ca.fingerprint}, nil, 0, ""},
		{"WARD_CA as a file", map[string]string{"WARD_SERVER": f.url, "WARD_TOKEN": tok, "WARD_CA": f.ca.pemFile(t)}, nil, 0, ""},
		{"fingerprint with colons, upper case", map[string]string{"WARD_SERVER": f.url, "WARD_TOKEN": tok},
			[]string{"--ca-fingerprint", colons(strings.ToUpper(f.ca.fingerprint))}, 0, ""},
		{"flags beat the environment", map[string]string{"WARD_SERVER": "https://192.0.2.1:1", "WARD_TOKEN": "ward_at_wrong", "WARD_CA": f.ca.fingerprint},
			[]string{"--server", f.url, "--token", tok}, 0, ""},
		{"no server", map[string]string{"WARD_TOKEN": tok}, nil, 2, "give --server https://HOST:8443 or set WARD_SERVER"},
		{"no token", map[string]string{"WARD_SERVER": f.url}, nil, 2, "give --token or set WARD_TOKEN"},
		{"bad fingerprint", map[string]string{"WARD_SERVER": f.url, "WARD_TOKEN": tok}, []string{"--ca-fingerprint", "abc"}, 2, "--ca-fingerprint: want the 64 hex digits"},
		{"plain http elsewhere", map[string]string{"WARD_TOKEN": tok}, []string{"--server", "http://ward.example.com"}, 2, "refusing to send the API token over plain http"},
		{"bad timeout", map[string]string{"WARD_SERVER": f.url, "WARD_TOKEN": tok, "WARD_CA": f.ca.fingerprint}, []string{"--timeout", "soon"}, 2, "--timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runEnv(t, tc.env, append([]string{"whoami"}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Fatalf("exit %d (stdout %q), stderr %q; want %d with %q", code, out, errOut, tc.wantCode, tc.wantErr)
			}
			if code == 0 && !strings.Contains(out, "viewer-user") {
				t.Fatalf("stdout %q", out)
			}
		})
	}
}

func colons(hex string) string {
	var parts []string
	for i := 0; i < len(hex); i += 2 {
		parts = append(parts, hex[i:i+2])
	}
	return strings.Join(parts, ":")
}
