package services

import (
	"strings"

	"github.com/ward-sec/ward/internal/testutil"
)

// Test roots: testutil.MakeRoot over files, executables, symlinks and
// empty directories.
var (
	file     = testutil.File
	exe      = testutil.Exe
	link     = testutil.Link
	dir      = testutil.Dir
	makeRoot = testutil.MakeRoot
)

func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }
