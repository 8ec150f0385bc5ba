package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// Fleet queries answer "which hosts have X" across all hosts, from the
// normalised tables and their indexes.

// SoftwareQuery selects software by name (or source package name).
type SoftwareQuery struct {
	Name       string // package name (Maven: artifactId)
	SourceName string // or: source package (dpkg Source, SRPM)
	Type       model.PackageType
	Group      string // Maven groupId
	// Version, if set, must equal the package version.
	Version string
	// VersionMatch, if set, must accept the version (e.g. a range check
	// with the ecosystem's version ordering). It is called once per
	// distinct software row, not per host.
	VersionMatch func(version string) bool
	Limit        int // hits; default 1000
}

// SoftwareHit is one host's package record matching a query.
type SoftwareHit struct {
	HostID   int64
	Hostname string
	Package  model.Package
}

// HostsWithSoftware finds the hosts with matching software, ordered by host.
func (s *Store) HostsWithSoftware(ctx context.Context, q SoftwareQuery) ([]SoftwareHit, error) {
	if (q.Name == "") == (q.SourceName == "") {
		return nil, errors.New("software query: give a name or a source name")
	}
	where := []string{`name = ?`}
	args := []any{q.Name}
	if q.SourceName != "" {
		where, args = []string{`source_name = ?`}, []any{q.SourceName}
	}
	if q.Type != "" {
		where = append(where, `type = ?`)
		args = append(args, string(q.Type))
	}
	if q.Group != "" {
		where = append(where, `pkg_group = ?`)
		args = append(args, q.Group)
	}
	if q.Version != "" {
		where = append(where, `version = ?`)
		args = append(args, q.Version)
	}
	r := s.reader()
	rows, err := r.query(ctx, `SELECT id, version, data FROM software WHERE `+strings.Join(where, ` AND `), args...)
	if err != nil {
		return nil, fmt.Errorf("software query: %w", err)
	}
	pkgs := map[int64]model.Package{}
	var ids []any
	for rows.Next() {
		var id int64
		var version, data string
		if err := rows.Scan(&id, &version, &data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("software query: %w", err)
		}
		if q.VersionMatch != nil && !q.VersionMatch(version) {
			continue
		}
		var p model.Package
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("software query: decode %d: %w", id, err)
		}
		pkgs[id] = p
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("software query: %w", err)
	}

	var out []SoftwareHit
	lim := limit(q.Limit)
	for lo := 0; lo < len(ids) && len(out) < lim; lo += 500 {
		chunk := ids[lo:min(lo+500, len(ids))]
		rows, err := r.query(ctx, `
			SELECT h.id, h.hostname, hs.software_id, hs.location, hs.state, hs.n
			FROM host_software hs JOIN hosts h ON h.id = hs.host_id
			WHERE hs.software_id IN `+placeholders(len(chunk))+`
			ORDER BY h.id, hs.software_id, hs.location LIMIT ?`, append(slices.Clip(chunk), lim-len(out))...)
		if err != nil {
			return nil, fmt.Errorf("software query: %w", err)
		}
		for rows.Next() {
			var hit SoftwareHit
			var sid int64
			var loc, state string
			var n int
			if err := rows.Scan(&hit.HostID, &hit.Hostname, &sid, &loc, &state, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("software query: %w", err)
			}
			hit.Package = pkgs[sid]
			hit.Package.Location, hit.Package.State = loc, state
			out = append(out, hit)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("software query: %w", err)
		}
	}
	return out, nil
}

// wildcardAddrs are the listening addresses that accept from anywhere.
func wildcardAddrs() []any { return []any{"0.0.0.0", "::", "[::]", "*", ""} }

// PortQuery selects listening sockets.
type PortQuery struct {
	Port int
	// Proto "tcp" matches tcp and tcp6, "udp" udp and udp6; empty: any.
	Proto string
	// WildcardOnly keeps sockets bound to all addresses (0.0.0.0, ::).
	WildcardOnly bool
	Limit        int
}

// PortHit is one listening socket of a host.
type PortHit struct {
	HostID   int64
	Hostname string
	Proto    string
	Addr     string
	Port     int
	Process  string
	PID      int
}

