package container

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestCollectGolden(t *testing.T) {
	d := startFakeDocker(t, "version-20.10.json", "1.41")
	env, warns := fixtureEnv(t, true)
	inv, err := testCollector(d.socket).Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(*warns) != 0 {
		t.Errorf("warnings: %+v", *warns)
	}
	testutil.GoldenJSON(t, "containers", inv.Containers)
	want := []string{
		"/version",
		"/v1.41/containers/json?all=1",
		"/v1.41/containers/" + runningID + "/json",
		"/v1.41/containers/" + exitedID + "/json",
	}
	if got := d.requested(); !slices.Equal(got, want) {
		t.Errorf("requests:\n got %q\nwant %q", got, want)
	}
}

func TestCollectRecords(t *testing.T) {
	d := startFakeDocker(t, "version-20.10.json", "1.41")
	env, _ := fixtureEnv(t, true)
	inv, err := testCollector(d.socket).Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	got := byID(inv.Containers)
	if len(inv.Containers) != 8 {
		t.Errorf("got %d containers, want 8 (2 docker, 3 containerd, 3 cgroup)", len(inv.Containers))
	}
	created := time.Date(2015, 1, 6, 15, 47, 31, 485331387, time.UTC)
	tests := []struct {
		name  string
		id    string
		check func(c model.Container) bool
	}{
		{"docker running, privileged, docker.sock mounted", runningID, func(c model.Container) bool {
			return c.Runtime == "docker" && c.Name == "boring_euclid" && c.Image == "ubuntu" &&
				c.ImageID == "sha256:04c5d3b7b0656168630d3ba35d8889bd0e9caafcaeb3004d2bfbc47e7c5d35d2" &&
				c.State == "running" && c.PID == 23162 && c.Privileged && c.Created != nil && c.Created.Equal(created) &&
				slices.Equal(c.Ports, []string{"0.0.0.0:8080->80/tcp", "443/tcp", "[::]:8080->80/tcp"}) &&
				len(c.Mounts) == 2 && c.Mounts[0] == model.ContainerMount{Source: "/data", Destination: "/data", ReadOnly: true} &&
				c.Mounts[1] == model.ContainerMount{Source: "/var/run/docker.sock", Destination: "/var/run/docker.sock"} &&
				c.Labels["com.example.vendor"] == "Acme" && c.Namespace == ""
		}},
		{"docker exited", exitedID, func(c model.Container) bool {
			return c.Runtime == "docker" && c.Name == "coolName" && c.Image == "ubuntu:latest" && c.State == "exited" &&
				c.PID == 0 && !c.Privileged && c.Ports == nil && c.Mounts == nil
		}},
		{"containerd CRI container", "e857a4bf05a69080a759574949d7a0e69572e27647800fa7faff6a05a8332aa1", func(c model.Container) bool {
			return c.Runtime == "containerd" && c.Namespace == "k8s.io" && c.Name == "nginx" && c.Image == "docker.io/library/nginx:1.25.3" &&
				c.PID == 23166 && c.State == "running" && !c.Privileged && len(c.Mounts) == 3 &&
				c.Mounts[0].Destination == "/dev/termination-log" && c.Mounts[1].Destination == "/etc/hosts" && !c.Mounts[1].ReadOnly &&
				c.Mounts[2].Destination == "/etc/nginx/conf.d" && c.Mounts[2].ReadOnly &&
				c.Labels["io.kubernetes.cri.sandbox-namespace"] == "default"
		}},
		{"containerd CRI sandbox whose pid is gone", "73fcf0ef0f60737051396d76fdca27f67295e881932d33a679228b9bf3fc73b5", func(c model.Container) bool {
			return c.Runtime == "containerd" && c.Name == "web-7d4b9c6f5-xk2lp" && c.Image == "registry.k8s.io/pause:3.9" &&
				c.PID == 99999 && c.State == "stopped"
		}},
		{"containerd privileged, no init.pid", "17618ea992a1ff4290d1a3f4cae5613bfdfe7b307fa0cfbda831b006c39a7ee2", func(c model.Container) bool {
			return c.Runtime == "containerd" && c.Namespace == "default" && c.Privileged && c.PID == 0 && c.State == "" &&
				len(c.Mounts) == 1 && c.Mounts[0] == model.ContainerMount{Source: "/", Destination: "/host"}
		}},
		{"cgroup only: docker v1 id unknown to the daemon", "98657c7d971ad18b4965a232eafc5cce9bac2ff15ea7fdf9d393677254cd6dbf", func(c model.Container) bool {
			return c.Runtime == "cgroup" && c.PID == 23164 && c.State == "running"
		}},
		{"cgroup only: podman, lowest pid", "45d107efb23c4f6f6efa0a12f257958c1be76cb7da548653d44a0c2ae7fb3c89", func(c model.Container) bool {
			return c.Runtime == "cgroup" && c.PID == 21628
		}},
		{"cgroup only: cri-o", "d86d75589bf6cc254f3e2cc29debdf85dde404998aa128997a819ff991827356", func(c model.Container) bool {
			return c.Runtime == "cgroup" && c.PID == 23172
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := got[tc.id]
			if !ok {
				t.Fatalf("%s missing", tc.id)
			}
			if !tc.check(c) {
				t.Errorf("unexpected record %+v", c)
			}
		})
	}
}

