package enroll

import (
	"encoding/base64"
	"strings"
	"testing"
)

const testFP = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestNewTokenRoundTrip(t *testing.T) {
	text, hash, err := NewToken(strings.ToUpper(testFP))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ParseToken("  " + text + "\n")
	if err != nil {
		t.Fatalf("ParseToken(NewToken()): %v", err)
	}
	if tok.CAFingerprint != testFP {
		t.Errorf("fingerprint %q, want lower case %q", tok.CAFingerprint, testFP)
	}
	if tok.SecretHash() != hash || HashSecret(tok.Secret) != hash {
		t.Error("hash of the parsed secret differs from NewToken's")
	}
	if strings.Contains(hash, tok.Secret) || len(hash) != 64 {
		t.Errorf("hash %q is not a hex SHA-256", hash)
	}
	other, _, _ := NewToken(testFP)
	if other == text {
		t.Error("two tokens are equal")
	}
}

func TestHashSecretIsSHA256Hex(t *testing.T) {
	// sha256("abc")
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashSecret("abc"); got != want {
		t.Fatalf("HashSecret(abc) = %s, want %s", got, want)
	}
}

func TestParseTokenErrors(t *testing.T) {
	secret := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "empty"},
		{"other format", "ward_et_abc", `does not start with "ward1."`},
		{"future version", "ward2." + testFP + "." + secret, `does not start with "ward1."`},
		{"missing secret", "ward1." + testFP, "2 dot-separated parts, want 3"},
		{"extra part", "ward1." + testFP + "." + secret + ".x", "4 dot-separated parts"},
		{"short fingerprint", "ward1.abcd." + secret, "CA fingerprint has 4 characters"},
		{"non-hex fingerprint", "ward1." + strings.Repeat("g", 64) + "." + secret, "not hexadecimal"},
		{"padded secret", "ward1." + testFP + "." + secret + "=", "base64url"},
		{"standard base64", "ward1." + testFP + "." + strings.Repeat("+", 43), "base64url"},
		{"truncated secret", "ward1." + testFP + "." + secret[:20], "secret is 15 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseToken(tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			if len(secret) > 0 && strings.Contains(err.Error(), secret) {
				t.Errorf("error echoes the secret: %v", err)
			}
		})
	}
	if _, _, err := NewToken("nope"); err == nil {
		t.Error("NewToken accepted a bad fingerprint")
	}
}

func TestIdentityKey(t *testing.T) {
	tests := []struct {
		name                  string
		cloud, dmi, machineID string
		sameAs                [3]string // inputs expected to give the same key
		empty                 bool
	}{
		{name: "cloud wins", cloud: "i-0abc", dmi: "4c4c4544-0042-3510-8056-b4c04f4a3332", machineID: "m1", sameAs: [3]string{"i-0abc", "", ""}},
		{name: "dmi next, case and space ignored", dmi: " 4C4C4544-0042-3510-8056-B4C04F4A3332\n", machineID: "m1", sameAs: [3]string{"", "4c4c4544-0042-3510-8056-b4c04f4a3332", "other"}},
		{name: "placeholder dmi skipped", dmi: "03000200-0400-0500-0006-000700080009", machineID: "abc123", sameAs: [3]string{"", "", "abc123"}},
		{name: "zero dmi skipped", dmi: "00000000-0000-0000-0000-000000000000", machineID: "abc123", sameAs: [3]string{"", "", "abc123"}},
		{name: "ff dmi skipped", dmi: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", machineID: "abc123", sameAs: [3]string{"", "", "abc123"}},
		{name: "uninitialized machine id", machineID: "uninitialized", empty: true},
		{name: "nothing", empty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := IdentityKey(tt.cloud, tt.dmi, tt.machineID)
			if tt.empty {
				if got != "" {
					t.Fatalf("got %q, want empty", got)
				}
				return
			}
			if len(got) != 64 {
				t.Fatalf("key %q is not hex SHA-256", got)
			}
			if want := IdentityKey(tt.sameAs[0], tt.sameAs[1], tt.sameAs[2]); got != want {
				t.Errorf("key differs from the one for %q", tt.sameAs)
			}
		})
	}
	// The same string as a cloud id and as a machine id are different hosts.
	if IdentityKey("x1", "", "") == IdentityKey("", "", "x1") {
		t.Error("identity kinds are not separated")
	}
}