// HostsListening finds listening sockets on a port, ordered by host.
func (s *Store) HostsListening(ctx context.Context, q PortQuery) ([]PortHit, error) {
	where := []string{`p.port = ?`}
	args := []any{q.Port}
	if q.Proto != "" {
		where = append(where, `(p.proto = ? OR p.proto = ?)`)
		args = append(args, q.Proto, q.Proto+"6")
	}
	if q.WildcardOnly {
		w := wildcardAddrs()
		where = append(where, `p.addr IN `+placeholders(len(w)))
		args = append(args, w...)
	}
	rows, err := s.reader().query(ctx, `
		SELECT h.id, h.hostname, p.proto, p.addr, p.port, p.process, p.pid
		FROM host_ports p JOIN hosts h ON h.id = p.host_id
		WHERE `+strings.Join(where, ` AND `)+`
		ORDER BY h.id, p.proto, p.addr LIMIT ?`, append(args, limit(q.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("port query: %w", err)
	}
	defer rows.Close()
	var out []PortHit
	for rows.Next() {
		var x PortHit
		if err := rows.Scan(&x.HostID, &x.Hostname, &x.Proto, &x.Addr, &x.Port, &x.Process, &x.PID); err != nil {
			return nil, fmt.Errorf("port query: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// AppQuery selects recognised applications (middleware, databases...).
type AppQuery struct {
	Name        string
	Version     string // equality, optional
	RunningOnly bool
	Limit       int
}

// AppHit is one application of a host.
type AppHit struct {
	HostID   int64
	Hostname string
	Name     string
	Version  string
	Category string
	Running  bool
}

// HostsWithApplication finds hosts running or having an application.
func (s *Store) HostsWithApplication(ctx context.Context, q AppQuery) ([]AppHit, error) {
	where := []string{`a.name = ?`}
	args := []any{q.Name}
	if q.Version != "" {
		where = append(where, `a.version = ?`)
		args = append(args, q.Version)
	}
	if q.RunningOnly {
		where = append(where, `a.running = ?`)
		args = append(args, true)
	}
	rows, err := s.reader().query(ctx, `
		SELECT h.id, h.hostname, a.name, a.version, a.category, a.running
		FROM host_apps a JOIN hosts h ON h.id = a.host_id
		WHERE `+strings.Join(where, ` AND `)+`
		ORDER BY h.id, a.version LIMIT ?`, append(args, limit(q.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("application query: %w", err)
	}
	defer rows.Close()
	var out []AppHit
	for rows.Next() {
		var x AppHit
		if err := rows.Scan(&x.HostID, &x.Hostname, &x.Name, &x.Version, &x.Category, &x.Running); err != nil {
			return nil, fmt.Errorf("application query: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// AccountQuery selects local accounts; zero fields do not filter.
type AccountQuery struct {
	UID      *int
	Name     string
	CanLogin *bool
	Password model.PasswordState // e.g. PasswordEmpty
	Limit    int
}

// AccountHit is one local account of a host.
type AccountHit struct {
	HostID   int64
	Hostname string
	Name     string
	UID      int
	GID      int
	Shell    string
	CanLogin bool
	Password model.PasswordState
}

// Accounts finds local accounts across hosts, e.g. every UID 0 account.
func (s *Store) Accounts(ctx context.Context, q AccountQuery) ([]AccountHit, error) {
	var where []string
	var args []any
	if q.UID != nil {
		where = append(where, `u.uid = ?`)
		args = append(args, *q.UID)
	}
	if q.Name != "" {
		where = append(where, `u.name = ?`)
		args = append(args, q.Name)
	}
	if q.CanLogin != nil {
		where = append(where, `u.can_login = ?`)
		args = append(args, *q.CanLogin)
	}
	if q.Password != "" {
		where = append(where, `u.password = ?`)
		args = append(args, string(q.Password))
	}
	if len(where) == 0 {
		return nil, errors.New("account query: give at least one filter")
	}
	rows, err := s.reader().query(ctx, `
		SELECT h.id, h.hostname, u.name, u.uid, u.gid, u.shell, u.can_login, u.password
		FROM host_users u JOIN hosts h ON h.id = u.host_id
		WHERE `+strings.Join(where, ` AND `)+`
		ORDER BY h.id, u.uid, u.name LIMIT ?`, append(args, limit(q.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("account query: %w", err)
	}
	defer rows.Close()
	var out []AccountHit
	for rows.Next() {
		var x AccountHit
		if err := rows.Scan(&x.HostID, &x.Hostname, &x.Name, &x.UID, &x.GID, &x.Shell, &x.CanLogin, &x.Password); err != nil {
			return nil, fmt.Errorf("account query: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
