// Package java identifies Maven artifacts in Java archives (jar, war, ear...)
// from their pom.properties, manifest or file name, descending into nested
// archives (Spring Boot BOOT-INF/lib, war WEB-INF/lib, ear lib/).
package java

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// Small metadata entries: anything larger is not what Maven or the jar tool writes.
const (
	maxPomProperties = 64 << 10
	maxManifestMain  = 1 << 20
)

// Extract identifies the packages in the Java archive ra (size bytes) whose
// path is location, including nested archives, whose locations are joined
// with "!/" ("/opt/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar").
// Problems go to opt.Warn; Extract never panics on bad input and returns
// whatever it could identify.
func Extract(ctx context.Context, ra io.ReaderAt, size int64, location string, opt Options) []model.Package {
	opt = opt.withDefaults()
	x := &extraction{ctx: ctx, opt: opt, remaining: opt.MaxTotal}
	defer x.releaseLane()
	x.archive(ra, size, location, path.Base(location), 0)
	return x.out
}

// extraction is the state of one Extract call.
type extraction struct {
	ctx       context.Context
	opt       Options
	remaining int64 // inflation budget left (MaxTotal)
	laneHeld  bool
	out       []model.Package
}

func (x *extraction) warn(loc string, err error) {
	if x.opt.Warn != nil {
		x.opt.Warn(loc, err)
	}
}

func (x *extraction) takeLane() {
	if x.opt.Lane != nil && !x.laneHeld {
		x.opt.Lane.acquire()
		x.laneHeld = true
	}
}

func (x *extraction) releaseLane() {
	if x.laneHeld {
		x.opt.Lane.release()
		x.laneHeld = false
	}
}

// fallback records an archive that could not be opened by its name alone.
func (x *extraction) fallback(loc, entry string) {
	x.out = append(x.out, identify(level{location: loc, entry: entry})...)
}

// archive reads one zip level. entry is its file or entry name.
func (x *extraction) archive(ra io.ReaderAt, size int64, loc, entry string, depth int) {
	zr, err := openZip(ra, size, x.opt.MaxEntries)
	if err != nil {
		x.warn(loc, err)
		x.fallback(loc, entry)
		return
	}
	l := level{location: loc, entry: entry}
	var nested []*zip.File
	for i, f := range zr.File {
		if i%512 == 0 && x.ctx.Err() != nil {
			return
		}
		name := f.Name
		switch {
		case strings.HasSuffix(name, "/"):
			// directory entry
		case isPomProperties(name):
			if p, err := x.readPom(f); err != nil {
				x.warn(loc, fmt.Errorf("%s: %w", name, err))
			} else {
				l.poms = append(l.poms, p)
			}
		case l.manifest == nil && strings.EqualFold(name, "META-INF/MANIFEST.MF"):
			m, err := x.readManifest(f)
			if err != nil {
				x.warn(loc, fmt.Errorf("%s: %w", name, err))
			}
			l.manifest = m
		case IsArchiveName(name):
			nested = append(nested, f)
		}
	}
	x.out = append(x.out, identify(l)...)
	for _, f := range nested {
		if x.ctx.Err() != nil {
			return
		}
		x.nested(ra, size, f, loc+"!/"+f.Name, depth+1)
	}
}

