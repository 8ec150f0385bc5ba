package rpmdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// parseHeader validates an rpm header blob the way rpm itself does before
// trusting it (hdrblobInit, hdrblobVerifyRegion and hdrblobVerifyInfo in
// rpm's lib/header.c): sizes inside the blob, a sane region, every entry of
// a known type, aligned, in order, not overlapping, strings terminated.
// Only then are its entries read (DecodeHeader).
func parseHeader(blob []byte) (*hdr, error) {
	if len(blob) < 8 {
		return nil, fmt.Errorf("header of %d bytes is shorter than its preamble", len(blob))
	}
	il := int64(int32(binary.BigEndian.Uint32(blob[0:4])))
	dl := int64(int32(binary.BigEndian.Uint32(blob[4:8])))
	if il < 1 {
		return nil, errors.New("header has no tags")
	}
	if dl < 0 {
		return nil, fmt.Errorf("header data length %d is negative", dl)
	}
	dataStart := 8 + il*entryInfoSize
	dataEnd := dataStart + dl
	if dataEnd >= headerMaxBytes {
		return nil, fmt.Errorf("header of %d bytes exceeds rpm's limit", dataEnd)
	}
	if dataEnd > int64(len(blob)) {
		return nil, fmt.Errorf("header claims %d bytes but has %d", dataEnd, len(blob))
	}
	h := &hdr{blob: blob, il: il, dl: dl, dataStart: dataStart, dataEnd: dataEnd}
	if err := h.verifyRegion(); err != nil {
		return nil, err
	}
	if err := h.verifyInfo(); err != nil {
		return nil, err
	}
	return h, nil
}

const (
	entryInfoSize  = 16
	headerMaxBytes = 256 << 20 // rpm's headerMaxbytes

	tagHeaderImage      = 61
	tagHeaderSignatures = 62
	tagHeaderImmutable  = 63
	tagI18NTable        = 100 // the lowest tag of a regular entry

	typeString      = 6
	typeBin         = 7
	typeStringArray = 8
	typeI18NString  = 9
	typeMax         = 9
)

// Byte sizes and alignments of the rpm tag types (-1: NUL-terminated strings).
var (
	typeSizes = [typeMax + 1]int64{0, 1, 1, 2, 4, 8, -1, 1, -1, -1}
	typeAlign = [typeMax + 1]int64{1, 1, 1, 2, 4, 8, 1, 1, 1, 1}
)

type entryInfo struct {
	tag    int64
	typ    uint32
	offset int64
	count  uint32
}

type hdr struct {
	blob               []byte
	il, dl             int64
	dataStart, dataEnd int64
	hasRegion          bool
}

func (h *hdr) entry(i int64) entryInfo {
	b := h.blob[8+i*entryInfoSize:]
	return entryInfo{
		tag:    int64(int32(binary.BigEndian.Uint32(b[0:4]))),
		typ:    binary.BigEndian.Uint32(b[4:8]),
		offset: int64(int32(binary.BigEndian.Uint32(b[8:12]))),
		count:  binary.BigEndian.Uint32(b[12:16]),
	}
}

// verifyRegion checks the region tag that opens a v4 header: its trailer
// must lie in the data and point back at a sane number of entries.
func (h *hdr) verifyRegion() error {
	first := h.entry(0)
	switch first.tag {
	case tagHeaderImage, tagHeaderSignatures, tagHeaderImmutable:
	default:
		return nil // a legacy header without region; verifyInfo checks its tags
	}
	if first.typ != typeBin || first.count != entryInfoSize {
		return errors.New("invalid region tag")
	}
	if first.offset < 0 || first.offset+entryInfoSize > h.dl {
		return errors.New("invalid region offset")
	}
	tb := h.blob[h.dataStart+first.offset:]
	trailerTag := int64(int32(binary.BigEndian.Uint32(tb[0:4])))
	trailerType := binary.BigEndian.Uint32(tb[4:8])
	trailerOffset := -int64(int32(binary.BigEndian.Uint32(tb[8:12])))
	trailerCount := binary.BigEndian.Uint32(tb[12:16])
	if first.tag == tagHeaderSignatures && trailerTag == tagHeaderImage {
		trailerTag = tagHeaderSignatures // old packages, as rpm fixes up
	}
	if trailerTag != first.tag || trailerType != typeBin || trailerCount != entryInfoSize {
		return errors.New("invalid region trailer")
	}
	ril := trailerOffset / entryInfoSize
	rdl := first.offset + entryInfoSize
	// ril counts the region tag itself, so a region holds at least it.
	if trailerOffset%entryInfoSize != 0 || ril < 1 || ril > h.il || rdl > h.dl {
		return errors.New("invalid region size")
	}
	h.hasRegion = true
	return nil
}

// verifyInfo checks every entry: known type, aligned, data inside the
// data area, in order and not overlapping, strings terminated.
func (h *hdr) verifyInfo() error {
	var end int64
	start := int64(0)
	if h.hasRegion {
		start = 1
	}
	for i := start; i < h.il; i++ {
		e := h.entry(i)
		switch {
		case end > e.offset:
			return fmt.Errorf("entry %d (tag %d): data overlaps the previous entry", i, e.tag)
		case e.tag < tagI18NTable:
			return fmt.Errorf("entry %d: invalid tag %d", i, e.tag)
		case e.typ > typeMax:
			return fmt.Errorf("entry %d (tag %d): invalid type %d", i, e.tag, e.typ)
		case e.offset&(typeAlign[e.typ]-1) != 0:
			return fmt.Errorf("entry %d (tag %d): misaligned data", i, e.tag)
		case e.offset < 0 || e.offset > h.dl:
			return fmt.Errorf("entry %d (tag %d): data offset out of range", i, e.tag)
		}
		n := h.dataLength(e.typ, e.count, h.dataStart+e.offset)
		end = e.offset + n
		if n <= 0 || end > h.dl {
			return fmt.Errorf("entry %d (tag %d): invalid data length", i, e.tag)
		}
	}
	return nil
}

// dataLength is the byte length of an entry's data starting at start, or
// -1 when it does not fit before the end of the data area.
func (h *hdr) dataLength(typ, count uint32, start int64) int64 {
	switch typ {
	case typeString, typeStringArray, typeI18NString:
		if typ == typeString && count != 1 {
			return -1
		}
		// Each string takes at least its NUL: bound the loop by the data.
		if int64(count) > h.dataEnd-start {
			return -1
		}
		pos := start
		for c := count; c > 0; c-- {
			i := bytes.IndexByte(h.blob[pos:h.dataEnd], 0)
			if i < 0 {
				return -1
			}
			pos += int64(i) + 1
		}
		return pos - start
	default:
		n := typeSizes[typ] * int64(count)
		if start+n > h.dataEnd {
			return -1
		}
		return n
	}
}
