package hashfmt

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
)

// Application credential stores: MySQL, PostgreSQL, LDAP.

// mysqlNative is mysql_native_password: "*" + HEX(SHA1(SHA1(pw))).
type mysqlNative struct{ want [20]byte }

func parseMySQLNative(h string) (Hash, error) {
	if len(h) != 41 || h[0] != '*' {
		return nil, malformed(FormatMySQLNative, "want '*' and 40 hex digits")
	}
	var m mysqlNative
	if _, err := hex.Decode(m.want[:], []byte(h[1:])); err != nil {
		return nil, malformed(FormatMySQLNative, "want '*' and 40 hex digits")
	}
	return &m, nil
}

func (m *mysqlNative) Format() string  { return FormatMySQLNative }
func (m *mysqlNative) Cost() float64   { return 0.5 }
func (m *mysqlNative) SaltKey() string { return FormatMySQLNative }
func (m *mysqlNative) Digest(pw []byte, s *Scratch) []byte {
	a := sha1.Sum(pw)
	b := sha1.Sum(a[:])
	return append(s.out[:0], b[:]...)
}
func (m *mysqlNative) Match(d []byte) bool               { return string(d) == string(m.want[:]) }
func (m *mysqlNative) Verify(pw []byte, s *Scratch) bool { return m.Match(m.Digest(pw, s)) }

// mysqlCaching is caching_sha2_password as stored in
// mysql.user.authentication_string: "$A$" + 3 hex digits (rounds/1000)
// + "$" + 20 salt bytes + 43 characters of sha256crypt. The salt is
// binary; the hashcat form "$mysql$A$005*SALTHEX*DIGESTHEX" is accepted
// too (it is how the column reads through HEX()).
type mysqlCaching struct {
	rounds int
	salt   string
	want   string
}

func parseMySQLCaching(h string) (Hash, error) {
	if rest, ok := strings.CutPrefix(h, "$mysql$A$"); ok {
		parts := strings.Split(rest, "*")
		if len(parts) != 3 {
			return nil, malformed(FormatMySQLCaching, "want $mysql$A$NNN*salthex*digesthex")
		}
		salt, err1 := hex.DecodeString(parts[1])
		dig, err2 := hex.DecodeString(parts[2])
		if err1 != nil || err2 != nil {
			return nil, malformed(FormatMySQLCaching, "bad hex")
		}
		h = "$A$" + parts[0] + "$" + string(salt) + string(dig)
	}
	if len(h) != 3+3+1+20+43 || !strings.HasPrefix(h, "$A$") || h[6] != '$' {
		return nil, malformed(FormatMySQLCaching, "want $A$NNN$ + 20 salt bytes + 43 digest characters")
	}
	n, err := strconv.ParseUint(h[3:6], 16, 16)
	if err != nil || n == 0 {
		return nil, malformed(FormatMySQLCaching, "bad iteration count")
	}
	m := &mysqlCaching{rounds: int(n) * 1000, salt: h[7:27], want: h[27:]}
	if !validB64(m.want) {
		return nil, malformed(FormatMySQLCaching, "bad digest encoding")
	}
	return m, nil
}

func (m *mysqlCaching) Format() string { return FormatMySQLCaching }
func (m *mysqlCaching) Cost() float64  { return float64(m.rounds) * 0.14 }
func (m *mysqlCaching) SaltKey() string {
	return "mysql-caching$" + strconv.Itoa(m.rounds) + "$" + m.salt
}
func (m *mysqlCaching) Digest(pw []byte, s *Scratch) []byte {
	return sha256Crypt(s, pw, m.salt, m.rounds)
}
func (m *mysqlCaching) Match(d []byte) bool               { return string(d) == m.want }
func (m *mysqlCaching) Verify(pw []byte, s *Scratch) bool { return m.Match(m.Digest(pw, s)) }

// postgresMD5 is PostgreSQL's "md5" + hex(md5(password + role)).
type postgresMD5 struct {
	user string
	want [16]byte
}

func parsePostgresMD5(h, user string) (Hash, error) {
	if len(h) != 35 || !strings.HasPrefix(h, "md5") {
		return nil, malformed(FormatPostgresMD5, "want md5 and 32 hex digits")
	}
	p := &postgresMD5{user: user}
	if _, err := hex.Decode(p.want[:], []byte(h[3:])); err != nil {
		return nil, malformed(FormatPostgresMD5, "want md5 and 32 hex digits")
	}
	if user == "" {
		return nil, &UnsupportedError{Format: FormatPostgresMD5, Detail: "role name unknown"}
	}
	return p, nil
}

func (p *postgresMD5) Format() string  { return FormatPostgresMD5 }
func (p *postgresMD5) Cost() float64   { return 0.3 }
func (p *postgresMD5) SaltKey() string { return "pgmd5$" + p.user }
func (p *postgresMD5) Digest(pw []byte, s *Scratch) []byte {
	b := append(append(s.buf[:0], pw...), p.user...)
	s.buf = b[:0]
	sum := md5.Sum(b)
	return append(s.out[:0], sum[:]...)
}
func (p *postgresMD5) Match(d []byte) bool               { return string(d) == string(p.want[:]) }
func (p *postgresMD5) Verify(pw []byte, s *Scratch) bool { return p.Match(p.Digest(pw, s)) }

