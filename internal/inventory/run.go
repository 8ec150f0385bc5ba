package inventory

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Progress is told when each collector starts and ends.
type Progress interface {
	Start(name string)
	Done(name string, run model.CollectorRun)
}

// RunOptions tune a run.
type RunOptions struct {
	// Parallel collectors at once; 0 means 4 (most are I/O bound).
	Parallel int
	Progress Progress
}

// Run executes collectors phase by phase, concurrently within a phase, and
// merges their fragments. A failing (or panicking) collector is recorded in
// Collectors and the others go on.
func Run(ctx context.Context, env *Env, collectors []Collector, opts RunOptions) *model.Inventory {
	inv := &model.Inventory{
		SchemaVersion: model.SchemaVersion,
		ScannedAt:     time.Now().UTC().Truncate(time.Second),
		Root:          env.FS.Root(),
		Live:          env.Live,
	}
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	phases := map[int][]Collector{}
	var order []int
	for _, c := range collectors {
		if _, ok := phases[c.Phase()]; !ok {
			order = append(order, c.Phase())
		}
		phases[c.Phase()] = append(phases[c.Phase()], c)
	}
	sort.Ints(order)

	var warnMu sync.Mutex
	var warnings []model.Warning
	for _, ph := range order {
		// Later phases read a snapshot of what is merged so far.
		prior := snapshot(inv)
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, parallel)
		for _, c := range phases[ph] {
			if !env.Live && c.NeedsLive() {
				mu.Lock() // collectors already started append to the same slice
				inv.Collectors = append(inv.Collectors, model.CollectorRun{Name: c.Name(), Status: "skipped", Reason: "needs the running system (scanning a root directory)"})
				mu.Unlock()
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func(c Collector) {
				defer wg.Done()
				defer func() { <-sem }()
				cenv := env.forCollector(c.Name(), prior, &warnMu, &warnings)
				if opts.Progress != nil {
					opts.Progress.Start(c.Name())
				}
				frag, run := runOne(ctx, c, cenv)
				mu.Lock()
				inv.Merge(frag)
				inv.Collectors = append(inv.Collectors, run)
				mu.Unlock()
				if opts.Progress != nil {
					opts.Progress.Done(c.Name(), run)
				}
			}(c)
		}
		wg.Wait()
	}
	AttributeFiles(inv)
	inv.Warnings = append(inv.Warnings, warnings...)
	sort.SliceStable(inv.Collectors, func(i, j int) bool { return inv.Collectors[i].Name < inv.Collectors[j].Name })
	sort.SliceStable(inv.Warnings, func(i, j int) bool {
		a, b := inv.Warnings[i], inv.Warnings[j]
		if a.Collector != b.Collector {
			return a.Collector < b.Collector
		}
		return a.Path < b.Path
	})
	return inv
}

func runOne(ctx context.Context, c Collector, env *Env) (frag *model.Inventory, run model.CollectorRun) {
	start := time.Now()
	run = model.CollectorRun{Name: c.Name(), Status: "ok"}
	defer func() {
		if r := recover(); r != nil {
			// A bug in one parser must not take the scan (or the agent) down.
			frag = nil
			run.Status = "failed"
			run.Reason = fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
		}
		run.DurationMS = time.Since(start).Milliseconds()
	}()
	frag, err := c.Collect(ctx, env)
	if err != nil {
		run.Status = "failed"
		run.Reason = err.Error()
	}
	if frag != nil {
		run.Items = frag.Count()
	}
	return frag, run
}

// snapshot copies the slice headers so later-phase readers never see a
// slice that a merge is appending to.
func snapshot(inv *model.Inventory) *model.Inventory {
	c := *inv
	c.Collectors = nil
	c.Warnings = nil
	return &c
}
