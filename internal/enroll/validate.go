package enroll

import (
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// Limits on what an agent may send; generous for real hosts, small enough
// that a hostile one cannot bloat the store.
const (
	maxFactLen     = 256
	maxLabels      = 64
	maxLabelKeyLen = 63
	maxLabelValLen = 255
)

func validateFacts(f HostFacts) error {
	if f.Hostname == "" {
		return fmt.Errorf("host.hostname is required")
	}
	if len(f.IdentityKey) != 64 {
		return fmt.Errorf("host.identity_key must be 64 hex digits (SHA-256), got %d characters", len(f.IdentityKey))
	}
	if _, err := hex.DecodeString(f.IdentityKey); err != nil {
		return fmt.Errorf("host.identity_key is not hexadecimal")
	}
	for name, v := range map[string]string{"hostname": f.Hostname, "machine_id": f.MachineID, "os": f.OS, "kernel": f.Kernel} {
		if len(v) > maxFactLen {
			return fmt.Errorf("host.%s is %d bytes, at most %d", name, len(v), maxFactLen)
		}
		if !printable(v) {
			return fmt.Errorf("host.%s contains control characters or invalid UTF-8", name)
		}
	}
	return nil
}

// ValidateLabels checks label keys (1..63 of a-z, A-Z, 0-9, '.', '_', '-',
// '/') and values (up to 255 printable characters).
func ValidateLabels(labels map[string]string) error {
	if len(labels) > maxLabels {
		return fmt.Errorf("%d labels, at most %d", len(labels), maxLabels)
	}
	for k, v := range labels {
		if k == "" || len(k) > maxLabelKeyLen {
			return fmt.Errorf("label key %q: want 1 to %d characters", k, maxLabelKeyLen)
		}
		for _, r := range k {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '/') {
				return fmt.Errorf("label key %q: only letters, digits, '.', '_', '-' and '/' are allowed", k)
			}
		}
		if len(v) > maxLabelValLen {
			return fmt.Errorf("label %q: value is %d bytes, at most %d", k, len(v), maxLabelValLen)
		}
		if !printable(v) {
			return fmt.Errorf("label %q: value contains control characters or invalid UTF-8", k)
		}
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
