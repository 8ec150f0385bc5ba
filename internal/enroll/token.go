package enroll

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// tokenVersion is the first field of every token; a new format gets a new one.
const tokenVersion = "ward1"

// secretBytes is the size of a token secret: 256 random bits, so a plain
// SHA-256 is enough to store it (no password hashing needed).
const secretBytes = 32

// Token is a parsed enrollment token: ward1.<ca-fingerprint>.<secret>.
type Token struct {
	// CAFingerprint is the lowercase hex SHA-256 of the server's CA
	// certificate (pki.CAFingerprint).
	CAFingerprint string
	// Secret is the base64url (unpadded) text of the 32 random bytes.
	Secret string
}

// String is the token text.
func (t Token) String() string { return tokenVersion + "." + t.CAFingerprint + "." + t.Secret }

// SecretHash is HashSecret of the token's secret: what the store keeps.
func (t Token) SecretHash() string { return HashSecret(t.Secret) }

// NewToken returns the text of a new token for the CA with the given
// fingerprint, and the hash of its secret, which is all the store keeps.
func NewToken(caFingerprint string) (text, secretHash string, err error) {
	fp, err := parseFingerprint(caFingerprint)
	if err != nil {
		return "", "", err
	}
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("random token secret: %w", err)
	}
	t := Token{CAFingerprint: fp, Secret: base64.RawURLEncoding.EncodeToString(b)}
	return t.String(), t.SecretHash(), nil
}

// HashSecret is the lowercase hex SHA-256 of a token secret's text.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ParseToken checks a token's text and splits it. Surrounding white space
// (from copy and paste) is ignored; errors say which part is wrong and
// never echo the secret.
func ParseToken(text string) (Token, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Token{}, fmt.Errorf("enrollment token is empty")
	}
	parts := strings.Split(text, ".")
	if parts[0] != tokenVersion {
		return Token{}, fmt.Errorf("enrollment token does not start with %q (is it a Ward enrollment token?)", tokenVersion+".")
	}
	if len(parts) != 3 {
		return Token{}, fmt.Errorf("enrollment token has %d dot-separated parts, want 3: %s.<ca-fingerprint>.<secret>", len(parts), tokenVersion)
	}
	fp, err := parseFingerprint(parts[1])
	if err != nil {
		return Token{}, fmt.Errorf("enrollment token: %w", err)
	}
	secret, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return Token{}, fmt.Errorf("enrollment token: secret is not unpadded base64url")
	}
	if len(secret) != secretBytes {
		return Token{}, fmt.Errorf("enrollment token: secret is %d bytes, want %d (truncated?)", len(secret), secretBytes)
	}
	return Token{CAFingerprint: fp, Secret: parts[2]}, nil
}

// parseFingerprint accepts 64 hex digits in either case, returning them
// in lower case.
func parseFingerprint(s string) (string, error) {
	if len(s) != sha256.Size*2 {
		return "", fmt.Errorf("CA fingerprint has %d characters, want %d hex digits", len(s), sha256.Size*2)
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", fmt.Errorf("CA fingerprint is not hexadecimal")
	}
	return strings.ToLower(s), nil
}
