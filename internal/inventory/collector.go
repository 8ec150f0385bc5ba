// Package inventory runs asset collectors over a root filesystem (and, on the
// running host, live sources such as /proc) and merges what they find into
// one model.Inventory. Each collector lives in its own sub-package.
package inventory

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// Collector gathers one class of assets.
type Collector interface {
	// Name is stable, "class/name" (e.g. "os/dpkg", "live/processes").
	Name() string
	// Phase orders collectors: phase 0 reads only the root (and live
	// sources); phase 1 may also read what phase 0 found (env.Prior).
	Phase() int
	// NeedsLive is true for collectors that read the running system (/proc,
	// sockets, container runtimes); they are skipped when scanning --root DIR.
	NeedsLive() bool
	// Collect returns a fragment holding only this collector's records. A
	// returned error means the collector failed as a whole; problems with
	// single files go to env.Warn and collection goes on.
	Collect(ctx context.Context, env *Env) (*model.Inventory, error)
}

// Limits bound the work of file-walking collectors.
type Limits struct {
	MaxFileSize       int64 // files larger than this are not parsed (bytes)
	MaxArchiveDepth   int   // nested archive levels (jar in jar...)
	MaxArchiveEntries int   // entries read from one archive
	MaxUncompressed   int64 // bytes inflated from one archive entry
}

// DefaultLimits are sized for production hosts: a few MB of RSS per file.
var DefaultLimits = Limits{
	MaxFileSize:       512 << 20,
	MaxArchiveDepth:   3,
	MaxArchiveEntries: 100000,
	MaxUncompressed:   64 << 20,
}

// Env is what a collector may read.
type Env struct {
	FS *rootfs.FS
	// Live is true when FS is the running system's "/" and live sources may be read.
	Live bool
	// ProcRoot is where /proc is mounted (tests point it at a fixture tree).
	ProcRoot string
	// Walk bounds whole-tree walks.
	Walk   rootfs.WalkOptions
	Limits Limits
	// Prior holds what earlier phases found; nil in phase 0. Read only.
	Prior *model.Inventory

	name string
	mu   *sync.Mutex
	warn *[]model.Warning
}

// NewEnv returns an Env for fs with default limits; live when fs is "/".
func NewEnv(root *rootfs.FS) *Env {
	return &Env{FS: root, Live: root.IsLive(), ProcRoot: "/proc", Limits: DefaultLimits}
}

// Warn records a non-fatal problem with one file or item.
func (e *Env) Warn(path string, err error) {
	if err == nil {
		return
	}
	w := model.Warning{Collector: e.name, Path: path, Message: err.Error()}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		// Avoid "open /x: /x: ..." noise: the path is already in Path.
		w.Message = pe.Op + ": " + pe.Err.Error()
	}
	if e.mu == nil {
		return
	}
	e.mu.Lock()
	*e.warn = append(*e.warn, w)
	e.mu.Unlock()
}

// Warnf records a non-fatal problem described by a format.
func (e *Env) Warnf(path, format string, args ...any) {
	e.Warn(path, fmt.Errorf(format, args...))
}

// forCollector gives each collector its own view with its name on warnings.
func (e *Env) forCollector(name string, prior *model.Inventory, mu *sync.Mutex, warn *[]model.Warning) *Env {
	c := *e
	c.name = name
	c.Prior = prior
	c.mu = mu
	c.warn = warn
	return &c
}

// TestEnv returns an Env whose warnings are collected into the returned
// slice pointer; for collector tests.
func TestEnv(root *rootfs.FS, name string) (*Env, *[]model.Warning) {
	w := &[]model.Warning{}
	e := NewEnv(root).forCollector(name, nil, &sync.Mutex{}, w)
	return e, w
}
