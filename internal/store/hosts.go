package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Host is a machine known to the server.
type Host struct {
	ID          int64
	IdentityKey string
	Hostname    string
	OSID        string
	OSVersion   string
	Kernel      string
	Arch        string
	Labels      map[string]string
	AgentStatus AgentStatus
	FirstSeen   time.Time
	LastSeen    time.Time
	// InventoryAt is the ScannedAt of the inventory held (zero: none yet).
	InventoryAt time.Time
	// Online: seen within the store's online window.
	Online bool
}

// AgentStatus is whether a host has an agent.
type AgentStatus string

const (
	AgentNone     AgentStatus = "none"
	AgentEnrolled AgentStatus = "enrolled"
	AgentRevoked  AgentStatus = "revoked"
)

// HostInfo is what is known of a host when it enrols or reports.
type HostInfo struct {
	IdentityKey string
	Hostname    string
	OSID        string
	OSVersion   string
	Kernel      string
	Arch        string
	// Labels replace the host's labels when not nil.
	Labels map[string]string
}

// HostIdentity derives a stable identity key for a host from the
// identifiers that survive a reinstall of the agent and differ between
// clones as far as possible: the cloud instance id when there is one, else
// the DMI product UUID together with the machine-id. It is empty when none
// is known.
func HostIdentity(h *model.Host) string {
	if h == nil {
		return ""
	}
	var parts []string
	if h.Cloud != nil && h.Cloud.InstanceID != "" {
		parts = append(parts, "cloud:"+h.Cloud.Provider+"/"+h.Cloud.InstanceID)
	} else {
		if h.DMI != nil && h.DMI.ProductUUID != "" {
			parts = append(parts, "dmi:"+strings.ToLower(h.DMI.ProductUUID))
		}
		if h.MachineID != "" {
			parts = append(parts, "machine-id:"+h.MachineID)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(sum[:])
}

// UpsertHost creates the host with info.IdentityKey or updates its
// descriptive fields (empty ones are left as they are), marks it seen now
// and returns its id.
func (s *Store) UpsertHost(ctx context.Context, info HostInfo) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx db) error {
		var err error
		id, err = s.upsertHost(ctx, tx, info)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("upsert host %q: %w", info.Hostname, err)
	}
	return id, nil
}

func (s *Store) upsertHost(ctx context.Context, tx db, info HostInfo) (int64, error) {
	if info.IdentityKey == "" {
		return 0, errors.New("empty identity key")
	}
	now := s.clock()
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO hosts (identity_key, hostname, os_id, os_version, kernel, arch, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (identity_key) DO UPDATE SET
			hostname   = CASE WHEN excluded.hostname   <> '' THEN excluded.hostname   ELSE hosts.hostname END,
			os_id      = CASE WHEN excluded.os_id      <> '' THEN excluded.os_id      ELSE hosts.os_id END,
			os_version = CASE WHEN excluded.os_version <> '' THEN excluded.os_version ELSE hosts.os_version END,
			kernel     = CASE WHEN excluded.kernel     <> '' THEN excluded.kernel     ELSE hosts.kernel END,
			arch       = CASE WHEN excluded.arch       <> '' THEN excluded.arch       ELSE hosts.arch END,
			last_seen  = excluded.last_seen
		RETURNING id`,
		info.IdentityKey, info.Hostname, info.OSID, info.OSVersion, info.Kernel, info.Arch, now, now).Scan(&id)
	if err != nil {
		return 0, err
	}
	if info.Labels != nil {
		if err := setLabels(ctx, tx, id, info.Labels); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// SetHostLabels replaces a host's labels.
func (s *Store) SetHostLabels(ctx context.Context, hostID int64, labels map[string]string) error {
	err := s.tx(ctx, func(tx db) error {
		if err := mustExist(ctx, tx, "hosts", hostID); err != nil {
			return err
		}
		return setLabels(ctx, tx, hostID, labels)
	})
	if err != nil {
		return fmt.Errorf("set labels of host %d: %w", hostID, err)
	}
	return nil
}

func setLabels(ctx context.Context, tx db, hostID int64, labels map[string]string) error {
	if _, err := tx.exec(ctx, `DELETE FROM host_labels WHERE host_id = ?`, hostID); err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(labels))
	return tx.bulk(ctx, bulkInsert{
		table: "host_labels",
		cols:  []bulkCol{{"host_id", colInt}, {"name", colText}, {"value", colText}},
	}, len(names), func(i int, dst []any) []any {
		return append(dst, hostID, names[i], labels[names[i]])
	}, nil)
}

// TouchHost marks a host seen now.
func (s *Store) TouchHost(ctx context.Context, hostID int64) error {
	_, err := s.writer().exec(ctx, `UPDATE hosts SET last_seen = ? WHERE id = ?`, s.clock(), hostID)
	if err != nil {
		return fmt.Errorf("touch host %d: %w", hostID, err)
	}
	return nil
}

// DeleteHost removes a host with its agents, inventory, findings and runs.
func (s *Store) DeleteHost(ctx context.Context, hostID int64) error {
	return s.tx(ctx, func(tx db) error {
		// Its baseline results first, so that the counts kept of them follow.
		if err := forgetBaseline(ctx, tx, hostID); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM hosts WHERE id = ?`, hostID)
		if err != nil {
			return fmt.Errorf("delete host %d: %w", hostID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("delete host %d: %w", hostID, ErrNotFound)
		}
		return nil
	})
}

const hostCols = `h.id, h.identity_key, h.hostname, h.os_id, h.os_version, h.kernel, h.arch, h.agent_status, h.first_seen, h.last_seen, h.inventory_at`

