package rpmdb

import "bytes"

// Format is an rpm database backend.
type Format int

const (
	FormatUnknown Format = iota
	FormatSQLite         // rpmdb.sqlite, rpm >= 4.16 (RHEL 9, Fedora)
	FormatNDB            // Packages.db (SUSE)
	FormatBDB            // Packages, Berkeley DB hash (RHEL <= 8, CentOS, Amazon Linux 2)
)

func (f Format) String() string {
	switch f {
	case FormatSQLite:
		return "sqlite"
	case FormatNDB:
		return "ndb"
	case FormatBDB:
		return "bdb"
	}
	return "unknown"
}

// DetectFormat tells a database's format from its first 16 bytes (or
// fewer): SQLite's header string, ndb's "RpmP", or the Berkeley DB hash
// magic at offset 12 in either byte order. File names are not trusted.
func DetectFormat(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return FormatSQLite
	case bytes.HasPrefix(head, []byte("RpmP")):
		return FormatNDB
	case len(head) >= 16 && (bytes.Equal(head[12:16], []byte{0x61, 0x15, 0x06, 0x00}) || bytes.Equal(head[12:16], []byte{0x00, 0x06, 0x15, 0x61})):
		return FormatBDB
	}
	return FormatUnknown
}
