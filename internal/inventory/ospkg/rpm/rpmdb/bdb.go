package rpmdb

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Berkeley DB hash database layout, as rpm < 4.16 wrote /var/lib/rpm/Packages
// (db/dbinc/db_page.h; go-rpmdb's pkg/bdb).
const (
	bdbHashMagic      = 0x061561
	bdbMetaPageType   = 8
	bdbHashPage       = 13 // P_HASH
	bdbHashUnsorted   = 2  // P_HASH_UNSORTED, rpm on RHEL 5
	bdbOverflowPage   = 7  // P_OVERFLOW
	bdbOffPageItem    = 3  // H_OFFPAGE: the value lives in an overflow chain
	bdbPageHeaderSize = 26
	bdbOffPageSize    = 12
)

var bdbPageSizes = map[uint32]bool{512: true, 1024: true, 2048: true, 4096: true, 8192: true, 16384: true, 32768: true, 65536: true}

// ReadBDB passes each package header blob of a Berkeley DB rpm database to
// fn, with an id naming where it was found. It reads what go-rpmdb's bdb
// reader reads, but with every offset bounds-checked, overflow chains
// checked for loops and shared pages (so the work is linear in the file
// size), and blobs capped at maxBlob. Problems with one item go to warn and
// the rest is read; the returned error means the file is not a usable
// Berkeley DB at all. The blob passed to fn is reused after fn returns.
func ReadBDB(ctx context.Context, r io.ReaderAt, size int64, maxBlob int64, fn func(id string, blob []byte), warn func(error)) error {
	meta := make([]byte, 512)
	if size < int64(len(meta)) {
		return fmt.Errorf("%d bytes is too short for a Berkeley DB", size)
	}
	if _, err := r.ReadAt(meta, 0); err != nil {
		return fmt.Errorf("read metadata page: %w", err)
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch {
	case binary.LittleEndian.Uint32(meta[12:]) == bdbHashMagic:
	case binary.BigEndian.Uint32(meta[12:]) == bdbHashMagic:
		order = binary.BigEndian
	default:
		return errors.New("not a Berkeley DB hash database (bad magic)")
	}
	pageSize := order.Uint32(meta[20:])
	if !bdbPageSizes[pageSize] {
		return fmt.Errorf("invalid Berkeley DB page size %d", pageSize)
	}
	if meta[24] != 0 {
		return errors.New("encrypted Berkeley DB is not supported")
	}
	if meta[25] != bdbMetaPageType {
		return fmt.Errorf("unexpected metadata page type %d", meta[25])
	}
	lastPage := int64(order.Uint32(meta[32:]))
	ps := int64(pageSize)
	if pages := size / ps; lastPage >= pages {
		warn(fmt.Errorf("database truncated: %d pages expected, %d present", lastPage+1, pages))
		lastPage = pages - 1
	}
	b := &bdbReader{r: r, order: order, ps: ps, lastPage: lastPage, maxBlob: maxBlob,
		used: make([]bool, lastPage+1), page: make([]byte, ps), ovf: make([]byte, ps)}
	for pg := int64(1); pg <= lastPage; pg++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := r.ReadAt(b.page, pg*ps); err != nil {
			return fmt.Errorf("read page %d: %w", pg, err)
		}
		if t := b.page[25]; t != bdbHashPage && t != bdbHashUnsorted {
			continue
		}
		b.hashPage(pg, fn, warn)
	}
	return nil
}

type bdbReader struct {
	r        io.ReaderAt
	order    binary.ByteOrder
	ps       int64
	lastPage int64
	maxBlob  int64
	used     []bool // overflow pages already part of a chain
	page     []byte // the hash page being read
	ovf      []byte // the overflow page being read
	blob     []byte // reused blob buffer
}

// hashPage reads the values of one hash page: entries come in key/value
// pairs, and rpm headers are the values stored off-page.
func (b *bdbReader) hashPage(pg int64, fn func(string, []byte), warn func(error)) {
	n := int64(b.order.Uint16(b.page[20:]))
	if n%2 != 0 || bdbPageHeaderSize+2*n > b.ps {
		warn(fmt.Errorf("page %d: invalid entry count %d", pg, n))
		return
	}
	for i := int64(1); i < n; i += 2 {
		id := fmt.Sprintf("page %d item %d", pg, i/2)
		off := int64(b.order.Uint16(b.page[bdbPageHeaderSize+2*i:]))
		if off >= b.ps {
			warn(fmt.Errorf("%s: offset %d outside the page", id, off))
			continue
		}
		if b.page[off] != bdbOffPageItem {
			continue // an inline value (rpm keeps counters there), not a header
		}
		if off+bdbOffPageSize > b.ps {
			warn(fmt.Errorf("%s: off-page entry crosses the page end", id))
			continue
		}
		first := int64(b.order.Uint32(b.page[off+4:]))
		length := int64(b.order.Uint32(b.page[off+8:]))
		blob, err := b.overflow(first, length)
		if err != nil {
			warn(fmt.Errorf("%s: %w", id, err))
			continue
		}
		fn(id, blob)
	}
}

// overflow reassembles a value from its chain of overflow pages.
func (b *bdbReader) overflow(pg, length int64) ([]byte, error) {
	if length > b.maxBlob {
		return nil, fmt.Errorf("header of %d bytes exceeds the %d-byte limit", length, b.maxBlob)
	}
	// Size the buffer once: growing it by append would leave a trail of
	// garbage several times a large header. A hostile length cannot make it
	// larger than the pages the file holds.
	if want := min(length, b.lastPage*(b.ps-bdbPageHeaderSize)); int64(cap(b.blob)) < want {
		b.blob = make([]byte, 0, want)
	}
	b.blob = b.blob[:0]
	for pg != 0 {
		if pg < 1 || pg > b.lastPage {
			return nil, fmt.Errorf("overflow page %d is beyond the end of the database", pg)
		}
		if b.used[pg] {
			return nil, fmt.Errorf("overflow page %d is reached twice (loop or shared chain)", pg)
		}
		b.used[pg] = true
		if _, err := b.r.ReadAt(b.ovf, pg*b.ps); err != nil {
			return nil, fmt.Errorf("read overflow page %d: %w", pg, err)
		}
		if b.ovf[25] != bdbOverflowPage {
			return nil, fmt.Errorf("page %d in an overflow chain has type %d", pg, b.ovf[25])
		}
		// On overflow pages the "free area offset" field holds the data length.
		n := int64(b.order.Uint16(b.ovf[22:]))
		if bdbPageHeaderSize+n > b.ps {
			return nil, fmt.Errorf("overflow page %d claims %d bytes", pg, n)
		}
		if int64(len(b.blob))+n > length {
			return nil, fmt.Errorf("overflow chain holds more than the %d bytes announced", length)
		}
		b.blob = append(b.blob, b.ovf[bdbPageHeaderSize:bdbPageHeaderSize+n]...)
		pg = int64(b.order.Uint32(b.ovf[16:]))
	}
	if int64(len(b.blob)) != length {
		return nil, fmt.Errorf("overflow chain holds %d bytes, %d announced", len(b.blob), length)
	}
	return b.blob, nil
}
