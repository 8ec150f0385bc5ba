package hashfmt

import "crypto/hmac"

// gost-yescrypt ($gy$, libxcrypt crypt-gost-yescrypt.c): the yescrypt
// key Y for the same parameters and salt, then
// HMAC_Streebog256(HMAC_Streebog256(Streebog256(pw), "$gy$params$salt"), Y).
type gostYescrypt struct {
	y      *yescrypt
	prefix string // "$gy$params$salt"
}

func parseGostYescrypt(hash string) (Hash, error) {
	y, err := parseYescryptParams(FormatGostYescrypt, hash, "$gy$")
	if err != nil {
		return nil, err
	}
	i := len(hash) - len(encode64(nil, y.want)) - 1
	return &gostYescrypt{y: y, prefix: hash[:i]}, nil
}

func (g *gostYescrypt) Format() string  { return FormatGostYescrypt }
func (g *gostYescrypt) Cost() float64   { return g.y.Cost() + 20 }
func (g *gostYescrypt) SaltKey() string { return "g" + g.y.SaltKey() }

func (g *gostYescrypt) Digest(pw []byte, s *Scratch) []byte {
	y := g.y.Digest(pw, s)
	hk := streebog256(pw)
	interm := hmacStreebog256(hk[:], []byte(g.prefix))
	out := hmacStreebog256(interm[:], y)
	return append(s.out[:0], out[:]...)
}

func (g *gostYescrypt) Match(d []byte) bool               { return hmac.Equal(d, g.y.want) }
func (g *gostYescrypt) Verify(pw []byte, s *Scratch) bool { return g.Match(g.Digest(pw, s)) }