// scram is PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802/7677):
// "SCRAM-SHA-256$iter:salt$StoredKey:ServerKey". A candidate matches
// when SHA-256(HMAC(PBKDF2(pw, salt, iter), "Client Key")) = StoredKey.
// Passwords are not SASLprep-normalised (identical for ASCII).
type scram struct {
	iter      int
	salt      []byte
	saltB64   string
	storedKey []byte
}

func parseSCRAM(h string) (Hash, error) {
	rest, ok := strings.CutPrefix(h, "SCRAM-SHA-256$")
	if !ok {
		return nil, malformed(FormatPostgresSCRAM, "want SCRAM-SHA-256$ prefix")
	}
	a, b, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, malformed(FormatPostgresSCRAM, "want iter:salt$StoredKey:ServerKey")
	}
	iterS, saltS, ok1 := strings.Cut(a, ":")
	stored, _, ok2 := strings.Cut(b, ":")
	if !ok1 || !ok2 {
		return nil, malformed(FormatPostgresSCRAM, "want iter:salt$StoredKey:ServerKey")
	}
	iter, err := strconv.Atoi(iterS)
	if err != nil || iter < 1 {
		return nil, malformed(FormatPostgresSCRAM, "bad iteration count")
	}
	if iter > 10_000_000 {
		return nil, &UnsupportedError{Format: FormatPostgresSCRAM, Detail: "iteration count too high"}
	}
	salt, err := base64.StdEncoding.DecodeString(saltS)
	if err != nil {
		return nil, malformed(FormatPostgresSCRAM, "bad salt")
	}
	sk, err := base64.StdEncoding.DecodeString(stored)
	if err != nil || len(sk) != 32 {
		return nil, malformed(FormatPostgresSCRAM, "bad StoredKey")
	}
	return &scram{iter: iter, salt: salt, saltB64: saltS, storedKey: sk}, nil
}

func (c *scram) Format() string  { return FormatPostgresSCRAM }
func (c *scram) Cost() float64   { return float64(c.iter) * 0.35 }
func (c *scram) SaltKey() string { return "scram$" + strconv.Itoa(c.iter) + "$" + c.saltB64 }
func (c *scram) Digest(pw []byte, s *Scratch) []byte {
	salted, err := pbkdf2.Key(sha256.New, string(pw), c.salt, c.iter, 32)
	if err != nil {
		return nil
	}
	m := hmac.New(sha256.New, salted)
	m.Write([]byte("Client Key"))
	sum := sha256.Sum256(m.Sum(nil))
	return append(s.out[:0], sum[:]...)
}
func (c *scram) Match(d []byte) bool               { return hmac.Equal(d, c.storedKey) }
func (c *scram) Verify(pw []byte, s *Scratch) bool { return c.Match(c.Digest(pw, s)) }

// ldapHash is an OpenLDAP userPassword/rootpw "{SCHEME}base64" value.
type ldapHash struct {
	format  string
	newHash func() hash.Hash
	size    int
	salt    []byte
	want    []byte
}

func parseLDAP(h, user string) (Hash, error) {
	end := strings.IndexByte(h, '}')
	if end < 0 {
		return nil, malformed("ldap", "unterminated {scheme}")
	}
	scheme, val := strings.ToUpper(h[1:end]), h[end+1:]
	var nh func() hash.Hash
	var size int
	salted := strings.HasPrefix(scheme, "S")
	switch scheme {
	case "CRYPT":
		return Parse(val, "", user)
	case "CLEARTEXT":
		return plain(val), nil
	case "SHA", "SSHA":
		nh, size = sha1.New, sha1.Size
	case "SHA256", "SSHA256":
		nh, size = sha256.New, sha256.Size
	case "SHA512", "SSHA512":
		nh, size = sha512.New, sha512.Size
	case "MD5", "SMD5":
		nh, size = md5.New, md5.Size
	default:
		return nil, &UnsupportedError{Format: "ldap-{" + scheme + "}"}
	}
	format := "ldap-" + strings.ToLower(scheme)
	raw, err := base64.StdEncoding.DecodeString(val)
	if err != nil {
		return nil, malformed(format, "bad base64")
	}
	if len(raw) < size || (!salted && len(raw) != size) {
		return nil, malformed(format, "digest too short")
	}
	return &ldapHash{format: format, newHash: nh, size: size, want: raw[:size], salt: raw[size:]}, nil
}

func (l *ldapHash) Format() string { return l.format }
func (l *ldapHash) Cost() float64  { return 0.5 }
func (l *ldapHash) Verify(pw []byte, s *Scratch) bool {
	m := l.newHash()
	m.Write(pw)
	m.Write(l.salt)
	return hmac.Equal(m.Sum(s.out[:0]), l.want)
}