// Without Docker the moby-namespace task shows up through containerd, and
// without a process list nothing comes from cgroups.
func TestCollectWithoutDockerOrPrior(t *testing.T) {
	env, warns := fixtureEnv(t, false)
	inv, err := testCollector("").Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(*warns) != 0 {
		t.Errorf("a missing docker socket must not warn: %+v", *warns)
	}
	got := byID(inv.Containers)
	if len(got) != 4 {
		t.Errorf("got %d containers, want the 4 containerd tasks", len(got))
	}
	m, ok := got[runningID]
	if !ok || m.Runtime != "containerd" || m.Namespace != "moby" || !m.Privileged || m.PID != 23162 || m.State != "" {
		t.Errorf("moby task: %+v (state must be unknown: off-line, no process list)", m)
	}
}

// Docker 29 refuses API versions below 1.44: the collector negotiates.
func TestDockerVersionNegotiation(t *testing.T) {
	d := startFakeDocker(t, "version-29.0.json", "1.44")
	env, warns := fixtureEnv(t, false)
	inv, err := testCollector(d.socket).Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(*warns) != 0 {
		t.Errorf("warnings: %+v", *warns)
	}
	if c := byID(inv.Containers)[runningID]; c.Runtime != "docker" || c.Name != "boring_euclid" {
		t.Errorf("docker container not read through /v1.44: %+v", c)
	}
	for _, p := range d.requested()[1:] {
		if !strings.HasPrefix(p, "/v1.44/") {
			t.Errorf("request %s not on the negotiated version", p)
		}
	}
}

func TestChooseAPIVersion(t *testing.T) {
	tests := []struct{ max, min, want string }{
		{"1.41", "1.12", "1.41"},
		{"1.52", "1.44", "1.44"},
		{"1.52", "1.24", "1.41"},
		{"1.40", "1.12", "1.40"},
		{"", "", "1.41"},
		{"garbage", "", "1.41"}, // unparsable sorts first; 1.41 is the safe ask
		{"1.43", "1.44", "1.44"},
	}
	for _, tc := range tests {
		if got := chooseAPIVersion(tc.max, tc.min); got != tc.want {
			t.Errorf("chooseAPIVersion(%q, %q) = %q, want %q", tc.max, tc.min, got, tc.want)
		}
	}
}

