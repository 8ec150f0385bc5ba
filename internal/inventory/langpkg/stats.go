package langpkg

import (
	"io"
	"sync/atomic"
	"time"
)

// WalkStats describe one walk, for benchmarks and tuning.
type WalkStats struct {
	Dirs  int64 `json:"dirs"`  // directories visited
	Files int64 `json:"files"` // non-directory entries visited
	// Candidates dispatched by name, per extractor.
	JavaArchives   int64         `json:"java_archives"`
	PythonMetadata int64         `json:"python_metadata"`
	NPMManifests   int64         `json:"npm_manifests"`
	ExecCandidates int64         `json:"exec_candidates"` // stat-ed to look for an exec bit
	Opened         int64         `json:"opened"`          // files opened
	BytesRead      int64         `json:"bytes_read"`      // bytes read from files (not inflated)
	Packages       int64         `json:"packages"`
	DroppedOSOwned int64         `json:"dropped_os_owned"`
	Duration       time.Duration `json:"duration_ns"`
}

// counters are updated by the walker and the workers concurrently.
type counters struct {
	dirs, files, java, python, npm, exec atomic.Int64
	opened, bytesRead                    atomic.Int64
	start                                time.Time
	Packages, DroppedOSOwned             int64
}

func (c *counters) snapshot() WalkStats {
	return WalkStats{
		Dirs: c.dirs.Load(), Files: c.files.Load(),
		JavaArchives: c.java.Load(), PythonMetadata: c.python.Load(), NPMManifests: c.npm.Load(), ExecCandidates: c.exec.Load(),
		Opened: c.opened.Load(), BytesRead: c.bytesRead.Load(),
		Packages: c.Packages, DroppedOSOwned: c.DroppedOSOwned,
		Duration: time.Since(c.start),
	}
}

// countingReaderAt adds what is read to a counter.
type countingReaderAt struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
