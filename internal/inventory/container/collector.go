// Package container lists the live host's containers: from the Docker
// Engine API, from containerd's runtime state on disk, and, for any other
// runtime (podman, CRI-O...), from the container ids seen in process
// cgroups.
package container

import (
	"cmp"
	"context"
	"os"
	"path"
	"slices"
	"strconv"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// Collector gathers containers. The fields may be changed before first
// use (another socket, a rootless daemon); New sets the usual places.
type Collector struct {
	// DockerSocket is the Engine API socket on the host.
	DockerSocket string
	// ContainerdTaskDirs are in-root shim state directories:
	// <dir>/<namespace>/<id>/config.json.
	ContainerdTaskDirs []string

	requestTimeout time.Duration // one API call
	dockerDeadline time.Duration // all Docker calls of one run
	listLimit      int64         // bytes of the container list response
}

// New returns the live container collector.
func New() inventory.Collector {
	return &Collector{
		DockerSocket: "/var/run/docker.sock",
		ContainerdTaskDirs: []string{
			"/run/containerd/io.containerd.runtime.v2.task",
			"/run/containerd/io.containerd.runtime.v1.linux", // containerd 1.x shim v1
		},
		requestTimeout: 5 * time.Second,
		dockerDeadline: 60 * time.Second,
		listLimit:      maxListBody,
	}
}

func (*Collector) Name() string    { return "live/containers" }
func (*Collector) Phase() int      { return 1 }
func (*Collector) NeedsLive() bool { return true }

// Collect merges the three sources; each container is reported once, by
// the richest source that knows it (Docker, then containerd, then cgroups).
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	var out []model.Container
	known := map[string]bool{}
	add := func(cs []model.Container) {
		for _, ct := range cs {
			if !known[ct.ID] {
				known[ct.ID] = true
				out = append(out, ct)
			}
		}
	}
	add(c.dockerContainers(ctx, env))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	add(c.containerdContainers(ctx, env, known, pidChecker(env)))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	add(cgroupOnly(env.Prior, known))
	slices.SortFunc(out, func(a, b model.Container) int {
		return cmp.Or(cmp.Compare(a.Runtime, b.Runtime), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.ID, b.ID))
	})
	return &model.Inventory{Containers: out}, nil
}

// cgroupOnly reports container ids found in process cgroups that no runtime
// API described, with the lowest pid seen (normally the container's init).
func cgroupOnly(prior *model.Inventory, known map[string]bool) []model.Container {
	if prior == nil {
		return nil
	}
	lowest := map[string]int{}
	for _, p := range prior.Processes {
		if p.ContainerID == "" || known[p.ContainerID] {
			continue
		}
		if pid, ok := lowest[p.ContainerID]; !ok || p.PID < pid {
			lowest[p.ContainerID] = p.PID
		}
	}
	out := make([]model.Container, 0, len(lowest))
	for id, pid := range lowest {
		out = append(out, model.Container{ID: id, Runtime: "cgroup", State: "running", PID: pid})
	}
	return out
}

// pidChecker answers "is this pid running?" from the phase-0 process list
// when there is one, else from ProcRoot on the live host. known is false
// when neither can tell.
func pidChecker(env *inventory.Env) func(int) (running, known bool) {
	if env.Prior != nil && len(env.Prior.Processes) > 0 {
		pids := make(map[int]bool, len(env.Prior.Processes))
		for _, p := range env.Prior.Processes {
			pids[p.PID] = true
		}
		return func(pid int) (bool, bool) { return pids[pid], true }
	}
	if env.Live {
		procRoot := cmp.Or(env.ProcRoot, "/proc")
		return func(pid int) (bool, bool) {
			_, err := os.Stat(path.Join(procRoot, strconv.Itoa(pid)))
			return err == nil, true
		}
	}
	return func(int) (bool, bool) { return false, false }
}
