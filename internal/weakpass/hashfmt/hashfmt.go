// Package hashfmt parses the password hash formats found on Linux hosts
// and in application credential stores, and verifies candidate passwords
// against them. Every format is implemented in pure Go; a format it
// cannot check is reported as such (ErrUnsupported), never as "not weak".
package hashfmt

import (
	"errors"
	"fmt"
	"strings"
)

// Hash is one parsed password hash.
type Hash interface {
	// Format names the scheme ("yescrypt", "sha512crypt"...).
	Format() string
	// Cost estimates the time of one Verify on one core, in
	// microseconds; the cracker sizes its candidate budget from it.
	Cost() float64
	// Verify reports whether pw is the password. s holds per-goroutine
	// buffers reused across calls (never share a Scratch between
	// goroutines).
	Verify(pw []byte, s *Scratch) bool
}

// Sharer is implemented by hashes whose expensive part depends only on
// the password and a salt: hashes with the same SaltKey compute the same
// Digest for a candidate, so the cracker computes it once for all of them.
type Sharer interface {
	Hash
	SaltKey() string
	// Digest computes the password-dependent value (valid until the next
	// call with the same Scratch).
	Digest(pw []byte, s *Scratch) []byte
	// Match compares a Digest of the same SaltKey with this hash.
	Match(digest []byte) bool
}

// UnsupportedError is returned for a recognised format that this
// package cannot verify; the caller reports it "not checked: <Format>".
type UnsupportedError struct {
	Format string
	Detail string
}

func (e *UnsupportedError) Error() string {
	if e.Detail != "" {
		return "not checked: " + e.Format + " (" + e.Detail + ")"
	}
	return "not checked: " + e.Format
}

// MaxMemory bounds the memory one candidate test may need (yescrypt and
// scrypt at high cost need 128*r*N bytes per goroutine): a hash above it
// is reported unchecked rather than risk the host's memory.
const MaxMemory = 64 << 20

// ErrMalformed wraps every parse error of a hash that is not well formed.
var ErrMalformed = errors.New("malformed hash")

func malformed(format, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, format, why)
}

// Format names accepted by Parse's format argument (the store knows the
// scheme when the string alone is ambiguous).
const (
	FormatYescrypt      = "yescrypt"
	FormatGostYescrypt  = "gost-yescrypt"
	FormatScrypt        = "scrypt"
	FormatBcrypt        = "bcrypt"
	FormatSHA512Crypt   = "sha512crypt"
	FormatSHA256Crypt   = "sha256crypt"
	FormatMD5Crypt      = "md5crypt"
	FormatApr1          = "apr1"
	FormatDESCrypt      = "descrypt"
	FormatMySQLNative   = "mysql-native"
	FormatMySQLCaching  = "mysql-caching-sha2"
	FormatPostgresMD5   = "postgresql-md5"
	FormatPostgresSCRAM = "postgresql-scram-sha-256"
	FormatPlain         = "plain"
)

// Parse recognises a stored hash. format forces the scheme when the
// store knows it (see the Format constants; empty detects from the
// string); user is the account name, the salt of PostgreSQL md5.
// It returns an *UnsupportedError for a recognised but unverifiable
// scheme and an error wrapping ErrMalformed for a damaged string.
func Parse(hash, format, user string) (Hash, error) {
	switch format {
	case "":
	case FormatPlain:
		return plain(hash), nil
	case FormatMySQLNative:
		return parseMySQLNative(hash)
	case FormatMySQLCaching:
		return parseMySQLCaching(hash)
	case FormatPostgresMD5:
		return parsePostgresMD5(hash, user)
	case FormatPostgresSCRAM:
		return parseSCRAM(hash)
	default:
		h, err := Parse(hash, "", user)
		if err != nil {
			return nil, err
		}
		if h.Format() != format {
			return nil, malformed(format, "hash is "+h.Format())
		}
		return h, nil
	}
	switch {
	case strings.HasPrefix(hash, "$y$"):
		return parseYescrypt(hash)
	case strings.HasPrefix(hash, "$gy$"):
		return parseGostYescrypt(hash)
	case strings.HasPrefix(hash, "$7$"):
		return parseScrypt(hash)
	case strings.HasPrefix(hash, "$2"):
		return parseBcrypt(hash)
	case strings.HasPrefix(hash, "$6$"):
		return parseSHACrypt(hash, true)
	case strings.HasPrefix(hash, "$5$"):
		return parseSHACrypt(hash, false)
	case strings.HasPrefix(hash, "$1$"):
		return parseMD5Crypt(hash, "$1$")
	case strings.HasPrefix(hash, "$apr1$"):
		return parseMD5Crypt(hash, "$apr1$")
	case strings.HasPrefix(hash, "$A$"), strings.HasPrefix(hash, "$mysql$A$"):
		return parseMySQLCaching(hash)
	case strings.HasPrefix(hash, "SCRAM-SHA-256$"):
		return parseSCRAM(hash)
	case strings.HasPrefix(hash, "{"):
		return parseLDAP(hash, user)
	case len(hash) == 41 && hash[0] == '*':
		return parseMySQLNative(hash)
	case len(hash) == 35 && strings.HasPrefix(hash, "md5"):
		return parsePostgresMD5(hash, user)
	case strings.HasPrefix(hash, "$"):
		return nil, &UnsupportedError{Format: cryptID(hash)}
	case strings.HasPrefix(hash, "_") && len(hash) == 20:
		return nil, &UnsupportedError{Format: "bsdicrypt"}
	case len(hash) == 13:
		return parseDESCrypt(hash)
	}
	return nil, &UnsupportedError{Format: "unknown", Detail: fmt.Sprintf("%d-character string", len(hash))}
}

// cryptID names the scheme of a "$id$..." string, for reports.
func cryptID(hash string) string {
	id := hash[1:]
	if i := strings.IndexAny(id, "$,"); i >= 0 {
		id = id[:i]
	}
	if len(id) > 16 {
		id = id[:16]
	}
	switch id {
	case "md5":
		return "sunmd5"
	case "sha1":
		return "sha1crypt"
	case "3":
		return "nthash"
	case "":
		return "unknown"
	}
	return "$" + id + "$"
}

// Scratch holds one goroutine's reusable buffers.
type Scratch struct {
	buf []byte
	ys  *yescryptState
	out [128]byte
}

// plain is a cleartext secret (Redis requirepass, SNMP community...).
type plain string

func (p plain) Format() string  { return FormatPlain }
func (p plain) Cost() float64   { return 0.05 }
func (p plain) SaltKey() string { return FormatPlain }
func (p plain) Verify(pw []byte, _ *Scratch) bool {
	return string(pw) == string(p)
}
func (p plain) Digest(pw []byte, _ *Scratch) []byte { return pw }
func (p plain) Match(d []byte) bool                 { return string(d) == string(p) }
