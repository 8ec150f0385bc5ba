package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is the small set of differences between SQLite and PostgreSQL
// that the queries see. Everything else is written once, in portable SQL
// (ON CONFLICT … DO UPDATE, RETURNING, UPDATE … FROM and partial indexes
// are in both: SQLite ≥ 3.35).
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// timeLayout is how SQLite stores times: UTC, fixed width, so that text
// comparison is time order. PostgreSQL uses timestamptz. Both keep
// microseconds, so every time is truncated to that before it is stored.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// maxParams is the most bind parameters one statement may carry.
func (d dialect) maxParams() int {
	if d == dialectPostgres {
		return 65535
	}
	return 32766 // SQLITE_MAX_VARIABLE_NUMBER since 3.32
}

// rebind turns the portable "?" placeholders into PostgreSQL's $n. It skips
// quoted strings and identifiers; the queries in this package use no "?"
// operators (jsonb), so that is all it needs to know.
func (d dialect) rebind(q string) string {
	if d != dialectPostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + len(q)/4)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// arg converts a Go value for the driver: times become UTC microseconds
// (text on SQLite), the zero time becomes NULL.
func (d dialect) arg(v any) any {
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return nil
		}
		x = x.UTC().Truncate(time.Microsecond)
		if d == dialectSQLite {
			return x.Format(timeLayout)
		}
		return x
	case *time.Time:
		if x == nil {
			return nil
		}
		return d.arg(*x)
	case string:
		return cleanText(x)
	}
	return v
}

// cleanText makes s storable in a text column of either backend: each byte
// of invalid UTF-8 becomes U+FFFD, as encoding/json does, and so does NUL,
// which PostgreSQL text cannot hold.
func cleanText(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c >= utf8.RuneSelf {
			ok = false
			break
		}
	}
	if ok || (utf8.ValidString(s) && strings.IndexByte(s, 0) < 0) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0 || (r == utf8.RuneError && n == 1) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

func (d dialect) args(in []any) []any {
	out := make([]any, len(in))
	for i, v := range in {
		out[i] = d.arg(v)
	}
	return out
}

// tsCol scans a time column of either backend into a time.Time; NULL is
// the zero time.
type tsCol struct{ t *time.Time }

func ts(t *time.Time) tsCol { return tsCol{t} }

func (c tsCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = x.UTC()
	case string:
		return c.parse(x)
	case []byte:
		return c.parse(string(x))
	default:
		return fmt.Errorf("time column: unexpected %T", v)
	}
	return nil
}

func (c tsCol) parse(s string) error {
	for _, layout := range []string{timeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			*c.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("time column: cannot parse %q", s)
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// db runs portable SQL on a pool or transaction of one dialect.
type db struct {
	d dialect
	q querier
}

func (x db) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return x.q.ExecContext(ctx, x.d.rebind(query), x.d.args(args)...)
}

func (x db) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return x.q.QueryContext(ctx, x.d.rebind(query), x.d.args(args)...)
}

func (x db) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return x.q.QueryRowContext(ctx, x.d.rebind(query), x.d.args(args)...)
}

// placeholders returns "(?,?,?)" for n columns.
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
}

// retryable reports whether a transaction failed only because it lost a
// race with another one (PostgreSQL deadlock or serialization failure) and
// can simply be run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	return false
}

// dataError reports whether the database refused a value (PostgreSQL data
// exception, constraint violation or size limit; SQLite constraint, too
// big, type mismatch): running the same statement again cannot succeed.
func dataError(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "22", "23", "54":
			return true
		}
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH:
			return true
		}
	}
	return false
}

// uniqueViolation reports a unique-constraint failure on either backend.
func uniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
