package rpmdb

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"testing"
)

// Real databases in the rpm collector's testdata (see testdata/sources/ospkg.md).
const (
	bdbFixture   = "../testdata/roots/bdb/var/lib/rpm/Packages"
	epochFixture = "../testdata/roots/bdb-epoch/var/lib/rpm/Packages"
	ndbFixture   = "../testdata/roots/ndb/usr/lib/sysimage/rpm/Packages.db"
	maxHeader    = 64 << 20
)

func readFixture(t testing.TB, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// blobsOf reads the header blobs of a real ndb or bdb database.
func blobsOf(t testing.TB, path string) [][]byte {
	t.Helper()
	data := readFixture(t, path)
	var blobs [][]byte
	fn := func(_ string, b []byte) { blobs = append(blobs, bytes.Clone(b)) }
	warn := func(err error) { t.Fatalf("reading %s: %v", path, err) }
	read := ReadBDB
	if DetectFormat(data) == FormatNDB {
		read = ReadNDB
	}
	if err := read(context.Background(), bytes.NewReader(data), int64(len(data)), maxHeader, fn, warn); err != nil {
		t.Fatal(err)
	}
	return blobs
}

func firstBlob(t testing.TB, path string) []byte { return blobsOf(t, path)[0] }

// FuzzReadBDB: any bytes as a Berkeley DB: no panic, no blob over the cap.
func FuzzReadBDB(f *testing.F) {
	f.Add(readFixture(f, epochFixture))
	f.Add(readFixture(f, bdbFixture))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzReader(t, ReadBDB, data)
	})
}

// FuzzReadNDB: any bytes as an ndb database: no panic, no blob over the cap.
func FuzzReadNDB(f *testing.F) {
	f.Add(ndbImage(firstBlob(f, bdbFixture)))
	f.Add(readFixture(f, ndbFixture)[:64<<10])
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzReader(t, ReadNDB, data)
	})
}

type dbReader func(context.Context, io.ReaderAt, int64, int64, func(string, []byte), func(error)) error

func fuzzReader(t *testing.T, read dbReader, data []byte) {
	const max = 1 << 20
	_ = read(context.Background(), bytes.NewReader(data), int64(len(data)), max,
		func(id string, blob []byte) {
			if len(blob) > max || id == "" {
				t.Fatalf("blob of %d bytes (cap %d), id %q", len(blob), max, id)
			}
			_, _ = DecodeHeader(blob)
		},
		func(error) {})
}

// ndbImage lays out a one-package ndb database holding blob: a small,
// valid seed for FuzzReadNDB.
func ndbImage(blob []byte) []byte {
	blocks := (ndbBlobHeadSize + len(blob) + ndbBlockSize - 1) / ndbBlockSize
	b := make([]byte, ndbPageSize+blocks*ndbBlockSize)
	le := binary.LittleEndian
	le.PutUint32(b[0:], ndbHeaderMagic)
	le.PutUint32(b[12:], 1) // one slot page
	for s := 2; s < ndbPageSize/ndbSlotSize; s++ {
		le.PutUint32(b[s*ndbSlotSize:], ndbSlotMagic)
	}
	le.PutUint32(b[2*ndbSlotSize+4:], 1)
	le.PutUint32(b[2*ndbSlotSize+8:], ndbPageSize/ndbBlockSize)
	le.PutUint32(b[2*ndbSlotSize+12:], uint32(blocks))
	h := b[ndbPageSize:]
	le.PutUint32(h[0:], ndbBlobMagic)
	le.PutUint32(h[4:], 1)
	le.PutUint32(h[12:], uint32(len(blob)))
	copy(h[ndbBlobHeadSize:], blob)
	return b
}
