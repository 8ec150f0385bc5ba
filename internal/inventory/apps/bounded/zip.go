package bounded

import (
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ZipLimits bound the work done on one archive.
type ZipLimits struct {
	MaxEntries int   // central directory records examined; 0 means 100000
	MaxBytes   int64 // uncompressed bytes returned for one entry; 0 means 1 MiB
}

func (l ZipLimits) entries() int {
	if l.MaxEntries <= 0 {
		return 100000
	}
	return l.MaxEntries
}

func (l ZipLimits) bytes() int64 {
	if l.MaxBytes <= 0 {
		return 1 << 20
	}
	return l.MaxBytes
}

var (
	// ErrNotZip means no end-of-central-directory record was found.
	ErrNotZip = errors.New("not a zip archive")
	// ErrEntryNotFound means the archive has no entry of that name.
	ErrEntryNotFound = errors.New("zip entry not found")
	// ErrEntryTooLarge means the entry inflates past the byte limit.
	ErrEntryTooLarge = errors.New("zip entry exceeds size limit")
)

const (
	sigEOCD      = 0x06054b50
	sigEOCD64    = 0x06064b50
	sigLocator64 = 0x07064b50
	sigCentral   = 0x02014b50
	sigLocal     = 0x04034b50
	eocdLen      = 22
	maxComment   = 0xffff
)

// ZipEntryInfo is one central directory record.
type ZipEntryInfo struct {
	Name             string
	Method           uint16
	Flags            uint16
	CompressedSize   uint64
	UncompressedSize uint64
	headerOffset     uint64
}

// centralDir locates the central directory. base is the number of bytes
// prepended to the archive (a launch script in front of an executable jar),
// which every offset recorded in the archive must be shifted by.
type centralDir struct {
	off, length, count uint64
	base               uint64
}

// directory locates the central directory. Unlike archive/zip it never
// loads the directory into memory, so a hostile archive with millions of
// entries costs time (bounded) but not memory.
func directory(r io.ReaderAt, size int64) (centralDir, error) {
	off, length, count, base, err := findDirectory(r, size)
	return centralDir{off: off, length: length, count: count, base: base}, err
}

func findDirectory(r io.ReaderAt, size int64) (off, length, count, base uint64, err error) {
	if size < eocdLen {
		return 0, 0, 0, 0, ErrNotZip
	}
	tail := int64(eocdLen + maxComment)
	if tail > size {
		tail = size
	}
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, 0, 0, 0, err
	}
	pos := -1
	for i := len(buf) - eocdLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == sigEOCD {
			// The comment length must reach exactly to the end of the file;
			// this rejects a signature that merely occurs inside the comment.
			if int(binary.LittleEndian.Uint16(buf[i+20:]))+i+eocdLen == len(buf) {
				pos = i
				break
			}
		}
	}
	if pos < 0 {
		return 0, 0, 0, 0, ErrNotZip
	}
	e := buf[pos:]
	count = uint64(binary.LittleEndian.Uint16(e[10:]))
	length = uint64(binary.LittleEndian.Uint32(e[12:]))
	off = uint64(binary.LittleEndian.Uint32(e[16:]))
	eocdAt := uint64(size - tail + int64(pos))
	if count == 0xffff || length == 0xffffffff || off == 0xffffffff {
		if o, l, c, ok := directory64(r, int64(eocdAt)); ok {
			off, length, count = o, l, c
		}
	} else if off+length < eocdAt {
		// The directory ends right before the end record; any gap is
		// data prepended to the whole archive.
		base = eocdAt - off - length
	}
	if off+base > uint64(size) || length > uint64(size)-off-base {
		return 0, 0, 0, 0, fmt.Errorf("zip central directory outside the file")
	}
	return off, length, count, base, nil
}

// directory64 reads the zip64 end record that the locator before eocdAt names.
func directory64(r io.ReaderAt, eocdAt int64) (off, length, count uint64, ok bool) {
	if eocdAt < 20 {
		return 0, 0, 0, false
	}
	loc := make([]byte, 20)
	if _, err := r.ReadAt(loc, eocdAt-20); err != nil || binary.LittleEndian.Uint32(loc) != sigLocator64 {
		return 0, 0, 0, false
	}
	recAt := binary.LittleEndian.Uint64(loc[8:])
	if recAt > uint64(eocdAt) {
		return 0, 0, 0, false
	}
	rec := make([]byte, 56)
	if _, err := r.ReadAt(rec, int64(recAt)); err != nil || binary.LittleEndian.Uint32(rec) != sigEOCD64 {
		return 0, 0, 0, false
	}
	return binary.LittleEndian.Uint64(rec[48:]), binary.LittleEndian.Uint64(rec[40:]), binary.LittleEndian.Uint64(rec[32:]), true
}

