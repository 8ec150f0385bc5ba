package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Fleet vulnerability matching reads stored packages by name across all
// hosts (software → host_software, both indexed) and writes findings of
// the "vuln" scope without an agent message: after an inventory arrives
// (ReplaceFindings, the host's whole set) and after new advisories are
// imported (UpdateFindings, only the packages the advisories name).

// SoftwareFilter preselects software rows in SQL: rows of Type whose name
// is in Names or whose source package is in SourceNames, or every row of
// Type with AllOfType (for names the database cannot normalise, such as
// PyPI's). The caller's accept function then decides per row.
type SoftwareFilter struct {
	Type        model.PackageType
	Names       []string
	SourceNames []string
	Groups      []string // with Names: Maven groupId must be one of these
	AllOfType   bool
}

// VulnHost is a host's release and the package records of it a re-match
// looks at.
type VulnHost struct {
	HostID    int64
	Hostname  string
	OSID      string
	OSVersion string
	Packages  []model.Package
}

// inChunk bounds the values of one IN list.
const inChunk = 5000

// HostsWithPackages returns, host by host (ordered by id), the package
// records of the software rows that the filters select and accept keeps.
// accept is called once per distinct software row, not per host.
func (s *Store) HostsWithPackages(ctx context.Context, filters []SoftwareFilter, accept func(*model.Package) bool) ([]VulnHost, error) {
	r := s.reader()
	pkgs := map[int64]*model.Package{}
	var ids []int64
	for _, f := range filters {
		if err := selectSoftware(ctx, r, f, func(id int64, p *model.Package) {
			if _, dup := pkgs[id]; dup || (accept != nil && !accept(p)) {
				return
			}
			pkgs[id] = p
			ids = append(ids, id)
		}); err != nil {
			return nil, err
		}
	}
	slices.Sort(ids)
	hosts := map[int64]*VulnHost{}
	for lo := 0; lo < len(ids); lo += inChunk {
		chunk := ids[lo:min(lo+inChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := r.query(ctx, `
			SELECT hs.host_id, h.hostname, h.os_id, h.os_version, hs.software_id, hs.location, hs.state, hs.n
			FROM host_software hs JOIN hosts h ON h.id = hs.host_id
			WHERE hs.software_id IN `+placeholders(len(chunk)), args...)
		if err != nil {
			return nil, fmt.Errorf("hosts with packages: %w", err)
		}
		for rows.Next() {
			var hid, sid int64
			var hostname, osID, osVer, loc, state string
			var n int
			if err := rows.Scan(&hid, &hostname, &osID, &osVer, &sid, &loc, &state, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("hosts with packages: %w", err)
			}
			h := hosts[hid]
			if h == nil {
				h = &VulnHost{HostID: hid, Hostname: hostname, OSID: osID, OSVersion: osVer}
				hosts[hid] = h
			}
			p := *pkgs[sid]
			p.Location, p.State = loc, state
			for range max(n, 1) {
				h.Packages = append(h.Packages, p)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("hosts with packages: %w", err)
		}
	}
	out := make([]VulnHost, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b VulnHost) int { return cmp.Compare(a.HostID, b.HostID) })
	return out, nil
}

func selectSoftware(ctx context.Context, r db, f SoftwareFilter, each func(int64, *model.Package)) error {
	if f.Type == "" {
		return errors.New("software filter without a type")
	}
	type cond struct {
		col  string // "" selects every row of the type
		vals []string
	}
	var conds []cond
	if f.AllOfType {
		conds = append(conds, cond{})
	} else {
		for lo := 0; lo < len(f.Names); lo += inChunk {
			conds = append(conds, cond{"name", f.Names[lo:min(lo+inChunk, len(f.Names))]})
		}
		for lo := 0; lo < len(f.SourceNames); lo += inChunk {
			conds = append(conds, cond{"source_name", f.SourceNames[lo:min(lo+inChunk, len(f.SourceNames))]})
		}
	}
	for _, c := range conds {
		q := `SELECT id, data FROM software WHERE type = ?`
		args := []any{string(f.Type)}
		if c.col != "" {
			q += ` AND ` + c.col + ` IN ` + placeholders(len(c.vals))
			for _, v := range c.vals {
				args = append(args, v)
			}
		}
		rows, err := r.query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("select software: %w", err)
		}
		for rows.Next() {
			var id int64
			var data string
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return fmt.Errorf("select software: %w", err)
			}
			p := &model.Package{}
			if err := json.Unmarshal([]byte(data), p); err != nil {
				rows.Close()
				return fmt.Errorf("select software: decode %d: %w", id, err)
			}
			if len(f.Groups) > 0 && !slices.Contains(f.Groups, p.Group) {
				continue
			}
			each(id, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("select software: %w", err)
		}
	}
	return nil
}

// ReplaceFindings stores the complete findings of one scope of a host, as
// IngestFindings does, for results computed on the server (no agent
// message, so no message id is recorded).
func (s *Store) ReplaceFindings(ctx context.Context, hostID int64, scope string, findings []model.Finding) error {
	if strings.TrimSpace(scope) == "" {
		return errors.New("replace findings: empty scope")
	}
	rows, err := prepareFindings(hostID, scope, findings)
	if err != nil {
		return fmt.Errorf("replace findings of host %d: %w", hostID, err)
	}
	return s.tx(ctx, func(tx db) error {
		if _, err := lockHosts(ctx, tx, []int64{hostID}); err != nil {
			return err
		}
		g := newFindingsGroup()
		g.add(hostScope{hostID, scope}, rows)
		return g.flush(ctx, tx, s.clock())
	})
}

// UpdateStats counts what UpdateFindings did.
type UpdateStats struct {
	Upserted int64 // findings written (new, or seen again)
	Resolved int64 // open findings of the asset prefixes no longer found
}

// Resolve says which findings an update replaces: the open findings of
// these hosts with one of these rules (the advisories imported).
type Resolve struct {
	Hosts []int64
	Rules []string
}

// UpdateFindings changes part of a scope's findings for many hosts at
// once: every finding in found is written (new ones open, known ones
// refreshed, resolved ones reopened), then the open findings of scope that
// res selects and that were not just written are resolved. Other findings
// are untouched: that is how a few new advisories update a fleet without
// rewriting every host's findings.
func (s *Store) UpdateFindings(ctx context.Context, scope string, found map[int64][]model.Finding, res Resolve) (UpdateStats, error) {
	var st UpdateStats
	if strings.TrimSpace(scope) == "" {
		return st, errors.New("update findings: empty scope")
	}
	var all []findingRow
	for _, h := range slices.Sorted(mapKeys(found)) {
		rows, err := prepareFindings(h, scope, found[h])
		if err != nil {
			return st, fmt.Errorf("update findings of host %d: %w", h, err)
		}
		all = append(all, rows...)
	}
	inHosts := make(map[int64]bool, len(res.Hosts))
	for _, h := range res.Hosts {
		inHosts[h] = true
	}
	written := make(map[hostFinding]bool, len(all))
	for _, r := range all {
		written[hostFinding{r.hostID, r.f.ID}] = true
	}
	rules := slices.Clone(res.Rules)
	slices.Sort(rules)
	rules = slices.Compact(rules)
	err := s.tx(ctx, func(tx db) error {
		st = UpdateStats{}
		now := s.clock()
		// The open findings of the rules before the update (few for a new
		// advisory): those not written again are the ones to resolve.
		var stale []hostFinding
		for lo := 0; lo < len(rules); lo += 500 {
			chunk := rules[lo:min(lo+500, len(rules))]
			args := []any{scope}
			for _, r := range chunk {
				args = append(args, r)
			}
			rows, err := tx.query(ctx, `SELECT host_id, finding_id FROM findings
				WHERE scope = ? AND status = 'open' AND rule IN `+placeholders(len(chunk)), args...)
			if err != nil {
				return fmt.Errorf("findings of the rules: %w", err)
			}
			for rows.Next() {
				var k hostFinding
				if err := rows.Scan(&k.host, &k.id); err != nil {
					rows.Close()
					return fmt.Errorf("findings of the rules: %w", err)
				}
				if inHosts[k.host] && !written[k] {
					stale = append(stale, k)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("findings of the rules: %w", err)
			}
		}
		token := rand.Int64()
		err := tx.bulk(ctx, findingsInsert, len(all), func(i int, dst []any) []any {
			r := &all[i]
			f := r.f
			return append(dst, r.hostID, f.ID, r.scope, string(f.Kind), f.Rule, int64(f.Severity), f.Title,
				f.Asset.Type, f.Asset.ID, f.Asset.Path, r.detail, string(FindingOpen), now, now, token)
		}, nil)
		if err != nil {
			return fmt.Errorf("upsert findings: %w", err)
		}
		st.Upserted = int64(len(all))
		cols := []bulkCol{{"host_id", colInt}, {"finding_id", colText}}
		per := tx.d.tupleChunk(len(cols))
		for lo := 0; lo < len(stale); lo += per {
			hi := min(lo+per, len(stale))
			set, args := tx.d.tupleSet(cols, lo, hi, func(i int, dst []any) []any {
				return append(dst, stale[i].host, stale[i].id)
			})
			r, err := tx.exec(ctx, `UPDATE findings SET status = 'resolved', resolved_at = ?
				WHERE status = 'open' AND (host_id, finding_id) IN `+set, append([]any{now}, args...)...)
			if err != nil {
				return fmt.Errorf("resolve findings: %w", err)
			}
			n, _ := r.RowsAffected()
			st.Resolved += n
		}
		return nil
	})
	return st, err
}

func mapKeys[V any](m map[int64]V) func(func(int64) bool) {
	return func(yield func(int64) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// OpenFindingsByRules lists the open findings of scope whose rule is one
// of rules, ordered by host and finding id, after (afterHost,
// afterFinding), at most limit (default 1000).
func (s *Store) OpenFindingsByRules(ctx context.Context, scope string, rules []string, afterHost int64, afterFinding string, lim int) ([]FindingRecord, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	if len(rules) > 500 {
		return nil, fmt.Errorf("findings by rule: %d rules, at most 500", len(rules))
	}
	args := []any{scope}
	for _, r := range rules {
		args = append(args, r)
	}
	args = append(args, afterHost, afterHost, afterFinding, limit(lim))
	rows, err := s.reader().query(ctx, `SELECT `+findingCols+` FROM findings
		WHERE scope = ? AND status = 'open' AND rule IN `+placeholders(len(rules))+`
		AND (host_id > ? OR (host_id = ? AND finding_id > ?))
		ORDER BY host_id, finding_id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("findings by rule: %w", err)
	}
	defer rows.Close()
	var out []FindingRecord
	for rows.Next() {
		r, err := scanFinding(rows)
		if err != nil {
			return nil, fmt.Errorf("findings by rule: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// HostProcesses loads the processes and services of hosts (for restart
// impact), keyed by host id; hosts without them are absent.
func (s *Store) HostProcesses(ctx context.Context, hostIDs []int64) (map[int64]*model.Inventory, error) {
	out := map[int64]*model.Inventory{}
	procs, _ := classByName("processes")
	svcs, _ := classByName("services")
	for lo := 0; lo < len(hostIDs); lo += inChunk {
		chunk := hostIDs[lo:min(lo+inChunk, len(hostIDs))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.reader().query(ctx, `SELECT host_id, class, data FROM host_inventory
			WHERE class IN ('processes', 'services') AND host_id IN `+placeholders(len(chunk)), args...)
		if err != nil {
			return nil, fmt.Errorf("host processes: %w", err)
		}
		for rows.Next() {
			var id int64
			var name, data string
			if err := rows.Scan(&id, &name, &data); err != nil {
				rows.Close()
				return nil, fmt.Errorf("host processes: %w", err)
			}
			inv := out[id]
			if inv == nil {
				inv = &model.Inventory{}
				out[id] = inv
			}
			c := procs
			if name == "services" {
				c = svcs
			}
			if err := json.Unmarshal([]byte(data), c.field(inv).Addr().Interface()); err != nil {
				rows.Close()
				return nil, fmt.Errorf("host %d %s: %w", id, name, err)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("host processes: %w", err)
		}
	}
	return out, nil
}

// HostPackagesNamed returns a host's package records whose name or source
// package is name.
func (s *Store) HostPackagesNamed(ctx context.Context, hostID int64, name string) ([]model.Package, error) {
	rows, err := s.reader().query(ctx, `
		SELECT s.data, hs.location, hs.state
		FROM host_software hs JOIN software s ON s.id = hs.software_id
		WHERE hs.host_id = ? AND (s.name = ? OR s.source_name = ?)`, hostID, name, name)
	if err != nil {
		return nil, fmt.Errorf("packages of host %d: %w", hostID, err)
	}
	defer rows.Close()
	var out []model.Package
	for rows.Next() {
		var data, loc, state string
		if err := rows.Scan(&data, &loc, &state); err != nil {
			return nil, fmt.Errorf("packages of host %d: %w", hostID, err)
		}
		var p model.Package
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			return nil, fmt.Errorf("packages of host %d: %w", hostID, err)
		}
		p.Location, p.State = loc, state
		out = append(out, p)
	}
	return out, rows.Err()
}

// HostIDsWithInventory lists the hosts holding an inventory, by id.
func (s *Store) HostIDsWithInventory(ctx context.Context) ([]int64, error) {
	rows, err := s.reader().query(ctx, `SELECT id FROM hosts WHERE inventory_at IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("hosts with inventory: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("hosts with inventory: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// HostPackages is the part of a host's inventory vulnerability matching
// reads: the host record (its release) and the packages. It is
// ErrNotFound for a host without an inventory.
func (s *Store) HostPackages(ctx context.Context, hostID int64) (*model.Inventory, error) {
	var inv *model.Inventory
	err := s.readTx(ctx, func(tx db) error {
		var at time.Time
		err := tx.queryRow(ctx, `SELECT inventory_at FROM hosts WHERE id = ?`, hostID).Scan(ts(&at))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && at.IsZero()) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		inv = &model.Inventory{}
		var data string
		err = tx.queryRow(ctx, `SELECT data FROM host_inventory WHERE host_id = ? AND class = 'host'`, hostID).Scan(&data)
		switch {
		case err == nil:
			if err := json.Unmarshal([]byte(data), &inv.Host); err != nil {
				return fmt.Errorf("decode host: %w", err)
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		rows, err := tx.query(ctx, `
			SELECT s.data, hs.location, hs.state, hs.n
			FROM host_software hs JOIN software s ON s.id = hs.software_id
			WHERE hs.host_id = ?`, hostID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var loc, state string
			var n int
			if err := rows.Scan(&data, &loc, &state, &n); err != nil {
				return err
			}
			var p model.Package
			if err := json.Unmarshal([]byte(data), &p); err != nil {
				return fmt.Errorf("decode package: %w", err)
			}
			p.Location, p.State = loc, state
			for range max(n, 1) {
				inv.Packages = append(inv.Packages, p)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("packages of host %d: %w", hostID, err)
	}
	return inv, nil
}

// HostsWithOpenFindings lists the hosts with an open finding of scope
// whose rule is one of rules.
func (s *Store) HostsWithOpenFindings(ctx context.Context, scope string, rules []string) ([]int64, error) {
	seen := map[int64]bool{}
	for lo := 0; lo < len(rules); lo += 500 {
		chunk := rules[lo:min(lo+500, len(rules))]
		args := []any{scope}
		for _, r := range chunk {
			args = append(args, r)
		}
		rows, err := s.reader().query(ctx, `SELECT DISTINCT host_id FROM findings
			WHERE scope = ? AND status = 'open' AND rule IN `+placeholders(len(chunk)), args...)
		if err != nil {
			return nil, fmt.Errorf("hosts with findings: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("hosts with findings: %w", err)
			}
			seen[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("hosts with findings: %w", err)
		}
	}
	return slices.Sorted(mapKeys(seen)), nil
}
