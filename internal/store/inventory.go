package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// hostSoftwareRow is one host_software row (a package record, n times).
type hostSoftwareRow struct {
	softwareID int64
	n          int
}

// pkgChange is the desired count of one package record of a host.
type pkgChange struct {
	n   int
	pkg *model.Package // set when the record may need inserting
}

// applyInventory writes a full inventory (full != nil) or a delta of a host
// whose current inventory is at cur. It returns the outcome and, for
// Applied, the new inventory time.
func (s *Store) applyInventory(ctx context.Context, tx db, hostID int64, cur time.Time, full *model.Inventory, delta *InventoryDelta) (Outcome, time.Time, error) {
	var newAt time.Time
	if full != nil {
		newAt = full.ScannedAt
	} else {
		newAt = delta.ScannedAt()
	}
	newAt = newAt.UTC().Truncate(time.Microsecond)
	if newAt.IsZero() {
		return Rejected, cur, errors.New("inventory without scanned_at")
	}
	if full != nil {
		if err := checkLimits(full.Packages, full); err != nil {
			return Rejected, cur, err
		}
	} else if err := checkLimits(delta.AddedPackages, &delta.Set); err != nil {
		return Rejected, cur, err
	}
	if !cur.IsZero() && newAt.Before(cur) {
		return Stale, cur, nil
	}
	if full == nil && !sameInstant(delta.BaseScannedAt, cur) {
		return Rejected, cur, fmt.Errorf("%w: delta base %s, held %s", ErrDeltaMismatch,
			delta.BaseScannedAt.UTC().Format(time.RFC3339Nano), cur.Format(time.RFC3339Nano))
	}

	// Packages: compare with what the host has, write only the difference.
	have, err := loadHostSoftware(ctx, tx, hostID)
	if err != nil {
		return 0, cur, err
	}
	want := map[pkgKey]*pkgChange{}
	if full != nil {
		for i := range full.Packages {
			p := &full.Packages[i]
			k := keyOf(p)
			if c := want[k]; c != nil {
				c.n++
			} else {
				want[k] = &pkgChange{n: 1, pkg: p}
			}
		}
	} else {
		for k, r := range have {
			want[k] = &pkgChange{n: r.n}
		}
		for _, r := range delta.RemovedPackages {
			c := want[pkgKey{r.Software, r.Location, r.State}]
			if c == nil || c.n == 0 {
				return Rejected, cur, fmt.Errorf("%w: removes package %s %s at %s, which is not there", ErrDeltaMismatch, r.Name, r.Version, r.Location)
			}
			c.n--
		}
		for i := range delta.AddedPackages {
			p := &delta.AddedPackages[i]
			k := keyOf(p)
			if c := want[k]; c != nil {
				c.n++
				if c.pkg == nil {
					c.pkg = p
				}
			} else {
				want[k] = &pkgChange{n: 1, pkg: p}
			}
		}
	}
	if err := writeHostSoftware(ctx, tx, hostID, have, want); err != nil {
		return 0, cur, err
	}

	// Every other class: the full inventory's, or the ones the delta replaces.
	var set []class
	src := full
	if full != nil {
		set = inventoryClasses
	} else {
		src = &delta.Set
		for _, name := range delta.Replace {
			if c, ok := classByName(name); ok {
				set = append(set, c)
			}
		}
	}
	now := s.clock()
	changed, err := writeClasses(ctx, tx, hostID, src, set, now)
	if err != nil {
		return 0, cur, err
	}
	if err := writeDerived(ctx, tx, hostID, src, changed); err != nil {
		return 0, cur, err
	}

	q := `UPDATE hosts SET inventory_at = ?, last_seen = ?`
	args := []any{newAt, now}
	if changed["host"] && src.Host != nil {
		h := src.Host
		q += `, hostname = ?, os_id = ?, os_version = ?, kernel = ?, arch = ?`
		args = append(args, h.Hostname, h.OS.ID, h.OS.Version, h.Kernel, h.Arch)
	}
	if _, err := tx.exec(ctx, q+` WHERE id = ?`, append(args, hostID)...); err != nil {
		return 0, cur, fmt.Errorf("update host: %w", err)
	}
	return Applied, newAt, nil
}