// ZipWalk calls fn for each central directory record, in archive order,
// until fn returns false or the entry limit is reached.
func ZipWalk(r io.ReaderAt, size int64, lim ZipLimits, fn func(ZipEntryInfo) bool) error {
	d, err := directory(r, size)
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, int64(d.off+d.base), int64(d.length)), 32<<10)
	hdr := make([]byte, 46)
	name := make([]byte, 0, 256)
	max := uint64(lim.entries())
	for i := uint64(0); i < d.count && i < max; i++ {
		if _, err := io.ReadFull(br, hdr); err != nil {
			return fmt.Errorf("zip central directory: %w", err)
		}
		if binary.LittleEndian.Uint32(hdr) != sigCentral {
			return fmt.Errorf("zip central directory: bad record signature")
		}
		e := ZipEntryInfo{
			Flags:            binary.LittleEndian.Uint16(hdr[8:]),
			Method:           binary.LittleEndian.Uint16(hdr[10:]),
			CompressedSize:   uint64(binary.LittleEndian.Uint32(hdr[20:])),
			UncompressedSize: uint64(binary.LittleEndian.Uint32(hdr[24:])),
			headerOffset:     uint64(binary.LittleEndian.Uint32(hdr[42:])),
		}
		nameLen := int(binary.LittleEndian.Uint16(hdr[28:]))
		extraLen := int(binary.LittleEndian.Uint16(hdr[30:]))
		commentLen := int(binary.LittleEndian.Uint16(hdr[32:]))
		if cap(name) < nameLen {
			name = make([]byte, nameLen)
		}
		name = name[:nameLen]
		if _, err := io.ReadFull(br, name); err != nil {
			return fmt.Errorf("zip central directory: %w", err)
		}
		e.Name = string(name)
		if extraLen > 0 {
			extra := make([]byte, extraLen)
			if _, err := io.ReadFull(br, extra); err != nil {
				return fmt.Errorf("zip central directory: %w", err)
			}
			applyZip64Extra(&e, extra)
		}
		e.headerOffset += d.base
		if _, err := br.Discard(commentLen); err != nil {
			return fmt.Errorf("zip central directory: %w", err)
		}
		if !fn(e) {
			return nil
		}
	}
	return nil
}

// applyZip64Extra replaces 32-bit sentinel sizes with their 64-bit values.
func applyZip64Extra(e *ZipEntryInfo, extra []byte) {
	for len(extra) >= 4 {
		id := binary.LittleEndian.Uint16(extra)
		n := int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return
		}
		if id == 0x0001 {
			f := extra[:n]
			next := func(v *uint64) {
				if *v == 0xffffffff && len(f) >= 8 {
					*v = binary.LittleEndian.Uint64(f)
					f = f[8:]
				}
			}
			next(&e.UncompressedSize)
			next(&e.CompressedSize)
			next(&e.headerOffset)
			return
		}
		extra = extra[n:]
	}
}

// ZipRead returns the content of the entry called name, refusing entries
// that inflate past lim.MaxBytes.
func ZipRead(r io.ReaderAt, size int64, name string, lim ZipLimits) ([]byte, error) {
	var found *ZipEntryInfo
	err := ZipWalk(r, size, lim, func(e ZipEntryInfo) bool {
		if e.Name == name {
			found = &e
			return false
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, ErrEntryNotFound
	}
	return zipOpen(r, size, *found, lim.bytes())
}

func zipOpen(r io.ReaderAt, size int64, e ZipEntryInfo, max int64) ([]byte, error) {
	if e.Flags&1 != 0 {
		return nil, fmt.Errorf("zip entry %s is encrypted", e.Name)
	}
	if e.UncompressedSize > uint64(max) {
		return nil, fmt.Errorf("%w: %s (%d bytes)", ErrEntryTooLarge, e.Name, e.UncompressedSize)
	}
	local := make([]byte, 30)
	if e.headerOffset > uint64(size) {
		return nil, fmt.Errorf("zip entry %s: header outside the file", e.Name)
	}
	if _, err := r.ReadAt(local, int64(e.headerOffset)); err != nil {
		return nil, fmt.Errorf("zip entry %s: %w", e.Name, err)
	}
	if binary.LittleEndian.Uint32(local) != sigLocal {
		return nil, fmt.Errorf("zip entry %s: bad local header", e.Name)
	}
	dataAt := e.headerOffset + 30 + uint64(binary.LittleEndian.Uint16(local[26:])) + uint64(binary.LittleEndian.Uint16(local[28:]))
	if dataAt > uint64(size) || e.CompressedSize > uint64(size)-dataAt {
		return nil, fmt.Errorf("zip entry %s: data outside the file", e.Name)
	}
	var src io.Reader = io.NewSectionReader(r, int64(dataAt), int64(e.CompressedSize))
	switch e.Method {
	case 0: // stored
	case 8:
		fr := flate.NewReader(src)
		defer fr.Close()
		src = fr
	default:
		return nil, fmt.Errorf("zip entry %s: unsupported compression method %d", e.Name, e.Method)
	}
	// The declared size may lie; the limit applies to what actually inflates.
	data, err := io.ReadAll(io.LimitReader(src, max+1))
	if err != nil {
		return nil, fmt.Errorf("zip entry %s: %w", e.Name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: %s", ErrEntryTooLarge, e.Name)
	}
	return data, nil
}