// nested opens an archive stored inside another. Stored (uncompressed)
// entries, as Spring Boot writes BOOT-INF/lib, are read in place through a
// section of the outer reader; deflated ones must be inflated into memory,
// within MaxEntrySize and the MaxTotal budget.
func (x *extraction) nested(outer io.ReaderAt, outerSize int64, f *zip.File, loc string, depth int) {
	if depth > x.opt.MaxDepth {
		x.warn(loc, fmt.Errorf("nested archive deeper than %d levels; identified by file name only", x.opt.MaxDepth))
		x.fallback(loc, f.Name)
		return
	}
	if f.Flags&0x1 != 0 {
		x.warn(loc, errors.New("encrypted archive entry; identified by file name only"))
		x.fallback(loc, f.Name)
		return
	}
	if f.Method == zip.Store && f.CompressedSize64 == f.UncompressedSize64 {
		off, err := f.DataOffset()
		if err != nil {
			x.warn(loc, err)
			x.fallback(loc, f.Name)
			return
		}
		n := int64(f.CompressedSize64)
		if n < 0 || off < 0 || off > outerSize || n > outerSize-off {
			x.warn(loc, errors.New("stored entry extends past the end of its archive (truncated?)"))
			x.fallback(loc, f.Name)
			return
		}
		x.archive(io.NewSectionReader(outer, off, n), n, loc, f.Name, depth)
		return
	}
	x.takeLane()
	data, err := x.readEntry(f, x.opt.MaxEntrySize)
	if err != nil {
		x.warn(loc, err)
		x.fallback(loc, f.Name)
		return
	}
	x.archive(bytes.NewReader(data), int64(len(data)), loc, f.Name, depth)
}

func (x *extraction) readPom(f *zip.File) (PomProperties, error) {
	data, err := x.readEntry(f, maxPomProperties)
	if err != nil {
		return PomProperties{}, err
	}
	p, err := ParsePomProperties(bytes.NewReader(data))
	if err != nil {
		return p, err
	}
	// The directory names are the coordinates too; fill what the file lacks.
	parts := strings.Split(f.Name, "/")
	if n := len(parts); n >= 4 {
		if p.GroupID == "" {
			p.GroupID = parts[n-3]
		}
		if p.ArtifactID == "" {
			p.ArtifactID = parts[n-2]
		}
	}
	return p, nil
}

func (x *extraction) readManifest(f *zip.File) (Manifest, error) {
	rc, err := f.Open()
	if err != nil {
		return Manifest{}, err
	}
	defer rc.Close()
	// Only the main section is parsed, so a huge signed-jar manifest costs
	// no more than its first section.
	return ParseManifest(&budgetReader{r: io.LimitReader(rc, maxManifestMain), x: x})
}

var errBudget = errors.New("archive inflates to more than the total limit (zip bomb?); stopped reading it")

// readEntry inflates one entry, refusing entries that declare or actually
// inflate to more than max bytes.
func (x *extraction) readEntry(f *zip.File, max int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(max) {
		return nil, fmt.Errorf("%s declares %d bytes uncompressed, over the %d byte limit (zip bomb?)", f.Name, f.UncompressedSize64, max)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(f.UncompressedSize64) + 1) // declared size is within max here
	_, err = buf.ReadFrom(&budgetReader{r: io.LimitReader(rc, max+1), x: x})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	if int64(buf.Len()) > max {
		return nil, fmt.Errorf("%s inflates to more than the %d byte limit (zip bomb?)", f.Name, max)
	}
	return buf.Bytes(), nil
}

// budgetReader charges inflated bytes to the extraction's MaxTotal budget.
type budgetReader struct {
	r io.Reader
	x *extraction
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.x.remaining <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > b.x.remaining {
		p = p[:b.x.remaining]
	}
	n, err := b.r.Read(p)
	b.x.remaining -= int64(n)
	return n, err
}

// isPomProperties matches META-INF/maven/<groupId>/<artifactId>/pom.properties.
func isPomProperties(name string) bool {
	const suffix = "/pom.properties"
	if !strings.HasSuffix(name, suffix) {
		return false
	}
	const prefix = "META-INF/maven/"
	i := strings.LastIndex(name, prefix)
	if i < 0 || (i > 0 && name[i-1] != '/') || i+len(prefix) > len(name)-len(suffix) {
		return false
	}
	mid := name[i+len(prefix) : len(name)-len(suffix)]
	slash := strings.IndexByte(mid, '/')
	return slash > 0 && slash < len(mid)-1 && !strings.Contains(mid[slash+1:], "/")
}
