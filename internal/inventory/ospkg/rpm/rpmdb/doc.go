// Package rpmdb reads rpm databases and package headers: the Berkeley DB
// (Packages, rpm < 4.16) and ndb (Packages.db, SUSE) containers, and the
// header blobs all three formats store (SQLite rpmdb.sqlite is read by the
// collector through SQLite itself). Everything here is a pure function of
// its input, bounds-checked and size-capped, so it can be fuzzed; file
// access is the collector's.
//
// It replaces github.com/knqyf263/go-rpmdb at run time (go-rpmdb remains
// the tests' oracle): go-rpmdb's readers run in a goroutine of their own
// where a panic on a corrupt file cannot be recovered and ends the process,
// its Berkeley DB reader loops forever on some damaged overflow chains, its
// ndb reader allocates whatever length a blob claims and prints to stdout,
// and it decodes every tag of every header (about 250 KB of garbage per
// package, tens of MB of RSS on a large host).
package rpmdb
