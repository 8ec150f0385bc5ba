package rpm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/rootfs"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
	"modernc.org/sqlite/vfs"
)

// sqliteTimeout bounds one database scan; a real rpmdb reads in well under
// a second.
const sqliteTimeout = 2 * time.Minute

// readSQLite passes each header blob of an rpmdb.sqlite (rpm >= 4.16) to fn.
//
// The database is opened through a read-only SQLite VFS over the confined
// root (modernc.org/sqlite/vfs over rootfs), with immutable=1: SQLite then
// takes no locks and creates no -wal, -shm or -journal file, so nothing is
// written next to a production database or into a read-only image, rpm is
// never blocked, and every read stays inside the root. The price: pages
// still only in rpmdb.sqlite-wal are not seen. rpm checkpoints and empties
// the WAL when it closes the database, so this only misses a transaction
// that is running or crashed; a non-empty WAL is reported through warn.
// (go-rpmdb's own sqlite reader opens the path read-write, with locks and
// side files, and is not used.)
func readSQLite(ctx context.Context, fsys *rootfs.FS, name string, maxBlob int64, fn func(id string, blob []byte), warn func(error)) error {
	if st, err := fsys.Stat(name + "-wal"); err == nil && st.Size() > 0 {
		warn(fmt.Errorf("%s-wal holds %d bytes not yet checkpointed; changes of a running or interrupted rpm transaction are not seen", name, st.Size()))
	}
	vfsName, vfsys, err := vfs.New(fsys.IOFS())
	if err != nil {
		return fmt.Errorf("sqlite vfs: %w", err)
	}
	defer vfsys.Close() // after db.Close below (defers run in reverse)

	q := url.Values{}
	q.Set("vfs", vfsName)
	q.Set("immutable", "1")
	q.Add("_pragma", "query_only(1)")
	// The schema of a scanned image is untrusted: no functions from views
	// or triggers, and no writes to shadow tables.
	q.Add("_pragma", "trusted_schema(0)")
	q.Set("_defensive", "1")
	dsn := "file:" + (&url.URL{Path: strings.TrimPrefix(rootfs.Clean(name), "/")}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	ctx, cancel := context.WithTimeout(ctx, sqliteTimeout)
	defer cancel()
	// Only a plain table is read: a view or virtual table named Packages
	// in a hostile image would run code of its choosing inside SQLite.
	var typ, schema string
	err = db.QueryRowContext(ctx, "SELECT type, sql FROM sqlite_schema WHERE name = 'Packages'").Scan(&typ, &schema)
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("no Packages table")
	}
	if err != nil {
		return err
	}
	if typ != "table" || strings.Contains(strings.ToUpper(schema), "VIRTUAL") {
		return fmt.Errorf("Packages is a %s, not a plain table", typ)
	}

	var oversized int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM Packages WHERE length(blob) > ?", maxBlob).Scan(&oversized); err != nil {
		return err
	}
	if oversized > 0 {
		warn(fmt.Errorf("%d package headers exceed the %d-byte limit and are skipped", oversized, maxBlob))
	}
	rows, err := db.QueryContext(ctx, "SELECT hnum, blob FROM Packages WHERE length(blob) <= ? ORDER BY hnum", maxBlob)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var hnum int64
		var blob sql.RawBytes
		if err := rows.Scan(&hnum, &blob); err != nil {
			warn(fmt.Errorf("row: %w", err))
			continue
		}
		fn(fmt.Sprintf("hnum %d", hnum), blob)
	}
	return rows.Err()
}
