package container

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// Caps for files in a containerd bundle.
const (
	maxOCIConfig = 8 << 20
	maxPIDFile   = 64
)

// containerdContainers reads the runtime state directories of containerd's
// shims (<dir>/<namespace>/<id>/{config.json,init.pid}) through the root
// filesystem, so no gRPC client is needed. Containers in skip (already
// reported by Docker, which runs its containers in the "moby" namespace)
// are left out. Bundles exist while a task does, so these are live or
// just-stopped containers.
func (c *Collector) containerdContainers(ctx context.Context, env *inventory.Env, skip map[string]bool, alive func(int) (bool, bool)) []model.Container {
	var out []model.Container
	for _, dir := range c.ContainerdTaskDirs {
		namespaces, err := env.FS.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				env.Warn(dir, err)
			}
			continue
		}
		for _, ns := range namespaces {
			if !ns.IsDir() {
				continue
			}
			nsDir := path.Join(dir, ns.Name())
			ids, err := env.FS.ReadDir(nsDir)
			if err != nil {
				env.Warn(nsDir, err)
				continue
			}
			for _, id := range ids {
				if ctx.Err() != nil {
					return out
				}
				if !id.IsDir() || skip[id.Name()] {
					continue
				}
				if len(out) == maxContainers {
					env.Warnf(dir, "more than %d containerd tasks; the rest are not recorded", maxContainers)
					return out
				}
				if ct, ok := readBundle(env, path.Join(nsDir, id.Name()), alive); ok {
					ct.ID, ct.Namespace = id.Name(), ns.Name()
					out = append(out, ct)
				}
			}
		}
	}
	return out
}

// readBundle reads one task bundle; ok is false when it has no config.
func readBundle(env *inventory.Env, dir string, alive func(int) (bool, bool)) (model.Container, bool) {
	cfgPath := dir + "/config.json"
	data, err := env.FS.ReadFile(cfgPath, maxOCIConfig)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) { // gone: the task was being deleted
			env.Warn(cfgPath, err)
		}
		return model.Container{}, false
	}
	ct, err := parseOCIConfig(data)
	if err != nil {
		env.Warn(cfgPath, err)
		return model.Container{}, false
	}
	pidPath := dir + "/init.pid"
	if raw, err := env.FS.ReadFile(pidPath, maxPIDFile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && pid > 0 {
			ct.PID = pid
		} else {
			env.Warnf(pidPath, "not a pid: %q", truncate(strings.TrimSpace(string(raw)), 32))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		env.Warn(pidPath, err)
	}
	if ct.PID > 0 {
		if running, known := alive(ct.PID); known && running {
			ct.State = "running"
		} else if known {
			ct.State = "stopped"
		}
	}
	return ct, true
}
