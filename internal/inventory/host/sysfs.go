package host

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// maxBlockDevices bounds /sys/block; hosts with thousands of device-mapper
// volumes exist, and each costs a few small reads.
const maxBlockDevices = 4096

// readSysAttr reads one sysfs attribute, trimmed. Missing or unreadable
// (root-only DMI serials when not root) attributes are "".
func readSysAttr(path string) string {
	data, err := readHost(path, maxSysAttr)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// readDisks lists whole block devices. Loop and RAM disks are views of
// other storage; devices of size 0 (empty drives, unused zram) hold nothing.
func readDisks(sysRoot string) ([]model.Disk, error) {
	dir := filepath.Join(sysRoot, "block")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []model.Disk
	for i, e := range entries {
		if i >= maxBlockDevices {
			break
		}
		name := e.Name()
		if strings.HasPrefix(name, "loop") || strings.HasPrefix(name, "ram") {
			continue
		}
		base := filepath.Join(dir, name)
		sectors, err := strconv.ParseUint(readSysAttr(filepath.Join(base, "size")), 10, 64)
		if err != nil || sectors == 0 || sectors > 1<<54 {
			continue
		}
		out = append(out, model.Disk{
			Name:       name,
			SizeBytes:  sectors * 512, // sysfs counts 512-byte sectors whatever the device's block size
			Model:      readSysAttr(filepath.Join(base, "device", "model")),
			Rotational: readSysAttr(filepath.Join(base, "queue", "rotational")) == "1",
			Removable:  readSysAttr(filepath.Join(base, "removable")) == "1",
		})
	}
	return out, nil
}

// dmiPlaceholders are strings firmware vendors leave in unset DMI fields.
var dmiPlaceholders = map[string]bool{
	"to be filled by o.e.m.": true, "default string": true, "not specified": true,
	"not applicable": true, "system serial number": true, "system product name": true,
	"system manufacturer": true, "chassis serial number": true, "base board serial number": true,
	"none": true, "n/a": true, "0": true, "00000000": true, "0123456789": true,
	"not available": true, "invalid": true,
}

// readDMI reads the SMBIOS identity the kernel exports; nil when there is
// none (containers, Firecracker, most ARM boards).
func readDMI(sysRoot string) *model.DMI {
	dir := filepath.Join(sysRoot, "class", "dmi", "id")
	get := func(name string) string {
		v := readSysAttr(filepath.Join(dir, name))
		if dmiPlaceholders[strings.ToLower(v)] || !printable(v) {
			return ""
		}
		return v
	}
	d := &model.DMI{
		SystemVendor:  get("sys_vendor"),
		ProductName:   get("product_name"),
		ProductUUID:   strings.ToLower(get("product_uuid")),
		ProductSerial: get("product_serial"),
		BoardSerial:   get("board_serial"),
		BIOSVendor:    get("bios_vendor"),
		BIOSVersion:   get("bios_version"),
		ChassisAsset:  get("chassis_asset_tag"),
		BoardAssetTag: get("board_asset_tag"),
	}
	if *d == (model.DMI{}) {
		return nil
	}
	return d
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}
