// Package gobinary lists the modules compiled into Go executables from the
// build information the Go linker embeds (what `go version -m` prints).
package gobinary

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"io"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// maxRead caps the bytes read from one executable: ELF headers, the
// section table and the build info blob are a few KB to a few hundred KB
// even for 200 MB binaries. The cap keeps a forged header (a huge section
// string table, say) from making the parser read or allocate without bound.
const maxRead = 8 << 20

// FoundBy is the evidence name recorded on every package.
const FoundBy = "buildinfo"

var elfMagic = []byte("\x7fELF")

// IsELF reports whether the first bytes of a file are the ELF magic.
func IsELF(header []byte) bool { return bytes.HasPrefix(header, elfMagic) }

// Extract returns the main module, its dependencies and the Go standard
// library of a Go ELF executable, all located at location. A file that is
// not a Go executable gives nothing and no error; an error means a Go
// executable whose build information is damaged.
func Extract(r io.ReaderAt, location string) ([]model.Package, error) {
	capped := &cappedReaderAt{r: r, left: maxRead}
	f, err := elf.NewFile(capped)
	if err != nil {
		return nil, nil // not a (readable) ELF: silently not Go
	}
	goSection := f.Section(".go.buildinfo") != nil || f.Section(".gopclntab") != nil || f.Section(".note.go.buildid") != nil
	if len(f.Sections) > 1 && !goSection {
		// Sections but no Go ones: a C/C++/Rust binary. Skip the data
		// segment scan buildinfo would otherwise do.
		return nil, nil
	}
	capped.left = maxRead
	bi, err := buildinfo.Read(capped)
	if err != nil {
		if !goSection {
			return nil, nil // a section-less ELF that is not Go after all
		}
		if capped.exceeded {
			return nil, errors.New("go build info: read limit exceeded")
		}
		return nil, err
	}
	var out []model.Package
	add := func(p model.Package) {
		p.Type, p.Location, p.FoundBy = model.PkgGo, location, FoundBy
		out = append(out, p)
	}
	if bi.Main.Path != "" {
		add(model.Package{Name: bi.Main.Path, Version: bi.Main.Version})
	}
	for _, d := range bi.Deps {
		if d == nil || d.Path == "" {
			continue
		}
		switch r := d.Replace; {
		case r == nil:
			add(model.Package{Name: d.Path, Version: d.Version})
		case isDirectoryPath(r.Path):
			// Replaced by a local directory: the code is whatever was in
			// it; the original version would be a lie.
			add(model.Package{Name: d.Path, Version: "(devel)", Metadata: map[string]string{"replaced-by": r.Path}})
		default:
			add(model.Package{Name: r.Path, Version: r.Version, Metadata: map[string]string{"replaces": d.Path + "@" + d.Version}})
		}
	}
	if v := GoVersion(bi.GoVersion); v != "" {
		add(model.Package{Name: "stdlib", Version: v})
	}
	return out, nil
}

// isDirectoryPath reports whether a replacement is a local directory
// ("./x", "../x", "/abs"), as cmd/go decides; buildinfo gives those the
// version "(devel)".
func isDirectoryPath(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/")
}

// GoVersion turns "go1.22.5" or "go1.22.5 X:boringcrypto" into "1.22.5";
// development toolchains ("devel go1.23-abc...") are kept as written.
func GoVersion(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "devel") {
		return v
	}
	if i := strings.IndexAny(v, " \t"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimPrefix(v, "go")
}

// cappedReaderAt fails reads beyond left bytes in total.
type cappedReaderAt struct {
	r        io.ReaderAt
	left     int64
	exceeded bool
}

func (c *cappedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > c.left {
		c.exceeded = true
		return 0, errors.New("read limit exceeded")
	}
	n, err := c.r.ReadAt(p, off)
	c.left -= int64(n)
	return n, err
}
