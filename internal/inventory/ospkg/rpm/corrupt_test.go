package rpm

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gorpmdb "github.com/knqyf263/go-rpmdb/pkg"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

// On-disk constants of the formats, for building damaged copies
// (rpmdb's bdb.go and ndb.go have the full story).
const (
	bdbHashPage       = 13
	bdbHashUnsorted   = 2
	bdbOffPageItem    = 3
	bdbPageHeaderSize = 26
	ndbSlotSize       = 16
	ndbBlockSize      = 16
)

func readFixture(t testing.TB, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// rootWithBytes builds a root holding data at /var/lib/rpm/<name>.
func rootWithBytes(t testing.TB, data []byte, name string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "var/lib/rpm", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// bdbItem locates the first off-page item of a little-endian bdb file.
type bdbItem struct {
	pageSize   int
	hashPage   int // offset of the hash page holding the item
	item       int // offset of the off-page entry
	firstOvfPg int
}

func findBDBItem(t testing.TB, data []byte) bdbItem {
	t.Helper()
	le := binary.LittleEndian
	ps := int(le.Uint32(data[20:]))
	for off := ps; off+ps <= len(data); off += ps {
		pg := data[off : off+ps]
		if pg[25] != bdbHashPage && pg[25] != bdbHashUnsorted {
			continue
		}
		n := int(le.Uint16(pg[20:]))
		for i := 1; i < n; i += 2 {
			v := int(le.Uint16(pg[26+2*i:]))
			if pg[v] == bdbOffPageItem {
				return bdbItem{pageSize: ps, hashPage: off, item: off + v, firstOvfPg: int(le.Uint32(pg[v+4:]))}
			}
		}
	}
	t.Fatal("no off-page item")
	return bdbItem{}
}

// TestCorruptBDB: damage that crashes or hangs go-rpmdb's own Berkeley DB
// reader gives a warning naming the file here.
func TestCorruptBDB(t *testing.T) {
	orig := readFixture(t, bdbFixture)
	it := findBDBItem(t, orig)
	le := binary.LittleEndian
	ovf := it.firstOvfPg * it.pageSize
	tests := []struct {
		name   string
		mutate func(b []byte)
		warn   string
	}{
		{"entry count past the page (go-rpmdb: slice panic in its goroutine)", func(b []byte) { le.PutUint16(b[it.hashPage+20:], 60000) }, "invalid entry count 60000"},
		{"odd entry count", func(b []byte) { le.PutUint16(b[it.hashPage+20:], 3) }, "invalid entry count 3"},
		{"overflow chain loops on itself", func(b []byte) { le.PutUint32(b[ovf+16:], uint32(it.firstOvfPg)) }, "reached twice"},
		{"non-overflow page in the chain (go-rpmdb: endless loop)", func(b []byte) { b[ovf+25] = bdbHashPage }, "in an overflow chain has type 13"},
		{"chain shorter than announced", func(b []byte) { le.PutUint32(b[it.item+8:], le.Uint32(b[it.item+8:])+1) }, "announced"},
		{"huge announced length", func(b []byte) { le.PutUint32(b[it.item+8:], 0xffffffff) }, "exceeds the 67108864-byte limit"},
		{"overflow page beyond the file", func(b []byte) { le.PutUint32(b[it.item+4:], 0x00ffffff) }, "beyond the end of the database"},
		{"overflow page data length past the page", func(b []byte) { le.PutUint16(b[ovf+22:], 0xffff) }, "claims 65535 bytes"},
		{"item offset past the page", func(b []byte) { le.PutUint16(b[it.hashPage+26+2:], uint16(it.pageSize+10)) }, "outside the page"},
		{"invalid page size", func(b []byte) { le.PutUint32(b[20:], 1234) }, "bdb database unreadable: invalid Berkeley DB page size 1234"},
		{"encrypted", func(b []byte) { b[24] = 1 }, "encrypted Berkeley DB is not supported"},
		{"header blob damaged", func(b []byte) {
			// The blob starts on the first overflow page: a huge tag count.
			binary.BigEndian.PutUint32(b[ovf+bdbPageHeaderSize:], 0x7fffffff)
		}, "header of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bytes.Clone(orig)
			tt.mutate(b)
			inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, rootWithBytes(t, b, "Packages")))
			assertWarned(t, inv, warnings, "/var/lib/rpm/Packages", tt.warn, 0)
		})
	}
}

func assertWarned(t *testing.T, inv *model.Inventory, warnings []model.Warning, path, want string, pkgs int) {
	t.Helper()
	if len(inv.Packages) != pkgs {
		t.Errorf("%d packages, want %d", len(inv.Packages), pkgs)
	}
	if !testutil.HasWarning(warnings, path, want) {
		t.Errorf("no warning on %s containing %q; got %v", path, want, warnings)
	}
}

