package container

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

const (
	runningID = "ba033ac4401106a3b513bc9d639eee123ad78ca3616b921167cd74b20e25ed39"
	exitedID  = "a415c8396d31ea992170fe6300b8a584012c8d93743359d252e761f71ab1bdcc"
)

// fakeDocker serves recorded Engine API responses from testdata/docker on
// a unix socket and records the paths asked for.
type fakeDocker struct {
	socket  string
	version string // file under testdata/docker for GET /version
	api     string // API version whose paths it answers, e.g. "1.41"
	// override answers a path with a status and body instead of the files.
	override map[string]func(w http.ResponseWriter)

	mu    sync.Mutex
	paths []string
}

func startFakeDocker(t *testing.T, version, api string) *fakeDocker {
	t.Helper()
	f := &fakeDocker{socket: filepath.Join(t.TempDir(), "docker.sock"), version: version, api: api, override: map[string]func(http.ResponseWriter){}}
	l, err := net.Listen("unix", f.socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return f
}

func (f *fakeDocker) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.RequestURI())
	f.mu.Unlock()
	if h, ok := f.override[r.URL.Path]; ok {
		h(w)
		return
	}
	prefix := "/v" + f.api
	var file string
	switch p := r.URL.Path; {
	case p == "/version":
		file = f.version
	case p == prefix+"/containers/json" && r.URL.Query().Get("all") == "1":
		file = "containers.json"
	case strings.HasPrefix(p, prefix+"/containers/") && strings.HasSuffix(p, "/json"):
		file = "inspect-" + strings.TrimSuffix(strings.TrimPrefix(p, prefix+"/containers/"), "/json") + ".json"
	default:
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"message":"client version is too old or path unknown"}`))
		return
	}
	data, err := os.ReadFile(filepath.Join("testdata", "docker", file))
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"No such container"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

func (f *fakeDocker) requested() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

// testCollector points at the fake socket (or none) and the fixture root.
func testCollector(socket string) *Collector {
	c := New().(*Collector)
	if socket == "" {
		socket = "/nonexistent/docker.sock"
	}
	c.DockerSocket = socket
	c.requestTimeout = 2 * time.Second
	c.dockerDeadline = 10 * time.Second
	return c
}

// fixtureEnv reads testdata/root (containerd state) with testdata/prior.json
// as the phase-0 result (the process collector's fixture output).
func fixtureEnv(t *testing.T, withPrior bool) (*inventory.Env, *[]model.Warning) {
	t.Helper()
	fsys, err := rootfs.Open(filepath.Join("testdata", "root"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	env, warns := inventory.TestEnv(fsys, "live/containers")
	env.ProcRoot = filepath.Join(t.TempDir(), "proc")
	if withPrior {
		data, err := os.ReadFile(filepath.Join("testdata", "prior.json"))
		if err != nil {
			t.Fatal(err)
		}
		var prior model.Inventory
		if err := json.Unmarshal(data, &prior); err != nil {
			t.Fatal(err)
		}
		env.Prior = &prior
	}
	return env, warns
}

func byID(cs []model.Container) map[string]model.Container {
	m := map[string]model.Container{}
	for _, c := range cs {
		m[c.ID] = c
	}
	return m
}
