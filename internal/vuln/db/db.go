// Package db is Ward's local advisory database: one SQLite file holding
// normalised advisories indexed by (ecosystem, package), the sources they
// were imported from and when.
package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"

	"github.com/ward-sec/ward/internal/vuln/advisory"
	"github.com/ward-sec/ward/internal/vuln/feed"
)

// StaleAfter is how old the newest import may be before Info says stale.
const StaleAfter = 7 * 24 * time.Hour

const schemaVersion = "2" // 2: records are zstd-compressed JSON

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
	name TEXT PRIMARY KEY,
	imported_at TEXT NOT NULL,
	records INTEGER NOT NULL,
	problems INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS advisories (
	key TEXT PRIMARY KEY,
	id TEXT NOT NULL,
	source TEXT NOT NULL,
	modified TEXT NOT NULL,
	data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
	ecosystem TEXT NOT NULL,
	name TEXT NOT NULL,
	key TEXT NOT NULL,
	PRIMARY KEY (ecosystem, name, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS affected_key ON affected(key);
CREATE TABLE IF NOT EXISTS ids (
	id TEXT NOT NULL,
	key TEXT NOT NULL,
	PRIMARY KEY (id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ids_key ON ids(key);
`

// Records are stored as zstd-compressed JSON: advisories repeat their
// ecosystem and range layout per release, and compress about 5-10x.
var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))
)

func encode(a *advisory.Advisory) ([]byte, error) {
	js, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	return zenc.EncodeAll(js, nil), nil
}

func decode(data []byte) (*advisory.Advisory, error) {
	js, err := zdec.DecodeAll(data, nil)
	if err != nil {
		return nil, err
	}
	a := &advisory.Advisory{}
	if err := json.Unmarshal(js, a); err != nil {
		return nil, err
	}
	return a, nil
}

// DB is an open advisory database. It is safe for concurrent use.
type DB struct {
	path string
	sql  *sql.DB
}

// DefaultPath is /var/lib/ward/vulndb/advisories.db for root, else
// advisories.db in the user's cache directory (~/.cache/ward/vulndb).
func DefaultPath() string {
	if os.Geteuid() == 0 {
		return "/var/lib/ward/vulndb/advisories.db"
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "ward", "vulndb", "advisories.db")
	}
	return filepath.Join(os.TempDir(), "ward-vulndb", "advisories.db")
}

// Open opens (creating if needed) the database at path. A directory is
// taken to mean advisories.db inside it.
func Open(path string) (*DB, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "advisories.db")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("vulndb %s: %w", path, err)
	}
	s, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("vulndb %s: %w", path, err)
	}
	if _, err := s.Exec(schema); err != nil {
		s.Close()
		return nil, fmt.Errorf("vulndb %s: not an advisory database: %w", path, err)
	}
	var v string
	err = s.QueryRow(`SELECT value FROM meta WHERE key='schema'`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.Exec(`INSERT INTO meta(key,value) VALUES('schema',?)`, schemaVersion); err != nil {
			s.Close()
			return nil, fmt.Errorf("vulndb %s: %w", path, err)
		}
	case err != nil:
		s.Close()
		return nil, fmt.Errorf("vulndb %s: %w", path, err)
	case v != schemaVersion:
		s.Close()
		return nil, fmt.Errorf("vulndb %s: schema %s, this ward reads %s: re-import the feeds into a new file", path, v, schemaVersion)
	}
	return &DB{path: path, sql: s}, nil
}

// OpenExisting is Open for readers: a missing file is an error saying how
// to create one, not a new empty database.
func OpenExisting(path string) (*DB, error) {
	p := path
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		p = filepath.Join(p, "advisories.db")
	}
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("vulndb %s: %w (create it with `ward vulndb import PATH` or `ward vulndb update`)", p, err)
	}
	return Open(p)
}

// Path is the database file.
func (d *DB) Path() string { return d.path }

// Close closes the database.
func (d *DB) Close() error { return d.sql.Close() }

// ImportResult says what an import changed.
type ImportResult struct {
	// Added and Changed are the keys (Advisory.Key) of new records and of
	// records whose content changed; Removed were withdrawn. The server
	// re-matches its stored inventories against exactly these.
	Added, Changed, Removed []string
	Unchanged               int
	Problems                []feed.Problem
}

// Import reads each path (OSV files or folders, all.zip archives, tracker
// dumps, vuln-list-debian folders) and applies all of them in one
// transaction: an unreadable feed fails the whole import and nothing is
// applied; malformed records are skipped and listed in Problems.
func (d *DB) Import(ctx context.Context, paths ...string) (*ImportResult, error) {
	return d.ImportAs(ctx, nil, paths...)
}

// ImportAs is Import recording each path under the given source name
// (names[i] for paths[i], e.g. the URL it was downloaded from).
func (d *DB) ImportAs(ctx context.Context, names []string, paths ...string) (*ImportResult, error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("vulndb %s: %w", d.path, err)
	}
	defer tx.Rollback()
	st := &stmts{tx: tx, m: map[string]*sql.Stmt{}}
	defer st.close()
	res := &ImportResult{}
	now := time.Now().UTC()
	seen := map[string]bool{}
	for i, p := range paths {
		name := p
		if i < len(names) && names[i] != "" {
			name = names[i]
		}
		records, problems := 0, 0
		sink := feed.Sink{
			Advisory: func(a *advisory.Advisory, record string) error {
				records++
				return d.put(ctx, st, a, seen, res)
			},
			Withdrawn: func(key, record string) error {
				return d.remove(ctx, st, key, res)
			},
			Problem: func(pr feed.Problem) {
				problems++
				res.Problems = append(res.Problems, pr)
			},
		}
		if err := feed.Read(ctx, p, sink); err != nil {
			return nil, fmt.Errorf("import %s: %w (nothing imported)", p, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sources(name, imported_at, records, problems) VALUES(?,?,?,?)
			ON CONFLICT(name) DO UPDATE SET imported_at=excluded.imported_at, records=excluded.records, problems=excluded.problems`,
			name, now.Format(time.RFC3339), records, problems); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key,value) VALUES('imported_at',?) ON CONFLICT(key) DO UPDATE SET value=excluded.value`, now.Format(time.RFC3339)); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("vulndb %s: commit: %w", d.path, err)
	}
	sort.Strings(res.Added)
	sort.Strings(res.Changed)
	sort.Strings(res.Removed)
	return res, nil
}

func (d *DB) put(ctx context.Context, tx *stmts, a *advisory.Advisory, seen map[string]bool, res *ImportResult) error {
	key := a.Key()
	data, err := encode(a)
	if err != nil {
		return err
	}
	var old []byte
	err = tx.queryRow(ctx, `SELECT data FROM advisories WHERE key=?`, key).Scan(&old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if !seen[key] {
			res.Added = append(res.Added, key)
		}
	case err != nil:
		return err
	case string(old) == string(data):
		if !seen[key] {
			res.Unchanged++
		}
		seen[key] = true
		return nil
	default:
		if !seen[key] {
			res.Changed = append(res.Changed, key)
		}
	}
	seen[key] = true
	if _, err := tx.exec(ctx, `INSERT INTO advisories(key,id,source,modified,data) VALUES(?,?,?,?,?)
		ON CONFLICT(key) DO UPDATE SET id=excluded.id, source=excluded.source, modified=excluded.modified, data=excluded.data`,
		key, a.ID, a.Source, a.Modified.Format(time.RFC3339), data); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM affected WHERE key=?`, `DELETE FROM ids WHERE key=?`} {
		if _, err := tx.exec(ctx, q, key); err != nil {
			return err
		}
	}
	done := map[[2]string]bool{}
	for _, af := range a.Affected {
		k := [2]string{af.Ecosystem, af.Name}
		if done[k] {
			continue
		}
		done[k] = true
		if _, err := tx.exec(ctx, `INSERT INTO affected(ecosystem,name,key) VALUES(?,?,?)`, af.Ecosystem, af.Name, key); err != nil {
			return err
		}
	}
	for _, id := range a.IDs() {
		if _, err := tx.exec(ctx, `INSERT OR IGNORE INTO ids(id,key) VALUES(?,?)`, id, key); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) remove(ctx context.Context, tx *stmts, key string, res *ImportResult) error {
	r, err := tx.exec(ctx, `DELETE FROM advisories WHERE key=?`, key)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n > 0 {
		res.Removed = append(res.Removed, key)
	}
	for _, q := range []string{`DELETE FROM affected WHERE key=?`, `DELETE FROM ids WHERE key=?`} {
		if _, err := tx.exec(ctx, q, key); err != nil {
			return err
		}
	}
	return nil
}

// stmts prepares each statement of an import once per transaction.
type stmts struct {
	tx *sql.Tx
	m  map[string]*sql.Stmt
}

func (s *stmts) prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.m[q]; ok {
		return st, nil
	}
	st, err := s.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.m[q] = st
	return st, nil
}

