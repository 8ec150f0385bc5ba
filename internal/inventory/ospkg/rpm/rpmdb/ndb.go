package rpmdb

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// rpm's "ndb" database, Packages.db (SUSE; rpm's lib/backend/ndb/rpmpkg.c):
// a 32-byte header, slot pages of 16-byte slots, then blobs in 16-byte blocks.
const (
	ndbHeaderMagic  = 'R' | 'p'<<8 | 'm'<<16 | 'P'<<24
	ndbSlotMagic    = 'S' | 'l'<<8 | 'o'<<16 | 't'<<24
	ndbBlobMagic    = 'B' | 'l'<<8 | 'b'<<16 | 'S'<<24
	ndbVersion      = 0
	ndbPageSize     = 4096
	ndbSlotSize     = 16
	ndbBlockSize    = 16
	ndbBlobHeadSize = 16
	ndbMaxSlotPages = 2048 // go-rpmdb's bound; 524288 packages
)

// ReadNDB passes each package header blob of an ndb rpm database to fn,
// with every offset and length checked against the file and maxBlob.
// Problems with one slot go to warn; the returned error means the file is
// not a usable ndb database. The blob passed to fn is reused after fn returns.
func ReadNDB(ctx context.Context, r io.ReaderAt, size int64, maxBlob int64, fn func(id string, blob []byte), warn func(error)) error {
	head := make([]byte, 32)
	if _, err := r.ReadAt(head, 0); err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	le := binary.LittleEndian
	if le.Uint32(head[0:]) != ndbHeaderMagic {
		return errors.New("not an ndb database (bad magic)")
	}
	if v := le.Uint32(head[4:]); v != ndbVersion {
		return fmt.Errorf("unsupported ndb version %d", v)
	}
	slotPages := int64(le.Uint32(head[12:]))
	if slotPages == 0 || slotPages > ndbMaxSlotPages {
		return fmt.Errorf("invalid slot page count %d", slotPages)
	}
	if slotPages*ndbPageSize > size {
		return fmt.Errorf("database truncated: %d slot pages do not fit in %d bytes", slotPages, size)
	}
	page := make([]byte, ndbPageSize)
	blobHead := make([]byte, ndbBlobHeadSize)
	var blob []byte
	seen := map[uint32]bool{}
	pastEnd := 0
	for p := int64(0); p < slotPages; p++ {
		if _, err := r.ReadAt(page, p*ndbPageSize); err != nil {
			return fmt.Errorf("read slot page %d: %w", p, err)
		}
		first := int64(0)
		if p == 0 {
			first = 2 // the database header takes the first two slots
		}
		for s := first; s < ndbPageSize/ndbSlotSize; s++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			slot := page[s*ndbSlotSize:]
			n := p*ndbPageSize/ndbSlotSize + s
			if le.Uint32(slot[0:]) != ndbSlotMagic {
				warn(fmt.Errorf("slot %d: bad magic", n))
				continue
			}
			pkgIndex := le.Uint32(slot[4:])
			if pkgIndex == 0 {
				continue // free slot
			}
			id := fmt.Sprintf("slot %d (package index %d)", n, pkgIndex)
			if seen[pkgIndex] {
				warn(fmt.Errorf("%s: package index used twice", id))
				continue
			}
			seen[pkgIndex] = true
			off := int64(le.Uint32(slot[8:])) * ndbBlockSize
			blocks := int64(le.Uint32(slot[12:]))
			if off < slotPages*ndbPageSize {
				warn(fmt.Errorf("%s: blob offset %d inside the slot pages", id, off))
				continue
			}
			if off+blocks*ndbBlockSize > size {
				pastEnd++ // a truncated file: one warning for all, below
				continue
			}
			if _, err := r.ReadAt(blobHead, off); err != nil {
				warn(fmt.Errorf("%s: read blob header: %w", id, err))
				continue
			}
			if le.Uint32(blobHead[0:]) != ndbBlobMagic || le.Uint32(blobHead[4:]) != pkgIndex {
				warn(fmt.Errorf("%s: bad blob header", id))
				continue
			}
			n64 := int64(le.Uint32(blobHead[12:]))
			switch {
			case n64 > maxBlob:
				warn(fmt.Errorf("%s: header of %d bytes exceeds the %d-byte limit", id, n64, maxBlob))
				continue
			case ndbBlobHeadSize+n64 > blocks*ndbBlockSize:
				warn(fmt.Errorf("%s: blob of %d bytes is larger than its %d blocks", id, n64, blocks))
				continue
			}
			if int64(cap(blob)) < n64 {
				blob = make([]byte, n64)
			}
			blob = blob[:n64]
			if _, err := r.ReadAt(blob, off+ndbBlobHeadSize); err != nil {
				warn(fmt.Errorf("%s: read blob: %w", id, err))
				continue
			}
			fn(id, blob)
		}
	}
	if pastEnd > 0 {
		warn(fmt.Errorf("database truncated at %d bytes: %d packages lie past the end", size, pastEnd))
	}
	return nil
}
