package java

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
)

// bytesPerEntry is the central-directory space allowed per permitted entry
// while opening an archive. Real headers are 46 bytes plus the name (about
// 80-120 bytes for class files); capping what zip.NewReader may read keeps
// a forged directory from making it allocate without bound, since it reads
// headers until it meets a bad one, whatever count the archive declares.
const bytesPerEntry = 96

// openZip opens a zip archive with its central directory bounded by
// maxEntries.
func openZip(ra io.ReaderAt, size int64, maxEntries int) (*zip.Reader, error) {
	if size < 22 {
		return nil, errors.New("not a zip archive (too small)")
	}
	if maxEntries <= 0 {
		maxEntries = DefaultOptions.MaxEntries
	}
	capped := &cappedReaderAt{r: ra, left: 66<<10 + int64(maxEntries)*bytesPerEntry}
	zr, err := zip.NewReader(capped, size)
	if errors.Is(err, zip.ErrInsecurePath) {
		err = nil // names are only matched, never used as paths
	}
	if err != nil {
		if capped.exceeded {
			return nil, fmt.Errorf("central directory larger than %d entries allow; not opened", maxEntries)
		}
		return nil, fmt.Errorf("not a valid zip archive: %w", err)
	}
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("archive has %d entries, over the %d entry limit; not opened", len(zr.File), maxEntries)
	}
	capped.left = -1 // entry data reads are bounded per entry instead
	return zr, nil
}

var errDirectoryTooLarge = errors.New("central directory too large")

// cappedReaderAt fails reads once left bytes have been read (left < 0: no cap).
type cappedReaderAt struct {
	r        io.ReaderAt
	left     int64
	exceeded bool
}

func (c *cappedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if c.left < 0 {
		return c.r.ReadAt(p, off)
	}
	if int64(len(p)) > c.left {
		c.exceeded = true
		return 0, errDirectoryTooLarge
	}
	n, err := c.r.ReadAt(p, off)
	c.left -= int64(n)
	return n, err
}
