package java

// Options bound the work done on one outer archive and everything nested
// in it, so a hostile or broken file costs a known amount of memory and CPU.
type Options struct {
	// MaxDepth is how many levels of nested archives are opened below the
	// outer file (1: BOOT-INF/lib/x.jar is opened, jars inside it are not).
	MaxDepth int
	// MaxEntries caps the entries of any one archive.
	MaxEntries int
	// MaxEntrySize caps the bytes inflated from one entry (a nested archive
	// that must be read into memory, or a metadata file).
	MaxEntrySize int64
	// MaxTotal caps the bytes inflated from the outer archive and all its
	// nested archives together.
	MaxTotal int64
	// Warn receives non-fatal problems, with the "!"-joined location of the
	// archive concerned. May be nil.
	Warn func(location string, err error)
	// Lane, when set, is shared by concurrent extractions: an extraction
	// takes it before holding a nested archive in memory, so at most one
	// extraction at a time does (bounding the scan's peak memory).
	Lane *Lane
}

// DefaultOptions mirror inventory.DefaultLimits.
var DefaultOptions = Options{MaxDepth: 3, MaxEntries: 100000, MaxEntrySize: 64 << 20, MaxTotal: 256 << 20}

// withDefaults fills unset sizes from DefaultOptions. A MaxDepth of 0 is
// kept: it means nested archives are named, not opened.
func (o Options) withDefaults() Options {
	if o.MaxDepth < 0 {
		o.MaxDepth = 0
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultOptions.MaxEntries
	}
	if o.MaxEntrySize <= 0 {
		o.MaxEntrySize = DefaultOptions.MaxEntrySize
	}
	if o.MaxTotal <= 0 {
		o.MaxTotal = DefaultOptions.MaxTotal
	}
	return o
}

// Lane is a one-holder token shared by extractions (see Options.Lane).
type Lane struct{ ch chan struct{} }

// NewLane returns a free Lane.
func NewLane() *Lane { return &Lane{ch: make(chan struct{}, 1)} }

func (l *Lane) acquire() { l.ch <- struct{}{} }
func (l *Lane) release() { <-l.ch }
