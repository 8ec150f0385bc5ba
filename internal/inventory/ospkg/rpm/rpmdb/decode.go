package rpmdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Header tags Ward reads (rpm's include/rpm/rpmtag.h).
const (
	tagName       = 1000
	tagVersion    = 1001
	tagRelease    = 1002
	tagEpoch      = 1003
	tagVendor     = 1011
	tagLicense    = 1014
	tagArch       = 1022
	tagSourceRPM  = 1044
	tagDirIndexes = 1116
	tagBaseNames  = 1117
	tagDirNames   = 1118

	typeInt32 = 4
)

// Header is what Ward keeps of a package header. Epoch is 0 when unset.
type Header struct {
	Name, Version, Release, Arch string
	Epoch                        int
	SourceRPM, Vendor, License   string
	Files                        []string
}

// DecodeHeader validates blob (parseHeader) and reads the package's
// identity and installed file list, with the tag types go-rpmdb's
// getNEVRA requires. A tag seen again replaces the earlier entry, as rpm's
// "dribble" entries replace those of the region. Only the tags Ward uses
// are decoded; the result shares no memory with blob.
func DecodeHeader(blob []byte) (*Header, error) {
	h, err := parseHeader(blob)
	if err != nil {
		return nil, err
	}
	p := &Header{}
	var dirIndexes, baseNames, dirNames *entryInfo
	first := int64(0)
	if h.hasRegion {
		first = 1
	}
	for i := first; i < h.il; i++ {
		e := h.entry(i)
		switch e.tag {
		case tagName:
			p.Name, err = h.str(e, "name")
		case tagVersion:
			p.Version, err = h.str(e, "version")
		case tagRelease:
			p.Release, err = h.str(e, "release")
		case tagArch:
			p.Arch, err = h.str(e, "arch")
		case tagSourceRPM:
			p.SourceRPM, err = h.strOrNone(e, "sourcerpm")
		case tagVendor:
			p.Vendor, err = h.strOrNone(e, "vendor")
		case tagLicense:
			p.License, err = h.strOrNone(e, "license")
		case tagEpoch:
			if e.typ != typeInt32 {
				err = errors.New("invalid tag epoch")
			} else {
				p.Epoch = int(int32(binary.BigEndian.Uint32(h.data(e))))
			}
		case tagDirIndexes:
			if e.typ != typeInt32 {
				err = errors.New("invalid tag dir indexes")
			}
			dirIndexes = &e
		case tagBaseNames:
			if e.typ != typeStringArray {
				err = errors.New("invalid tag base names")
			}
			baseNames = &e
		case tagDirNames:
			if e.typ != typeStringArray {
				err = errors.New("invalid tag dir names")
			}
			dirNames = &e
		}
		if err != nil {
			return nil, err
		}
	}
	if dirIndexes != nil && baseNames != nil && dirNames != nil {
		p.Files, err = h.files(*dirIndexes, *baseNames, *dirNames)
	}
	return p, err
}

// data is an entry's data, as verifyInfo measured it.
func (h *hdr) data(e entryInfo) []byte {
	start := h.dataStart + e.offset
	return h.blob[start : start+h.dataLength(e.typ, e.count, start)]
}

func (h *hdr) str(e entryInfo, what string) (string, error) {
	if e.typ != typeString {
		return "", fmt.Errorf("invalid tag %s", what)
	}
	d := h.data(e)
	return string(d[:len(d)-1]), nil // drop the NUL
}

// strOrNone reads a string tag where rpm writes "(none)" for unset.
func (h *hdr) strOrNone(e entryInfo, what string) (string, error) {
	s, err := h.str(e, what)
	if s == "(none)" {
		s = ""
	}
	return s, err
}

// files joins directory and base names into paths (as go-rpmdb's
// InstalledFileNames, path.Join). All paths share one string: one
// allocation per package instead of one per file.
func (h *hdr) files(dirIndexes, baseNames, dirNames entryInfo) ([]string, error) {
	n := int(baseNames.count)
	if int(dirIndexes.count) != n || int(dirNames.count) > n {
		return nil, fmt.Errorf("file list: %d dir indexes, %d base names, %d dir names", dirIndexes.count, n, dirNames.count)
	}
	if n == 0 || dirNames.count == 0 {
		return nil, nil
	}
	dirs := strings.Split(string(h.data(dirNames)), "\x00")[:dirNames.count]
	idx := h.data(dirIndexes)
	bases := h.data(baseNames)
	dirOf := func(i int) (string, error) {
		d := int32(binary.BigEndian.Uint32(idx[4*i:]))
		if d < 0 || int(d) >= len(dirs) {
			return "", fmt.Errorf("file list: dir index %d out of range", d)
		}
		return dirs[d], nil
	}
	// First pass: size the shared string; second: fill it.
	total := 0
	rest := bases
	for i := range n {
		end := indexNUL(rest)
		dir, err := dirOf(i)
		if err != nil {
			return nil, err
		}
		total += len(dir) + 1 + end
		rest = rest[end+1:]
	}
	var b strings.Builder
	b.Grow(total)
	ends := make([]int, n)
	rest = bases
	for i := range n {
		end := indexNUL(rest)
		dir, _ := dirOf(i)
		b.WriteString(dir)
		if dir != "" && !strings.HasSuffix(dir, "/") && end > 0 {
			b.WriteByte('/')
		}
		b.Write(rest[:end])
		ends[i] = b.Len()
		rest = rest[end+1:]
	}
	all := b.String()
	files := make([]string, n)
	start := 0
	for i, end := range ends {
		f := all[start:end]
		// path.Clean does not allocate for a clean path, the usual case.
		if f != "" {
			f = path.Clean(f)
		}
		files[i] = f
		start = end
	}
	return files, nil
}

// indexNUL is the length of the NUL-terminated string at the start of b;
// verifyInfo made sure the NUL is there.
func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return len(b)
}
