// Package scan runs a local scan: inventory collectors over a root, then
// the detectors that work from the inventory. `ward scan` and the agent's
// scan tasks both go through here.
package scan

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/posture"
	"github.com/ward-sec/ward/internal/rootfs"
)

// Options for one scan.
type Options struct {
	Root       string // "/" for this host
	Excludes   []string
	MaxDepth   int
	Collectors []inventory.Collector
	// Only, when set, keeps collectors whose name is listed or whose class
	// (the part before "/") is listed.
	Only     []string
	Progress inventory.Progress
	// ProcRoot overrides /proc (tests).
	ProcRoot string
	// Detectors run after the inventory, in order (none: inventory and
	// posture findings only).
	Detectors []Detector
	// Log receives detectors' diagnostics (default: discarded).
	Log *slog.Logger
}

// Version of this build, from the module's build info.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Select filters collectors by name or class.
func Select(all []inventory.Collector, only []string) ([]inventory.Collector, error) {
	if len(only) == 0 {
		return all, nil
	}
	var out []inventory.Collector
	used := map[string]bool{}
	for _, c := range all {
		class, _, _ := strings.Cut(c.Name(), "/")
		for _, o := range only {
			if o == c.Name() || o == class {
				out = append(out, c)
				used[o] = true
				break
			}
		}
	}
	for _, o := range only {
		if !used[o] {
			var names []string
			for _, c := range all {
				names = append(names, c.Name())
			}
			return nil, fmt.Errorf("unknown collector %q (have: %s)", o, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// Run scans and evaluates. Collector failures are recorded in the result,
// not returned: only an unusable root is an error.
func Run(ctx context.Context, opts Options) (*model.ScanResult, error) {
	root := opts.Root
	if root == "" {
		root = "/"
	}
	fsys, err := rootfs.Open(root)
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	collectors, err := Select(opts.Collectors, opts.Only)
	if err != nil {
		return nil, err
	}
	env := inventory.NewEnv(fsys)
	if opts.ProcRoot != "" {
		env.ProcRoot = opts.ProcRoot
	}
	env.Walk = rootfs.WalkOptions{Excludes: opts.Excludes, MaxDepth: opts.MaxDepth}
	inv := inventory.Run(ctx, env, collectors, inventory.RunOptions{Progress: opts.Progress})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &model.ScanResult{
		Tool:      model.ToolInfo{Name: "ward", Version: Version()},
		Inventory: inv,
		Findings:  posture.Evaluate(inv),
	}
	if len(opts.Detectors) > 0 {
		log := opts.Log
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		denv := &DetectEnv{FS: fsys, Root: root, Live: env.Live, ProcRoot: env.ProcRoot, Inventory: inv, Log: log}
		found, runs := runDetectors(ctx, denv, opts.Detectors)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res.Findings = append(res.Findings, found...)
		res.Detections = runs
	}
	return res, nil
}