func loadHostSoftware(ctx context.Context, tx db, hostID int64) (map[pkgKey]hostSoftwareRow, error) {
	rows, err := tx.query(ctx, `
		SELECT s.digest, hs.software_id, hs.location, hs.state, hs.n
		FROM host_software hs JOIN software s ON s.id = hs.software_id
		WHERE hs.host_id = ?`, hostID)
	if err != nil {
		return nil, fmt.Errorf("load host software: %w", err)
	}
	defer rows.Close()
	have := map[pkgKey]hostSoftwareRow{}
	for rows.Next() {
		var k pkgKey
		var r hostSoftwareRow
		if err := rows.Scan(&k.software, &r.softwareID, &k.location, &k.state, &r.n); err != nil {
			return nil, fmt.Errorf("load host software: %w", err)
		}
		have[k] = r
	}
	return have, rows.Err()
}

// writeHostSoftware turns the host's rows have into want.
func writeHostSoftware(ctx context.Context, tx db, hostID int64, have map[pkgKey]hostSoftwareRow, want map[pkgKey]*pkgChange) error {
	type upd struct {
		softwareID int64
		software   string // digest
		loc, state string
		n          int
	}
	var del, ins, chg []upd
	for k, r := range have {
		c := want[k]
		switch {
		case c == nil || c.n == 0:
			del = append(del, upd{softwareID: r.softwareID, loc: k.location, state: k.state})
		case c.n != r.n:
			chg = append(chg, upd{softwareID: r.softwareID, loc: k.location, state: k.state, n: c.n})
		}
	}
	newSoftware := map[string]*model.Package{}
	for k, c := range want {
		if _, ok := have[k]; ok || c.n == 0 {
			continue
		}
		ins = append(ins, upd{software: k.software, loc: k.location, state: k.state, n: c.n})
		newSoftware[k.software] = c.pkg
	}
	// Deterministic statement order keeps lock order stable across replicas.
	sortUpd := func(a, b upd) int {
		return cmp.Or(cmp.Compare(a.softwareID, b.softwareID), cmp.Compare(a.loc, b.loc), cmp.Compare(a.state, b.state))
	}

	if len(del) > 0 {
		slices.SortFunc(del, sortUpd)
		cols := []bulkCol{{"software_id", colInt}, {"location", colText}, {"state", colText}}
		per := tx.d.tupleChunk(len(cols))
		for lo := 0; lo < len(del); lo += per {
			hi := min(lo+per, len(del))
			set, args := tx.d.tupleSet(cols, lo, hi, func(i int, dst []any) []any {
				return append(dst, del[i].softwareID, del[i].loc, del[i].state)
			})
			if _, err := tx.exec(ctx, `DELETE FROM host_software WHERE host_id = ? AND (software_id, location, state) IN `+set,
				append([]any{hostID}, args...)...); err != nil {
				return fmt.Errorf("delete host software: %w", err)
			}
		}
	}
	for _, u := range chg {
		if _, err := tx.exec(ctx, `UPDATE host_software SET n = ? WHERE host_id = ? AND software_id = ? AND location = ? AND state = ?`,
			u.n, hostID, u.softwareID, u.loc, u.state); err != nil {
			return fmt.Errorf("update host software: %w", err)
		}
	}
	if len(ins) == 0 {
		return nil
	}
	ids, err := softwareIDs(ctx, tx, newSoftware)
	if err != nil {
		return err
	}
	for i := range ins {
		ins[i].softwareID = ids[ins[i].software]
	}
	slices.SortFunc(ins, sortUpd)
	return tx.bulk(ctx, bulkInsert{
		table: "host_software",
		cols:  []bulkCol{{"host_id", colInt}, {"software_id", colInt}, {"location", colText}, {"state", colText}, {"n", colInt}},
	}, len(ins), func(i int, dst []any) []any {
		u := &ins[i]
		return append(dst, hostID, u.softwareID, u.loc, u.state, u.n)
	}, nil)
}

