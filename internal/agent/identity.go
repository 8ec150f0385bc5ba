package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/host"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
)

// Identity is what enrollment tells the server about this host.
type Identity struct {
	Hostname        string
	MachineID       string // /etc/machine-id
	DMIUUID         string // SMBIOS system UUID, lower case; placeholder values dropped
	CloudProvider   string
	CloudInstanceID string
	OS              model.OSRelease
	Kernel          string
}

// IdentityFromHost takes the identity facts from a scan's host record.
func IdentityFromHost(h *model.Host) (Identity, error) {
	if h == nil {
		return Identity{}, errors.New("host identity: the scan found no host record")
	}
	id := Identity{Hostname: h.Hostname, MachineID: h.MachineID, OS: h.OS, Kernel: h.Kernel}
	if h.DMI != nil && usableDMIUUID(h.DMI.ProductUUID) {
		id.DMIUUID = strings.ToLower(h.DMI.ProductUUID)
	}
	if h.Cloud != nil {
		id.CloudProvider, id.CloudInstanceID = h.Cloud.Provider, h.Cloud.InstanceID
	}
	return id, nil
}

// ScanIdentity runs only the host collector over root ("" is "/").
func ScanIdentity(ctx context.Context, root string) (Identity, error) {
	res, err := scan.Run(ctx, scan.Options{Root: root, Collectors: []inventory.Collector{host.New()}})
	if err != nil {
		return Identity{}, fmt.Errorf("host identity: %w", err)
	}
	return IdentityFromHost(res.Inventory.Host)
}

// Key is the host identity key of docs/fleet.md: hex SHA-256 of the first
// present of the cloud instance id, the DMI product UUID and the machine
// id. It stays the same when the agent is reinstalled, and a cloned VM
// image gets a new one as soon as the clone has its own instance id or
// UUID.
func (id Identity) Key() (string, error) {
	for _, v := range []string{id.CloudInstanceID, id.DMIUUID, id.MachineID} {
		if v = strings.TrimSpace(v); v != "" {
			h := sha256.Sum256([]byte(v))
			return hex.EncodeToString(h[:]), nil
		}
	}
	return "", errors.New("host identity: no cloud instance id, DMI UUID or machine id on this host")
}

// usableDMIUUID rejects what firmware writes when it has no real UUID:
// malformed values, all one digit (zeros, ff...) and the well-known
// placeholder of some boards.
func usableDMIUUID(u string) bool {
	u = strings.ToLower(strings.TrimSpace(u))
	if len(u) != 36 || u == "03000200-0400-0500-0006-000700080009" {
		return false
	}
	var first byte
	same := true
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
			continue
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f'):
			return false
		}
		if first == 0 {
			first = c
		}
		same = same && c == first
	}
	return !same
}
