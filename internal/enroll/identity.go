package enroll

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// IdentityKey is a host's stable identity: the SHA-256 (hex) of the first
// usable of its cloud instance id, its DMI product UUID and its
// /etc/machine-id, each tagged with its kind. It survives an agent
// reinstall, so the server updates the same host. Empty if none is usable.
func IdentityKey(cloudInstanceID, dmiUUID, machineID string) string {
	candidates := []struct{ kind, value string }{
		{"cloud", strings.TrimSpace(cloudInstanceID)},
		{"dmi", usableDMIUUID(dmiUUID)},
		{"machine-id", usableMachineID(machineID)},
	}
	for _, c := range candidates {
		if c.value != "" {
			sum := sha256.Sum256([]byte(c.kind + ":" + c.value))
			return hex.EncodeToString(sum[:])
		}
	}
	return ""
}

// placeholderDMIUUIDs are product UUIDs that firmware ships on many
// machines at once; using them would merge unrelated hosts.
var placeholderDMIUUIDs = map[string]bool{
	"03000200-0400-0500-0006-000700080009": true,
	"not settable":                         true,
	"not present":                          true,
	"to be filled by o.e.m.":               true,
}

func usableDMIUUID(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || placeholderDMIUUIDs[s] {
		return ""
	}
	// All zeros or all Fs: no UUID set.
	digits := strings.ReplaceAll(s, "-", "")
	if strings.Trim(digits, "0") == "" || strings.Trim(digits, "f") == "" {
		return ""
	}
	return s
}

func usableMachineID(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	// systemd writes "uninitialized" until first boot completes.
	if s == "uninitialized" || strings.Trim(s, "0") == "" {
		return ""
	}
	return s
}