func TestDockerFailures(t *testing.T) {
	tests := []struct {
		name      string
		override  map[string]func(http.ResponseWriter)
		wantWarn  string
		wantState map[string]string // id -> state after the run
	}{
		{
			name: "inspect 404: container removed since the list",
			override: map[string]func(http.ResponseWriter){
				"/v1.41/containers/" + exitedID + "/json": func(w http.ResponseWriter) { w.WriteHeader(404) },
			},
			wantState: map[string]string{runningID: "running"},
		},
		{
			name: "inspect 500: list data kept",
			override: map[string]func(http.ResponseWriter){
				"/v1.41/containers/" + runningID + "/json": func(w http.ResponseWriter) {
					w.WriteHeader(500)
					w.Write([]byte(`{"message":"boom"}`))
				},
			},
			wantWarn:  "inspect ba033ac44011: GET /v1.41/containers/" + runningID + "/json: 500 Internal Server Error: boom",
			wantState: map[string]string{runningID: "running", exitedID: "exited"},
		},
		{
			name: "inspect returns garbage",
			override: map[string]func(http.ResponseWriter){
				"/v1.41/containers/" + runningID + "/json": func(w http.ResponseWriter) { w.Write([]byte(`{"Id": 7`)) },
			},
			wantWarn:  "inspect ba033ac44011: unexpected end of JSON input",
			wantState: map[string]string{runningID: "running", exitedID: "exited"},
		},
		{
			name: "list too large",
			override: map[string]func(http.ResponseWriter){
				"/v1.41/containers/json": func(w http.ResponseWriter) {
					w.Write([]byte("[" + strings.Repeat(" ", 4096) + "]"))
				},
			},
			wantWarn:  "response larger than",
			wantState: map[string]string{},
		},
		{
			name: "list with a hostile id",
			override: map[string]func(http.ResponseWriter){
				"/v1.41/containers/json": func(w http.ResponseWriter) {
					w.Write([]byte(`[{"Id":"../../images/json?x="},{"Id":"` + runningID + `","State":"running"}]`))
				},
			},
			wantWarn:  "malformed id",
			wantState: map[string]string{runningID: "running"},
		},
		{
			name: "version call fails",
			override: map[string]func(http.ResponseWriter){
				"/version": func(w http.ResponseWriter) { w.WriteHeader(503) },
			},
			wantWarn:  "docker daemon not answering",
			wantState: map[string]string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := startFakeDocker(t, "version-20.10.json", "1.41")
			d.override = tc.override
			env, warns := fixtureEnv(t, false)
			c := testCollector(d.socket)
			c.ContainerdTaskDirs = nil
			c.listLimit = 4096
			inv, err := c.Collect(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, ct := range inv.Containers {
				got[ct.ID] = ct.State
			}
			if len(got) != len(tc.wantState) {
				t.Errorf("containers %v, want %v", got, tc.wantState)
			}
			for id, st := range tc.wantState {
				if got[id] != st {
					t.Errorf("%s state %q, want %q", id, got[id], st)
				}
			}
			var msgs []string
			for _, w := range *warns {
				if w.Path != d.socket {
					t.Errorf("warning not naming the socket: %+v", w)
				}
				msgs = append(msgs, w.Message)
			}
			joined := strings.Join(msgs, "\n")
			if tc.wantWarn == "" && len(msgs) != 0 || tc.wantWarn != "" && !strings.Contains(joined, tc.wantWarn) {
				t.Errorf("warnings %q, want %q", joined, tc.wantWarn)
			}
		})
	}
}

// A daemon that accepts but never answers costs one timeout and a warning.
func TestDockerHangs(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // hold it open, say nothing
		}
	}()
	env, warns := fixtureEnv(t, false)
	c := testCollector(sock)
	c.requestTimeout = 200 * time.Millisecond
	start := time.Now()
	inv, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	if len(inv.Containers) != 4 { // containerd still read
		t.Errorf("got %d containers, want 4 from containerd", len(inv.Containers))
	}
	if len(*warns) != 1 || !strings.Contains((*warns)[0].Message, "docker daemon not answering") {
		t.Errorf("warnings %+v", *warns)
	}
}

func TestDockerSocketNotASocket(t *testing.T) {
	p := filepath.Join(t.TempDir(), "docker.sock")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env, warns := fixtureEnv(t, false)
	if _, err := testCollector(p).Collect(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	if len(*warns) != 1 || (*warns)[0].Path != p || !strings.Contains((*warns)[0].Message, "not a unix socket") {
		t.Errorf("warnings %+v", *warns)
	}
}

func TestCollectCancelled(t *testing.T) {
	env, _ := fixtureEnv(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := testCollector("").Collect(ctx, env); err == nil {
		t.Fatal("want the context error")
	}
}