// softwareIDs returns the software row id of each software digest,
// inserting the rows that do not exist yet from their packages.
func softwareIDs(ctx context.Context, tx db, pkgs map[string]*model.Package) (map[string]int64, error) {
	digests := slices.Sorted(maps.Keys(pkgs))
	ids := make(map[string]int64, len(digests))
	lookup := func(list []string) error {
		const per = 500
		for lo := 0; lo < len(list); lo += per {
			chunk := list[lo:min(lo+per, len(list))]
			args := make([]any, len(chunk))
			for i, d := range chunk {
				args[i] = d
			}
			rows, err := tx.query(ctx, `SELECT id, digest FROM software WHERE digest IN `+placeholders(len(chunk)), args...)
			if err != nil {
				return fmt.Errorf("look up software: %w", err)
			}
			for rows.Next() {
				var id int64
				var d string
				if err := rows.Scan(&id, &d); err != nil {
					rows.Close()
					return fmt.Errorf("look up software: %w", err)
				}
				ids[d] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("look up software: %w", err)
			}
		}
		return nil
	}
	missing := func() []string {
		var out []string
		for _, d := range digests {
			if _, ok := ids[d]; !ok {
				out = append(out, d)
			}
		}
		return out
	}
	if err := lookup(digests); err != nil {
		return nil, err
	}
	add := missing()
	data := make([]string, len(add))
	for i, d := range add {
		q := *pkgs[d]
		q.Location, q.State, q.Files = "", "", nil
		b, err := json.Marshal(&q)
		if err != nil {
			return nil, fmt.Errorf("marshal package %s: %w", q.Name, err)
		}
		data[i] = string(b)
	}
	err := tx.bulk(ctx, bulkInsert{
		table: "software",
		cols: []bulkCol{{"digest", colText}, {"type", colText}, {"name", colText}, {"version", colText},
			{"pkg_group", colText}, {"arch", colText}, {"source_name", colText}, {"source_version", colText},
			{"purl", colText}, {"data", colJSON}},
		suffix: `ON CONFLICT (digest) DO NOTHING RETURNING id, digest`,
	}, len(add), func(i int, dst []any) []any {
		p := pkgs[add[i]]
		return append(dst, add[i], string(p.Type), p.Name, p.Version, p.Group, p.Arch, p.SourceName, p.SourceVersion, p.PURL, data[i])
	}, func(rows *sql.Rows) error {
		var id int64
		var d string
		if err := rows.Scan(&id, &d); err != nil {
			return err
		}
		ids[d] = id
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Rows another transaction inserted meanwhile (DO NOTHING returned none).
	if rest := missing(); len(rest) > 0 {
		if err := lookup(rest); err != nil {
			return nil, err
		}
		if rest = missing(); len(rest) > 0 {
			p := pkgs[rest[0]]
			return nil, fmt.Errorf("software %s %s: no row after insert", p.Name, p.Version)
		}
	}
	return ids, nil
}

// writeClasses stores the classes set of src that differ from what the host
// has, and returns the names of those that changed.
func writeClasses(ctx context.Context, tx db, hostID int64, src *model.Inventory, set []class, now time.Time) (map[string]bool, error) {
	stored := map[string]string{}
	rows, err := tx.query(ctx, `SELECT class, digest FROM host_inventory WHERE host_id = ?`, hostID)
	if err != nil {
		return nil, fmt.Errorf("load inventory classes: %w", err)
	}
	for rows.Next() {
		var c, d string
		if err := rows.Scan(&c, &d); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load inventory classes: %w", err)
		}
		stored[c] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load inventory classes: %w", err)
	}

	type upsert struct{ class, digest, data string }
	var ups []upsert
	var dels []any
	changed := map[string]bool{}
	for _, c := range set {
		v := c.field(src)
		old, had := stored[c.name]
		if v.IsZero() {
			if had {
				dels = append(dels, c.name)
				changed[c.name] = true
			}
			continue
		}
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return nil, fmt.Errorf("marshal %s: %w", c.name, err)
		}
		d := digest(b)
		if had && d == old {
			continue
		}
		ups = append(ups, upsert{c.name, d, string(b)})
		changed[c.name] = true
	}
	if len(dels) > 0 {
		if _, err := tx.exec(ctx, `DELETE FROM host_inventory WHERE host_id = ? AND class IN `+placeholders(len(dels)),
			append([]any{hostID}, dels...)...); err != nil {
			return nil, fmt.Errorf("delete inventory classes: %w", err)
		}
	}
	err = tx.bulk(ctx, bulkInsert{
		table: "host_inventory",
		cols:  []bulkCol{{"host_id", colInt}, {"class", colText}, {"digest", colText}, {"data", colJSON}, {"updated_at", colTime}},
		suffix: `ON CONFLICT (host_id, class) DO UPDATE SET
			digest = excluded.digest, data = excluded.data, updated_at = excluded.updated_at`,
	}, len(ups), func(i int, dst []any) []any {
		return append(dst, hostID, ups[i].class, ups[i].digest, ups[i].data, now)
	}, nil)
	return changed, err
}

