package hashfmt

import (
	"strconv"

	"golang.org/x/crypto/bcrypt"
)

// bcrypt ($2a$, $2b$, $2y$) through golang.org/x/crypto/bcrypt, which
// treats the three identically (they differ only in bug-compatibility
// handling of non-ASCII passwords in old C implementations).
type bcryptHash struct {
	hash []byte
	cost int
}

func parseBcrypt(hash string) (Hash, error) {
	if len(hash) < 4 || hash[3] != '$' {
		return nil, &UnsupportedError{Format: cryptID(hash)}
	}
	switch hash[2] {
	case 'a', 'b', 'y':
	case 'x':
		return nil, &UnsupportedError{Format: "bcrypt-x", Detail: "buggy pre-2011 $2x$ variant"}
	default:
		return nil, &UnsupportedError{Format: cryptID(hash)}
	}
	if len(hash) != 60 {
		return nil, malformed(FormatBcrypt, "want 60 characters, have "+strconv.Itoa(len(hash)))
	}
	cost, err := bcrypt.Cost([]byte(hash))
	if err != nil {
		return nil, malformed(FormatBcrypt, err.Error())
	}
	if !validB64(hash[7:]) {
		return nil, malformed(FormatBcrypt, "bad salt/digest encoding")
	}
	return &bcryptHash{hash: []byte(hash), cost: cost}, nil
}

func (h *bcryptHash) Format() string { return FormatBcrypt }

// Cost: measured ~60 ms at cost 10 on one core, doubling per step.
func (h *bcryptHash) Cost() float64 {
	return 60000 * float64(uint64(1)<<h.cost) / 1024
}

func (h *bcryptHash) Verify(pw []byte, _ *Scratch) bool {
	if len(pw) > 72 {
		pw = pw[:72] // bcrypt reads at most 72 bytes; x/crypto refuses longer input
	}
	return bcrypt.CompareHashAndPassword(h.hash, pw) == nil
}
