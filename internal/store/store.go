package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Errors the caller can test for with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
)

// Store is an open database. It is safe for concurrent use.
type Store struct {
	d dialect
	// w takes every write. On SQLite it is a single connection, so writers
	// queue in Go instead of failing with SQLITE_BUSY; r is a pool of
	// read-only connections beside it (WAL lets them read meanwhile). On
	// PostgreSQL both are the same pool.
	w, r *sql.DB

	now          func() time.Time
	onlineWindow time.Duration
	log          *slog.Logger

	// hook, set by tests only, can fail a transaction at a named stage.
	hook func(stage string) error

	baselineHistory int // history rows kept per host and policy
}

// Option configures Open.
type Option func(*options)

type options struct {
	now          func() time.Time
	onlineWindow time.Duration
	log          *slog.Logger
	maxConns     int
	busyTimeout  time.Duration

	baselineHistory int
}

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithOnlineWindow sets how recently a host must have been seen to count
// as online (default 3 minutes).
func WithOnlineWindow(d time.Duration) Option { return func(o *options) { o.onlineWindow = d } }

// WithLogger logs migrations and background problems (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithMaxConns bounds the PostgreSQL pool, or SQLite's reader pool
// (default: 4 × GOMAXPROCS, at least 8).
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// Open opens the database named by dsn and migrates it:
//
//	sqlite:///var/lib/ward/ward.db, or a plain path  SQLite
//	postgres://user@host/db?sslmode=…               PostgreSQL (pgx)
//
// A database from a newer Ward is refused with ErrSchemaTooNew.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{
		now:          time.Now,
		onlineWindow: 3 * time.Minute,
		log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		maxConns:     max(8, 4*runtime.GOMAXPROCS(0)),
		busyTimeout:  10 * time.Second,

		baselineHistory: DefaultBaselineHistory,
	}
	for _, f := range opts {
		f(&o)
	}
	s := &Store{now: o.now, onlineWindow: o.onlineWindow, log: o.log, baselineHistory: o.baselineHistory}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.d = dialectPostgres
		err = s.openPostgres(ctx, dsn, o)
	default:
		s.d = dialectSQLite
		err = s.openSQLite(ctx, dsn, o)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) openPostgres(ctx context.Context, dsn string, o options) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("store: postgres dsn: %w", err)
	}
	s.w = stdlib.OpenDB(*cfg)
	s.w.SetMaxOpenConns(o.maxConns)
	s.w.SetMaxIdleConns(o.maxConns)
	s.w.SetConnMaxIdleTime(5 * time.Minute)
	s.r = s.w
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: connect to postgres %s: %w", redact(dsn), err)
	}
	if err := migrate(ctx, s.d, s.w, s.log); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

func (s *Store) openSQLite(ctx context.Context, dsn string, o options) error {
	p, err := sqlitePath(dsn)
	if err != nil {
		return err
	}
	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", o.busyTimeout.Milliseconds())
	// Writer: WAL, and BEGIN IMMEDIATE so a transaction that reads then
	// writes never has to upgrade its lock.
	s.w, err = sql.Open("sqlite", p+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", p, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", p, err)
	}
	if err := migrate(ctx, s.d, s.w, s.log); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	s.r, err = sql.Open("sqlite", p+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", p, err)
	}
	s.r.SetMaxOpenConns(o.maxConns)
	s.r.SetMaxIdleConns(o.maxConns)
	return nil
}

// sqlitePath accepts sqlite:///abs/path, sqlite://rel/path, sqlite:path and
// a plain path.
func sqlitePath(dsn string) (string, error) {
	p := dsn
	if rest, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		p = strings.TrimPrefix(rest, "//")
		if u, err := url.PathUnescape(p); err == nil {
			p = u
		}
	}
	switch {
	case p == "":
		return "", errors.New("store: empty sqlite path")
	case strings.ContainsAny(p, "?#"):
		return "", fmt.Errorf("store: sqlite path %q: '?' and '#' are not supported", p)
	case p == ":memory:" || strings.HasPrefix(p, "file:"):
		return "", fmt.Errorf("store: sqlite %q: give a file path (the store keeps separate reader and writer connections)", p)
	}
	return p, nil
}

// redact drops the password from a URL for error messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable dsn)"
	}
	return u.Redacted()
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Backend names the database kind: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.d.String() }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error { return s.w.PingContext(ctx) }

func (s *Store) reader() db { return db{d: s.d, q: s.r} }

func (s *Store) writer() db { return db{d: s.d, q: s.w} }

// clock is the current time as stored: UTC, microseconds.
func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// tx runs fn in a write transaction, committed if fn returns nil. A
// PostgreSQL deadlock or serialization failure reruns it (fn must only
// touch state it recreates).
func (s *Store) tx(ctx context.Context, fn func(tx db) error) error {
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		err = s.tx1(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(i+1) * 10 * time.Millisecond)
	}
	return err
}

func (s *Store) tx1(ctx context.Context, fn func(tx db) error) error {
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(db{d: s.d, q: t}); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// readTx runs fn in a read-only transaction on one consistent snapshot.
func (s *Store) readTx(ctx context.Context, fn func(tx db) error) error {
	var o *sql.TxOptions
	if s.d == dialectPostgres {
		o = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	t, err := s.r.BeginTx(ctx, o)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer t.Rollback() //nolint:errcheck // read-only
	return fn(db{d: s.d, q: t})
}
