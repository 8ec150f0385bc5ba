package startup

import "github.com/ward-sec/ward/internal/testutil"

// Test roots: testutil.MakeRoot over files, executables, symlinks and
// empty directories.
type node = testutil.Node

var (
	file     = testutil.File
	exe      = testutil.Exe
	link     = testutil.Link
	dir      = testutil.Dir
	makeRoot = testutil.MakeRoot
)