// TestCorruptNDB: damage to one slot or blob costs that package only.
func TestCorruptNDB(t *testing.T) {
	orig := readFixture(t, ndbFixture)
	le := binary.LittleEndian
	slot := func(n int) int { return n * ndbSlotSize }
	blobOff := func(b []byte, n int) int { return int(le.Uint32(b[slot(n)+8:])) * ndbBlockSize }
	tests := []struct {
		name   string
		mutate func(b []byte)
		warn   string
		pkgs   int
	}{
		{"huge blob length (go-rpmdb: allocates it)", func(b []byte) { le.PutUint32(b[blobOff(b, 2)+12:], 0xfffffff0) }, "exceeds the 67108864-byte limit", 34},
		{"blob longer than its blocks", func(b []byte) {
			le.PutUint32(b[blobOff(b, 2)+12:], le.Uint32(b[slot(2)+12:])*ndbBlockSize)
		}, "is larger than its", 34},
		{"bad slot magic (go-rpmdb: prints to stdout, stops)", func(b []byte) { b[slot(3)] = 'X' }, "slot 3: bad magic", 34},
		{"bad blob magic", func(b []byte) { b[blobOff(b, 2)] = 'X' }, "bad blob header", 34},
		{"package index used twice", func(b []byte) { copy(b[slot(3)+4:slot(3)+8], b[slot(2)+4:slot(2)+8]) }, "package index used twice", 34},
		{"blob offset inside the slot pages", func(b []byte) { le.PutUint32(b[slot(2)+8:], 1) }, "inside the slot pages", 34},
		{"damaged header", func(b []byte) { binary.BigEndian.PutUint32(b[blobOff(b, 2)+16:], 0x7fffffff) }, "package header at slot 2 (package index 1): header of", 34},
		{"slot page count out of range", func(b []byte) { le.PutUint32(b[12:], 5000) }, "ndb database unreadable: invalid slot page count 5000", 0},
		{"unsupported version", func(b []byte) { le.PutUint32(b[4:], 7) }, "unsupported ndb version 7", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bytes.Clone(orig)
			tt.mutate(b)
			inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, rootWithBytes(t, b, "Packages.db")))
			assertWarned(t, inv, warnings, "/var/lib/rpm/Packages.db", tt.warn, tt.pkgs)
		})
	}
}

// TestHostileSQLiteSchema: a Packages view (code chosen by the image) is
// refused, not queried.
func TestHostileSQLiteSchema(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "var/lib/rpm/rpmdb.sqlite")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sqlOpenForTest(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE real (hnum INTEGER PRIMARY KEY, blob BLOB)",
		"CREATE VIEW Packages AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM r) SELECT x AS hnum, x AS blob FROM r",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	start := time.Now()
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, dir))
	assertWarned(t, inv, warnings, "/var/lib/rpm/rpmdb.sqlite", "Packages is a view, not a plain table", 0)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestGoRPMDBCrashesOnCorruptBDB documents why Ward does not hand database
// files to go-rpmdb: on a damaged Berkeley DB its reader goroutine panics,
// which no recover can catch and which ends the process. It runs go-rpmdb
// in a child process (this test binary) and checks that it dies, then that
// Ward reads the same file with a warning. If a go-rpmdb upgrade fixes
// this, the test says so.
func TestGoRPMDBCrashesOnCorruptBDB(t *testing.T) {
	if p := os.Getenv("WARD_GORPMDB_CRASH_DB"); p != "" {
		defer func() { recover() }() // cannot catch the goroutine's panic
		db, err := gorpmdb.Open(p)
		if err == nil {
			db.ListPackages()
		}
		return
	}
	b := readFixture(t, bdbFixture)
	it := findBDBItem(t, b)
	binary.LittleEndian.PutUint16(b[it.hashPage+20:], 60000)
	dir := rootWithBytes(t, b, "Packages")
	db := filepath.Join(dir, "var/lib/rpm/Packages")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestGoRPMDBCrashesOnCorruptBDB$")
	cmd.Env = append(os.Environ(), "WARD_GORPMDB_CRASH_DB="+db)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "panic: runtime error") {
		t.Logf("go-rpmdb no longer crashes on this file (err %v); rpmdb's reasons for replacing it may be revisited:\n%s", err, out)
	}
	inv, warnings := testutil.Collect(t, New(), testutil.OpenRoot(t, dir))
	assertWarned(t, inv, warnings, "/var/lib/rpm/Packages", "invalid entry count 60000", 0)
}

// sqlOpenForTest opens (creating) a SQLite file on the host, for building
// hostile fixtures in tests only.
func sqlOpenForTest(p string) (*sql.DB, error) { return sql.Open("sqlite", p) }
