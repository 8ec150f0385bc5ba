package hashfmt

// crypt(3) uses its own base64 alphabet, least significant bits first.
const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var atoi64 [256]byte

func init() {
	for i := range atoi64 {
		atoi64[i] = 0xff
	}
	for i := 0; i < len(itoa64); i++ {
		atoi64[itoa64[i]] = byte(i)
	}
}

// b64From24 appends n characters of the 24-bit group b2:b1:b0, the
// encoding md5crypt and sha-crypt use for their permuted digests.
func b64From24(dst []byte, b2, b1, b0 byte, n int) []byte {
	w := uint32(b2)<<16 | uint32(b1)<<8 | uint32(b0)
	for ; n > 0; n-- {
		dst = append(dst, itoa64[w&0x3f])
		w >>= 6
	}
	return dst
}

// validB64 reports whether s uses only the crypt alphabet.
func validB64(s string) bool {
	for i := 0; i < len(s); i++ {
		if atoi64[s[i]] == 0xff {
			return false
		}
	}
	return true
}

// encode64 is yescrypt's little-endian encoding of a byte string.
func encode64(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		value, bits := uint32(0), 0
		for ; bits < 24 && i < len(src); bits += 8 {
			value |= uint32(src[i]) << bits
			i++
		}
		for ; bits > 0; bits -= 6 {
			dst = append(dst, itoa64[value&0x3f])
			value >>= 6
		}
	}
	return dst
}

// decode64 reverses encode64; nil on invalid input.
func decode64(src string) []byte {
	dst := make([]byte, 0, len(src)*3/4+1)
	for i := 0; i < len(src); {
		value, bits := uint32(0), uint32(0)
		for ; bits < 24 && i < len(src); bits += 6 {
			c := atoi64[src[i]]
			if c > 63 {
				return nil
			}
			i++
			value |= uint32(c) << bits
		}
		if bits < 12 {
			return nil
		}
		for ; bits >= 8; bits -= 8 {
			dst = append(dst, byte(value))
			value >>= 8
		}
		if value != 0 {
			return nil
		}
	}
	return dst
}
