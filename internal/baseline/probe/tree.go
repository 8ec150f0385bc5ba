package probe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/rootfs"
)

// maxTreeEntries bounds one tree probe; beyond it the probe is an error
// (incomplete), never a pass.
const maxTreeEntries = 50000

var errTreeLimit = errors.New("entry limit reached")

func (t *Target) tree(p *policy.TreeProbe) Result {
	d := t.db()
	if p.Find != "world-writable" && (d.pwErr != nil || d.grErr != nil) {
		return errorf("%v", errors.Join(d.pwErr, d.grErr))
	}
	uids, gids := map[uint32]bool{}, map[uint32]bool{}
	for _, u := range d.users {
		uids[uint32(u.uid)] = true
	}
	for _, g := range d.groups {
		gids[uint32(g.gid)] = true
	}
	ctx := t.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	var found []string
	n, walkErrs := 0, 0
	for _, start := range p.Paths {
		if _, err := t.FS.Lstat(start); err != nil {
			if isNotExist(err) {
				continue
			}
			return errorf("cannot stat %s: %v", start, err)
		}
		err := t.FS.Walk(ctx, start, rootfs.WalkOptions{MaxDepth: p.MaxDepth, Excludes: p.Exclude}, func(path string, e fs.DirEntry) error {
			n++
			if n > maxTreeEntries {
				return errTreeLimit
			}
			if e.Type()&fs.ModeSymlink != 0 {
				return nil
			}
			fi, err := e.Info()
			if err != nil {
				return nil
			}
			uid, gid, _ := rootfs.Owner(fi)
			bad := false
			switch p.Find {
			case "world-writable":
				m := fi.Mode()
				bad = m.Perm()&0o002 != 0 && (m.IsRegular() || (m.IsDir() && m&fs.ModeSticky == 0))
			case "unowned":
				bad = !uids[uid]
			case "ungrouped":
				bad = !gids[gid]
			}
			if bad && len(found) < 20 {
				found = append(found, fmt.Sprintf("%s %04o %d:%d", path, unixMode(fi.Mode()), uid, gid))
			} else if bad {
				found = append(found[:20], "...")
			}
			return nil
		}, func(string, error) { walkErrs++ })
		if errors.Is(err, errTreeLimit) {
			return errorf("more than %d entries under %v: narrow the paths", maxTreeEntries, p.Paths)
		}
		if err != nil {
			return errorf("walk %s: %v", start, err)
		}
	}
	if len(found) > 0 {
		return fail(fmt.Sprintf("%s entries found", p.Find), found...)
	}
	if walkErrs > 0 {
		return errorf("%d directories could not be read under %v", walkErrs, p.Paths)
	}
	return pass(fmt.Sprintf("no %s entries among %d under %v", p.Find, n, p.Paths))
}
