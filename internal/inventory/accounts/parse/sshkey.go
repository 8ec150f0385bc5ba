package parse

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// SSHKey is what Ward keeps of a public key: never the key material, only
// what identifies and rates it.
type SSHKey struct {
	Type        string // as written: ssh-ed25519, ssh-rsa-cert-v01@openssh.com...
	Bits        int
	Fingerprint string // SHA256:<unpadded base64>, as ssh-keygen -l prints
	Certificate bool
}

// keyKinds maps every accepted key type to the plain key type whose fields
// its blob carries.
var keyKinds = map[string]string{
	"ssh-rsa":                            "ssh-rsa",
	"ssh-dss":                            "ssh-dss",
	"ecdsa-sha2-nistp256":                "ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384":                "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521":                "ecdsa-sha2-nistp521",
	"ssh-ed25519":                        "ssh-ed25519",
	"sk-ecdsa-sha2-nistp256@openssh.com": "sk-ecdsa-sha2-nistp256@openssh.com",
	"sk-ssh-ed25519@openssh.com":         "sk-ssh-ed25519@openssh.com",

	"ssh-rsa-cert-v01@openssh.com":                "ssh-rsa",
	"ssh-dss-cert-v01@openssh.com":                "ssh-dss",
	"ecdsa-sha2-nistp256-cert-v01@openssh.com":    "ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384-cert-v01@openssh.com":    "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521-cert-v01@openssh.com":    "ecdsa-sha2-nistp521",
	"ssh-ed25519-cert-v01@openssh.com":            "ssh-ed25519",
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": "sk-ecdsa-sha2-nistp256@openssh.com",
	"sk-ssh-ed25519-cert-v01@openssh.com":         "sk-ssh-ed25519@openssh.com",
}

// IsKeyType reports whether s names a public key type OpenSSH accepts in
// authorized_keys.
func IsKeyType(s string) bool { _, ok := keyKinds[s]; return ok }

var curves = map[string]struct {
	name string
	bits int
}{
	"ecdsa-sha2-nistp256":                {"nistp256", 256},
	"ecdsa-sha2-nistp384":                {"nistp384", 384},
	"ecdsa-sha2-nistp521":                {"nistp521", 521},
	"sk-ecdsa-sha2-nistp256@openssh.com": {"nistp256", 256},
}

// DecodeSSHKey checks a base64 key blob against its declared type and
// returns its size and fingerprint. For certificates the fingerprint is the
// certified key's, as ssh-keygen -l reports it.
func DecodeSSHKey(keyType, b64 string) (SSHKey, error) {
	plain, ok := keyKinds[keyType]
	if !ok {
		return SSHKey{}, fmt.Errorf("unknown key type %q", trunc(keyType, 64))
	}
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		if blob, err = base64.RawStdEncoding.DecodeString(b64); err != nil {
			return SSHKey{}, errors.New("key is not valid base64")
		}
	}
	r := wire{b: blob}
	if t := r.str(); r.err != nil || string(t) != keyType {
		return SSHKey{}, errors.New("key blob does not match its key type")
	}
	cert := plain != keyType
	if cert {
		r.str() // nonce
	}
	start := r.off
	nbits, err := r.keyFields(plain)
	if err != nil {
		return SSHKey{}, err
	}
	fields := blob[start:r.off]
	if cert {
		r.certTail()
	}
	if r.err != nil {
		return SSHKey{}, errors.New("key blob is truncated or malformed")
	}
	if r.off != len(blob) {
		return SSHKey{}, errors.New("key blob has trailing data")
	}
	// The fingerprint covers the plain key: type string then its fields.
	h := sha256.New()
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(plain)))
	h.Write(l[:])
	h.Write([]byte(plain))
	h.Write(fields)
	fp := "SHA256:" + base64.RawStdEncoding.EncodeToString(h.Sum(nil))
	return SSHKey{Type: keyType, Bits: nbits, Fingerprint: fp, Certificate: cert}, nil
}

// keyFields reads the public fields of a plain key type and returns its size in bits.
func (r *wire) keyFields(plain string) (int, error) {
	switch plain {
	case "ssh-rsa":
		r.mpint() // e
		n := r.mpint()
		if r.err != nil {
			break
		}
		if n == 0 {
			return 0, errors.New("RSA modulus is zero or negative")
		}
		return n, nil
	case "ssh-dss":
		p := r.mpint()
		r.mpint() // q
		r.mpint() // g
		r.mpint() // y
		if r.err == nil && p == 0 {
			return 0, errors.New("DSA p is zero or negative")
		}
		return p, nil
	case "ssh-ed25519", "sk-ssh-ed25519@openssh.com":
		pk := r.str()
		if r.err == nil && len(pk) != 32 {
			return 0, errors.New("ed25519 public key is not 32 bytes")
		}
		if plain != "ssh-ed25519" {
			r.str() // application
		}
		return 256, nil
	default:
		c, ok := curves[plain]
		if !ok {
			return 0, fmt.Errorf("unsupported key type %q", plain)
		}
		name := r.str()
		q := r.str()
		if r.err != nil {
			break
		}
		if string(name) != c.name {
			return 0, errors.New("ECDSA curve does not match the key type")
		}
		if coord := (c.bits + 7) / 8; len(q) != 2*coord+1 || q[0] != 4 {
			return 0, errors.New("ECDSA point is not an uncompressed point on the curve")
		}
		if strings.HasPrefix(plain, "sk-") {
			r.str() // application
		}
		return c.bits, nil
	}
	return 0, errors.New("key blob is truncated or malformed")
}

// certTail skips the certificate fields that follow the key.
func (r *wire) certTail() {
	r.u64() // serial
	r.u32() // type
	r.str() // key id
	r.str() // principals
	r.u64() // valid after
	r.u64() // valid before
	r.str() // critical options
	r.str() // extensions
	r.str() // reserved
	r.str() // signature key
	r.str() // signature
}

// wire reads SSH wire-format values; the first error sticks.
type wire struct {
	b   []byte
	off int
	err error
}

var errShort = errors.New("short")

func (r *wire) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.err = errShort
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *wire) u32() uint32 {
	v := r.take(4)
	if v == nil {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}

func (r *wire) u64() uint64 {
	v := r.take(8)
	if v == nil {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func (r *wire) str() []byte {
	n := r.u32()
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)-r.off) {
		r.err = errShort
		return nil
	}
	return r.take(int(n))
}

// mpint returns the bit length of a non-negative multiple-precision
// integer; 0 for zero or a negative value.
func (r *wire) mpint() int {
	v := r.str()
	if r.err != nil || len(v) == 0 || v[0]&0x80 != 0 {
		return 0
	}
	for len(v) > 0 && v[0] == 0 {
		v = v[1:]
	}
	if len(v) == 0 {
		return 0
	}
	return (len(v)-1)*8 + bits.Len8(v[0])
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
