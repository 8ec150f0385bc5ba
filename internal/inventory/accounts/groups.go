package accounts

import (
	"io"
	"sort"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/accounts/parse"
	"github.com/ward-sec/ward/internal/model"
)

// groupIndex answers "which groups is this user in" from /etc/group.
type groupIndex struct {
	list     []model.Group // sorted by GID, then name
	nameOf   map[int]string
	memberOf map[string][]parse.GroupEntry
}

func readGroups(env *inventory.Env) *groupIndex {
	var entries []parse.GroupEntry
	streamFile(env, groupFile, maxAccountDB, func(r io.Reader) error {
		var errs []parse.LineError
		var err error
		entries, errs, err = parse.ParseGroup(r)
		warnLines(env, groupFile, errs)
		return err
	})
	idx := &groupIndex{nameOf: map[int]string{}, memberOf: map[string][]parse.GroupEntry{}}
	seen := map[string]bool{}
	for _, g := range entries {
		if seen[g.Name] {
			env.Warnf(groupFile, "line %d: duplicate group %q ignored (the first one is used)", g.Line, g.Name)
			continue
		}
		seen[g.Name] = true
		if _, ok := idx.nameOf[g.GID]; !ok {
			idx.nameOf[g.GID] = g.Name
		}
		for _, m := range g.Members {
			idx.memberOf[m] = append(idx.memberOf[m], g)
		}
		idx.list = append(idx.list, model.Group{Name: g.Name, GID: g.GID, Members: g.Members})
	}
	sort.SliceStable(idx.list, func(i, j int) bool {
		a, b := idx.list[i], idx.list[j]
		if a.GID != b.GID {
			return a.GID < b.GID
		}
		return a.Name < b.Name
	})
	return idx
}

// of lists a user's group names, primary first, then supplementary ones
// by name, and all their GIDs.
func (idx *groupIndex) of(e parse.PasswdEntry) ([]string, []int) {
	var names []string
	gids := []int{e.GID}
	primary, ok := idx.nameOf[e.GID]
	if ok {
		names = append(names, primary)
	}
	var extra []string
	seen := map[string]bool{primary: ok}
	for _, g := range idx.memberOf[e.Name] {
		gids = append(gids, g.GID)
		if !seen[g.Name] {
			seen[g.Name] = true
			extra = append(extra, g.Name)
		}
	}
	sort.Strings(extra)
	return append(names, extra...), gids
}
