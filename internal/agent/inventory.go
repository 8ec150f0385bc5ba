package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ward-sec/ward/internal/agent/spool"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
)

// errDiffer marks a failure of the Differ.
var errDiffer = errors.New("inventory delta")

// inventory runs an inventory task: scan under the limits, then report the
// inventory (full or delta) and the posture findings.
func (a *Agent) inventory(ctx context.Context, t TaskMessage) error {
	var p InventoryParams
	if len(bytes.TrimSpace(t.Params)) > 0 && string(bytes.TrimSpace(t.Params)) != "null" {
		if err := json.Unmarshal(t.Params, &p); err != nil {
			return fmt.Errorf("inventory task params: %w", err)
		}
	}
	res, err := a.scan(ctx)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	next, err := newSnapshot(res.Inventory)
	if err != nil {
		return err
	}
	var base *snapshot
	if !p.Full && !a.spool.NeedFull() {
		if base, err = a.base.load(); err != nil {
			a.log.Warn("agent: no usable inventory base; sending a full inventory", "err", err)
		}
	}
	err = a.putReport(t.RunID, base, next)
	if base != nil && (errors.Is(err, spool.ErrNeedFull) || errors.Is(err, errDiffer)) {
		// The spool had to drop the chain the delta builds on, or no delta
		// could be computed: a full report is always right.
		a.log.Warn("agent: sending a full inventory instead of a delta", "err", err)
		err = a.putReport(t.RunID, nil, next)
	}
	if err != nil {
		return fmt.Errorf("report inventory: %w", err)
	}
	// Always sent, even with no findings: the scope's set replaces the
	// open findings, so an empty one closes those that went away.
	m, err := a.encode(ResultMessage{RunID: t.RunID, Kind: KindFindings, Scope: ScopePosture, Findings: res.Findings})
	if err == nil {
		err = a.enqueue(m)
	}
	if err != nil {
		return fmt.Errorf("report findings: %w", err)
	}
	return nil
}

func (a *Agent) scan(ctx context.Context) (*model.ScanResult, error) {
	restore := a.opts.Limits.ForScan()
	defer restore()
	return scan.Run(ctx, a.opts.Scan)
}

// putReport spools the report turning base (nil: nothing, a full report)
// into next, and makes next the base of the following report.
func (a *Agent) putReport(runID string, base, next *snapshot) error {
	msgs, err := a.reportMessages(runID, base, next)
	if err != nil {
		return err
	}
	if err := a.base.prepare(next); err != nil {
		return err
	}
	for _, m := range msgs {
		if err := a.enqueue(m); err != nil {
			// Part of the report may be spooled: no base is right now.
			if rerr := a.base.reset(); rerr != nil {
				a.log.Error("agent: cannot reset inventory base", "err", rerr)
			}
			return err
		}
	}
	if err := a.base.commit(); err != nil {
		if rerr := a.base.reset(); rerr != nil {
			a.log.Error("agent: cannot reset inventory base", "err", rerr)
		}
		return err
	}
	return nil
}

// reportMessages encodes the report as one message if it fits, else splits
// it (see split.go).
func (a *Agent) reportMessages(runID string, base, next *snapshot) ([]outMsg, error) {
	m, err := a.reportStep(runID, base, next)
	if err != nil {
		return nil, err
	}
	if a.fits(m) {
		return []outMsg{m}, nil
	}
	a.log.Info("agent: inventory report over the message limit; splitting it by class", "bytes", len(m.payload), "limit", a.opts.MaxMessageBytes)
	return a.split(runID, base, next)
}

// reportStep encodes one step: a full inventory when base is nil, else the
// delta from base to next.
func (a *Agent) reportStep(runID string, base, next *snapshot) (outMsg, error) {
	if base == nil {
		return a.encode(ResultMessage{RunID: runID, Kind: KindInventory, Inventory: next.inv})
	}
	d, err := a.opts.Differ.Diff(base.inv, next.inv)
	if err != nil {
		return outMsg{}, fmt.Errorf("%w: %w", errDiffer, err)
	}
	return a.encode(ResultMessage{RunID: runID, Kind: KindInventoryDelta, Delta: d, BaseHash: base.hash})
}