// writeDerived rebuilds the normalised tables of the changed classes.
func writeDerived(ctx context.Context, tx db, hostID int64, src *model.Inventory, changed map[string]bool) error {
	if changed["sockets"] {
		if _, err := tx.exec(ctx, `DELETE FROM host_ports WHERE host_id = ?`, hostID); err != nil {
			return fmt.Errorf("host ports: %w", err)
		}
		var ls []*model.Socket
		for i := range src.Sockets {
			if src.Sockets[i].Listening() {
				ls = append(ls, &src.Sockets[i])
			}
		}
		err := tx.bulk(ctx, bulkInsert{
			table: "host_ports",
			cols:  []bulkCol{{"host_id", colInt}, {"proto", colText}, {"addr", colText}, {"port", colInt}, {"process", colText}, {"pid", colInt}},
		}, len(ls), func(i int, dst []any) []any {
			x := ls[i]
			return append(dst, hostID, x.Protocol, x.LocalAddr, x.LocalPort, x.ProcessName, x.PID)
		}, nil)
		if err != nil {
			return fmt.Errorf("host ports: %w", err)
		}
	}
	if changed["applications"] {
		if _, err := tx.exec(ctx, `DELETE FROM host_apps WHERE host_id = ?`, hostID); err != nil {
			return fmt.Errorf("host applications: %w", err)
		}
		apps := src.Applications
		err := tx.bulk(ctx, bulkInsert{
			table: "host_apps",
			cols:  []bulkCol{{"host_id", colInt}, {"name", colText}, {"version", colText}, {"category", colText}, {"running", colBool}},
		}, len(apps), func(i int, dst []any) []any {
			a := &apps[i]
			return append(dst, hostID, a.Name, a.Version, a.Category, a.Running)
		}, nil)
		if err != nil {
			return fmt.Errorf("host applications: %w", err)
		}
	}
	if changed["users"] {
		if _, err := tx.exec(ctx, `DELETE FROM host_users WHERE host_id = ?`, hostID); err != nil {
			return fmt.Errorf("host users: %w", err)
		}
		users := src.Users
		err := tx.bulk(ctx, bulkInsert{
			table: "host_users",
			cols: []bulkCol{{"host_id", colInt}, {"name", colText}, {"uid", colInt}, {"gid", colInt},
				{"shell", colText}, {"can_login", colBool}, {"password", colText}},
		}, len(users), func(i int, dst []any) []any {
			u := &users[i]
			return append(dst, hostID, u.Name, u.UID, u.GID, u.Shell, u.CanLogin, string(u.Password))
		}, nil)
		if err != nil {
			return fmt.Errorf("host users: %w", err)
		}
	}
	return nil
}

// HostInventory reassembles a host's latest inventory, packages in
// canonical order (see Canonical). A host without one is ErrNotFound.
func (s *Store) HostInventory(ctx context.Context, hostID int64) (*model.Inventory, error) {
	var inv *model.Inventory
	err := s.readTx(ctx, func(tx db) error {
		var at time.Time
		err := tx.queryRow(ctx, `SELECT inventory_at FROM hosts WHERE id = ?`, hostID).Scan(ts(&at))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if at.IsZero() {
			return fmt.Errorf("no inventory yet: %w", ErrNotFound)
		}
		inv = &model.Inventory{}
		rows, err := tx.query(ctx, `SELECT class, data FROM host_inventory WHERE host_id = ?`, hostID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, data string
			if err := rows.Scan(&name, &data); err != nil {
				return err
			}
			c, ok := classByName(name)
			if !ok {
				continue // written by a newer Ward
			}
			if err := json.Unmarshal([]byte(data), c.field(inv).Addr().Interface()); err != nil {
				return fmt.Errorf("decode %s: %w", name, err)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()

		rows, err = tx.query(ctx, `
			SELECT s.data, hs.location, hs.state, hs.n
			FROM host_software hs JOIN software s ON s.id = hs.software_id
			WHERE hs.host_id = ?`, hostID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var data, loc, state string
			var n int
			if err := rows.Scan(&data, &loc, &state, &n); err != nil {
				return err
			}
			var p model.Package
			if err := json.Unmarshal([]byte(data), &p); err != nil {
				return fmt.Errorf("decode package: %w", err)
			}
			p.Location, p.State = loc, state
			for range n {
				inv.Packages = append(inv.Packages, p)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		inv.Packages = sortPackages(inv.Packages)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inventory of host %d: %w", hostID, err)
	}
	return inv, nil
}

// PruneSoftware deletes software rows no host has any more and returns how
// many. Run it rarely (daily): on PostgreSQL an ingest that picked such a
// row in the same instant fails its foreign key check and is redelivered.
func (s *Store) PruneSoftware(ctx context.Context) (int64, error) {
	res, err := s.writer().exec(ctx, `
		DELETE FROM software WHERE NOT EXISTS (SELECT 1 FROM host_software hs WHERE hs.software_id = software.id)`)
	if err != nil {
		return 0, fmt.Errorf("prune software: %w", err)
	}
	return res.RowsAffected()
}
