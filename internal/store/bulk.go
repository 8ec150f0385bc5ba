package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// colKind is the Go and SQL type of one bulk-insert column.
type colKind int

const (
	colInt   colKind = iota // int64 (or int)
	colText                 // string
	colJSON                 // string holding JSON; "" is NULL
	colTime                 // time.Time; zero is NULL
	colBool                 // bool
	colFloat                // float64
)

func (k colKind) pgArray() string {
	switch k {
	case colInt:
		return "bigint[]"
	case colTime:
		return "timestamptz[]"
	case colBool:
		return "boolean[]"
	case colFloat:
		return "float8[]"
	}
	return "text[]" // text, and JSON cast per column
}

type bulkCol struct {
	name string
	kind colKind
}

// bulkInsert is the shape of a multi-row INSERT: the rows go in as one
// statement per chunk, never one statement per row. On SQLite that is a
// multi-row VALUES list (chunked under the bind-parameter limit); on
// PostgreSQL one array per column through unnest(), so the statement text
// is the same whatever the row count and pgx prepares it once per
// connection.
type bulkInsert struct {
	table  string
	cols   []bulkCol
	suffix string // ON CONFLICT … and/or RETURNING …
}

// maxBulkRows bounds one statement's rows (and so its size) on either backend.
const maxBulkRows = 2000

// bulk inserts n rows; row(i, dst) appends row i's values in column order
// to dst. With each set, the statement's RETURNING rows are passed to it.
func (x db) bulk(ctx context.Context, b bulkInsert, n int, row func(i int, dst []any) []any, each func(*sql.Rows) error) error {
	if n == 0 {
		return nil
	}
	per := maxBulkRows
	if x.d == dialectSQLite {
		per = min(per, x.d.maxParams()/len(b.cols))
	}
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		var q string
		var args []any
		if x.d == dialectPostgres {
			q, args = b.pgChunk(lo, hi, row)
		} else {
			q, args = b.sqliteChunk(lo, hi, row)
		}
		if err := x.run(ctx, q, args, each); err != nil {
			return fmt.Errorf("insert into %s: %w", b.table, err)
		}
	}
	return nil
}

func (x db) run(ctx context.Context, q string, args []any, each func(*sql.Rows) error) error {
	if each == nil {
		_, err := x.exec(ctx, q, args...)
		return err
	}
	rows, err := x.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (b bulkInsert) colList() string {
	names := make([]string, len(b.cols))
	for i, c := range b.cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func (b bulkInsert) sqliteChunk(lo, hi int, row func(int, []any) []any) (string, []any) {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(b.table)
	sb.WriteString(" (")
	sb.WriteString(b.colList())
	sb.WriteString(") VALUES ")
	one := placeholders(len(b.cols))
	args := make([]any, 0, (hi-lo)*len(b.cols))
	for i := lo; i < hi; i++ {
		if i > lo {
			sb.WriteByte(',')
		}
		sb.WriteString(one)
		start := len(args)
		args = row(i, args)
		for j, c := range b.cols {
			if c.kind == colJSON && args[start+j] == "" {
				args[start+j] = nil
			}
		}
	}
	sb.WriteByte(' ')
	sb.WriteString(b.suffix)
	return sb.String(), args
}

func (b bulkInsert) pgChunk(lo, hi int, row func(int, []any) []any) (string, []any) {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(b.table)
	sb.WriteString(" (")
	sb.WriteString(b.colList())
	sb.WriteString(") SELECT ")
	for j, c := range b.cols {
		if j > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("u.c" + strconv.Itoa(j))
		if c.kind == colJSON {
			sb.WriteString("::json")
		}
	}
	sb.WriteString(" FROM unnest(")
	for j, c := range b.cols {
		if j > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("?::" + c.kind.pgArray())
	}
	sb.WriteString(") AS u(")
	for j := range b.cols {
		if j > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("c" + strconv.Itoa(j))
	}
	sb.WriteString(") ")
	sb.WriteString(b.suffix)

	return sb.String(), pgArrays(b.cols, lo, hi, row)
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint64:
		return int64(x)
	}
	panic(fmt.Sprintf("store: bulk int column got %T", v))
}

// pgArrays builds one typed array per column of rows lo..hi, for unnest().
func pgArrays(cols []bulkCol, lo, hi int, row func(int, []any) []any) []any {
	n := hi - lo
	arrays := make([]any, len(cols))
	for j, c := range cols {
		switch c.kind {
		case colInt:
			arrays[j] = make([]int64, 0, n)
		case colText:
			arrays[j] = make([]string, 0, n)
		case colJSON:
			arrays[j] = make([]*string, 0, n)
		case colTime:
			arrays[j] = make([]*time.Time, 0, n)
		case colBool:
			arrays[j] = make([]bool, 0, n)
		case colFloat:
			arrays[j] = make([]float64, 0, n)
		}
	}
	vals := make([]any, 0, len(cols))
	for i := lo; i < hi; i++ {
		vals = row(i, vals[:0])
		for j, v := range vals {
			switch a := arrays[j].(type) {
			case []int64:
				arrays[j] = append(a, toInt64(v))
			case []string:
				arrays[j] = append(a, cleanText(v.(string)))
			case []*string:
				var p *string
				if s := v.(string); s != "" {
					p = &s
				}
				arrays[j] = append(a, p)
			case []*time.Time:
				var p *time.Time
				if t := v.(time.Time); !t.IsZero() {
					t = t.UTC().Truncate(time.Microsecond)
					p = &t
				}
				arrays[j] = append(a, p)
			case []bool:
				arrays[j] = append(a, v.(bool))
			case []float64:
				arrays[j] = append(a, v.(float64))
			}
		}
	}
	return arrays
}

// tupleSet is a set of row values to match with "(cols) IN set" in a
// statement: a VALUES list on SQLite, unnest() of arrays on PostgreSQL.
// It returns the SQL of the set and its arguments, for rows lo..hi.
func (d dialect) tupleSet(cols []bulkCol, lo, hi int, row func(int, []any) []any) (string, []any) {
	if d == dialectPostgres {
		var sb strings.Builder
		sb.WriteString("(SELECT * FROM unnest(")
		for j, c := range cols {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("?::" + c.kind.pgArray())
		}
		sb.WriteString("))")
		return sb.String(), pgArrays(cols, lo, hi, row)
	}
	var sb strings.Builder
	sb.WriteString("(VALUES ")
	one := placeholders(len(cols))
	var args []any
	for i := lo; i < hi; i++ {
		if i > lo {
			sb.WriteByte(',')
		}
		sb.WriteString(one)
		args = row(i, args)
	}
	sb.WriteByte(')')
	return sb.String(), args
}

// tupleChunk is how many rows of ncols one tupleSet may hold.
func (d dialect) tupleChunk(ncols int) int {
	if d == dialectPostgres {
		return 10000
	}
	return min(maxBulkRows, (d.maxParams()-16)/ncols)
}
