package hashfmt

// gost-yescrypt ($gy$, libxcrypt): yescrypt followed by an HMAC with
// GOST R 34.11-2012 (Streebog-256).
func parseGostYescrypt(hash string) (Hash, error) {
	return nil, &UnsupportedError{Format: FormatGostYescrypt, Detail: "no Streebog implementation"}
}