func (s *stmts) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := s.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

func (s *stmts) queryRow(ctx context.Context, q string, args ...any) interface{ Scan(...any) error } {
	st, err := s.prepare(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *stmts) close() {
	for _, st := range s.m {
		st.Close()
	}
}

// ForPackages loads every advisory that names one of the packages, with
// its Affected list cut to those packages (a kernel CVE lists a dozen
// releases; a host needs its own), which keeps a scan's memory small.
func (d *DB) ForPackages(ctx context.Context, pkgs []advisory.PackageKey) ([]*advisory.Advisory, error) {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stmt, err := conn.PrepareContext(ctx, `SELECT key FROM affected WHERE ecosystem=? AND name=?`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	keys := map[string]bool{}
	for _, p := range pkgs {
		rows, err := stmt.QueryContext(ctx, p.Ecosystem, p.Name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			keys[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	sort.Strings(list)
	advs, err := d.Get(ctx, list)
	if err != nil {
		return nil, err
	}
	want := make(map[advisory.PackageKey]bool, len(pkgs))
	for _, p := range pkgs {
		want[p] = true
	}
	for _, a := range advs {
		kept := a.Affected[:0]
		for _, af := range a.Affected {
			if want[advisory.PackageKey{Ecosystem: af.Ecosystem, Name: af.Name}] {
				kept = append(kept, af)
			}
		}
		a.Affected = slices.Clip(kept)
	}
	return advs, nil
}

// Get loads advisories by key (as Import returns them); unknown keys are
// left out.
func (d *DB) Get(ctx context.Context, keys []string) ([]*advisory.Advisory, error) {
	var out []*advisory.Advisory
	for start := 0; start < len(keys); start += 500 {
		end := min(start+500, len(keys))
		args := make([]any, 0, end-start)
		for _, k := range keys[start:end] {
			args = append(args, k)
		}
		q := `SELECT data FROM advisories WHERE key IN (?` + strings.Repeat(",?", len(args)-1) + `) ORDER BY key`
		rows, err := d.sql.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var data []byte
			if err := rows.Scan(&data); err != nil {
				rows.Close()
				return nil, err
			}
			a, err := decode(data)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("vulndb %s: corrupt record: %w", d.path, err)
			}
			out = append(out, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// KeysForID gives the keys of the advisories that carry id as their own
// id, an alias or an upstream id ("CVE-2021-44228" -> the GHSA, the Debian
// tracker record, the DSA...).
func (d *DB) KeysForID(ctx context.Context, id string) ([]string, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT key FROM ids WHERE id=? ORDER BY key`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Source is one imported feed.
type Source struct {
	Name       string    `json:"name"`
	ImportedAt time.Time `json:"imported_at"`
	Records    int       `json:"records"`
	Problems   int       `json:"problems"`
}

// Info describes the database.
type Info struct {
	Path       string         `json:"path"`
	Advisories int            `json:"advisories"`
	Ecosystems map[string]int `json:"ecosystems"` // base ecosystem -> advisories naming it
	Sources    []Source       `json:"sources"`
	ImportedAt time.Time      `json:"imported_at"`
	// Stale is true when the last import is older than StaleAfter (or
	// there was none).
	Stale bool `json:"stale"`
}

// Info counts the database's content.
func (d *DB) Info(ctx context.Context) (*Info, error) {
	in := &Info{Path: d.path, Ecosystems: map[string]int{}}
	if err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM advisories`).Scan(&in.Advisories); err != nil {
		return nil, err
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT ecosystem, count(DISTINCT key) FROM affected GROUP BY ecosystem`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var eco string
		var n int
		if err := rows.Scan(&eco, &n); err != nil {
			rows.Close()
			return nil, err
		}
		in.Ecosystems[eco] += n
	}
	rows.Close()
	rows, err = d.sql.QueryContext(ctx, `SELECT name, imported_at, records, problems FROM sources ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s Source
		var at string
		if err := rows.Scan(&s.Name, &at, &s.Records, &s.Problems); err != nil {
			return nil, err
		}
		s.ImportedAt, _ = time.Parse(time.RFC3339, at)
		in.Sources = append(in.Sources, s)
	}
	var at string
	if err := d.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key='imported_at'`).Scan(&at); err == nil {
		in.ImportedAt, _ = time.Parse(time.RFC3339, at)
	}
	in.Stale = in.ImportedAt.IsZero() || time.Since(in.ImportedAt) > StaleAfter
	return in, rows.Err()
}

// Each calls fn for every advisory (the server builds a fleet-wide
// matcher from them).
func (d *DB) Each(ctx context.Context, fn func(*advisory.Advisory) error) error {
	rows, err := d.sql.QueryContext(ctx, `SELECT data FROM advisories ORDER BY key`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return err
		}
		a, err := decode(data)
		if err != nil {
			return fmt.Errorf("vulndb %s: corrupt record: %w", d.path, err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}