func (s *Store) scanHost(sc interface{ Scan(...any) error }) (Host, error) {
	var h Host
	err := sc.Scan(&h.ID, &h.IdentityKey, &h.Hostname, &h.OSID, &h.OSVersion, &h.Kernel, &h.Arch, &h.AgentStatus,
		ts(&h.FirstSeen), ts(&h.LastSeen), ts(&h.InventoryAt))
	h.Online = !h.LastSeen.Before(s.clock().Add(-s.onlineWindow))
	return h, err
}

// Host returns one host with its labels.
func (s *Store) Host(ctx context.Context, hostID int64) (Host, error) {
	r := s.reader()
	h, err := s.scanHost(r.queryRow(ctx, `SELECT `+hostCols+` FROM hosts h WHERE h.id = ?`, hostID))
	if errors.Is(err, sql.ErrNoRows) {
		return Host{}, fmt.Errorf("host %d: %w", hostID, ErrNotFound)
	}
	if err != nil {
		return Host{}, fmt.Errorf("host %d: %w", hostID, err)
	}
	hs := []Host{h}
	if err := loadLabels(ctx, r, hs); err != nil {
		return Host{}, fmt.Errorf("host %d: %w", hostID, err)
	}
	return hs[0], nil
}

// HostByIdentity finds a host by its identity key.
func (s *Store) HostByIdentity(ctx context.Context, key string) (Host, error) {
	var id int64
	err := s.reader().queryRow(ctx, `SELECT id FROM hosts WHERE identity_key = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Host{}, fmt.Errorf("host with identity %.12s…: %w", key, ErrNotFound)
	}
	if err != nil {
		return Host{}, fmt.Errorf("host by identity: %w", err)
	}
	return s.Host(ctx, id)
}

// HostFilter selects hosts; zero fields do not filter.
type HostFilter struct {
	// Labels must all be set to these values.
	Labels    map[string]string
	OSID      string
	OSVersion string
	// HostnamePrefix matches the start of the hostname.
	HostnamePrefix string
	// Online keeps only online (true) or offline (false) hosts.
	Online *bool
	Limit  int // default 1000
	Offset int
}

// Hosts lists hosts ordered by id.
func (s *Store) Hosts(ctx context.Context, f HostFilter) ([]Host, error) {
	var where []string
	var args []any
	for _, k := range slices.Sorted(maps.Keys(f.Labels)) {
		where = append(where, `EXISTS (SELECT 1 FROM host_labels l WHERE l.host_id = h.id AND l.name = ? AND l.value = ?)`)
		args = append(args, k, f.Labels[k])
	}
	if f.OSID != "" {
		where = append(where, `h.os_id = ?`)
		args = append(args, f.OSID)
	}
	if f.OSVersion != "" {
		where = append(where, `h.os_version = ?`)
		args = append(args, f.OSVersion)
	}
	if f.HostnamePrefix != "" {
		where = append(where, `substr(h.hostname, 1, ?) = ?`)
		args = append(args, len(f.HostnamePrefix), f.HostnamePrefix)
	}
	if f.Online != nil {
		op := `>=`
		if !*f.Online {
			op = `<`
		}
		where = append(where, `h.last_seen `+op+` ?`)
		args = append(args, s.clock().Add(-s.onlineWindow))
	}
	q := `SELECT ` + hostCols + ` FROM hosts h`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY h.id LIMIT ? OFFSET ?`
	args = append(args, limit(f.Limit), max(f.Offset, 0))

	r := s.reader()
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list hosts: %w", err)
	}
	defer rows.Close()
	var out []Host
	for rows.Next() {
		h, err := s.scanHost(rows)
		if err != nil {
			return nil, fmt.Errorf("list hosts: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list hosts: %w", err)
	}
	if err := loadLabels(ctx, r, out); err != nil {
		return nil, fmt.Errorf("list hosts: %w", err)
	}
	return out, nil
}

// loadLabels fills the Labels of hosts.
func loadLabels(ctx context.Context, r db, hosts []Host) error {
	if len(hosts) == 0 {
		return nil
	}
	byID := make(map[int64]*Host, len(hosts))
	ids := make([]any, len(hosts))
	for i := range hosts {
		byID[hosts[i].ID] = &hosts[i]
		ids[i] = hosts[i].ID
	}
	for lo := 0; lo < len(ids); lo += 500 {
		chunk := ids[lo:min(lo+500, len(ids))]
		rows, err := r.query(ctx, `SELECT host_id, name, value FROM host_labels WHERE host_id IN `+placeholders(len(chunk)), chunk...)
		if err != nil {
			return fmt.Errorf("labels: %w", err)
		}
		for rows.Next() {
			var id int64
			var k, v string
			if err := rows.Scan(&id, &k, &v); err != nil {
				rows.Close()
				return fmt.Errorf("labels: %w", err)
			}
			h := byID[id]
			if h.Labels == nil {
				h.Labels = map[string]string{}
			}
			h.Labels[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("labels: %w", err)
		}
	}
	return nil
}

// limit applies the default and ceiling of list queries.
func limit(n int) int {
	switch {
	case n <= 0:
		return 1000
	case n > 100000:
		return 100000
	}
	return n
}

// deleteRow deletes row id of table (errors name it by the table's name,
// singular); ErrNotFound when there is none.
func (s *Store) deleteRow(ctx context.Context, table string, id int64) error {
	what := strings.TrimSuffix(table, "s")
	res, err := s.writer().exec(ctx, `DELETE FROM `+table+` WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete %s %d: %w", what, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete %s %d: %w", what, id, ErrNotFound)
	}
	return nil
}

// mustExist returns ErrNotFound unless table has a row with id.
func mustExist(ctx context.Context, tx db, table string, id int64) error {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %d: %w", strings.TrimSuffix(table, "s"), id, ErrNotFound)
	}
	return err
}
