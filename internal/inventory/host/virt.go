package host

import (
	"path/filepath"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// dmiHypervisors maps DMI vendor/product prefixes to the names
// systemd-detect-virt uses, so the two tools agree.
var dmiHypervisors = []struct{ prefix, virt string }{
	{"KVM", "kvm"},
	{"OpenStack", "kvm"},
	{"KubeVirt", "kvm"},
	{"Google Compute Engine", "kvm"},
	{"Google", "kvm"},
	{"Alibaba Cloud", "kvm"},
	{"Tencent Cloud", "kvm"},
	{"Amazon EC2", "amazon"},
	{"QEMU", "qemu"},
	{"VMware", "vmware"},
	{"VMW", "vmware"},
	{"innotek GmbH", "oracle"},
	{"VirtualBox", "oracle"},
	{"Xen", "xen"},
	{"Bochs", "bochs"},
	{"Parallels", "parallels"},
	{"BHYVE", "bhyve"},
	{"Hyper-V", "microsoft"},
	{"Apple Virtualization", "apple"},
}

// detectContainer looks for the marks container engines leave in the root.
func detectContainer(env *inventory.Env) string {
	// systemd (as PID 1 of a container) records what the engine told it.
	if v := firstLine(readRootFile(env, "/run/systemd/container", maxSysAttr)); v != "" && validZoneName(v) {
		return v
	}
	if env.FS.Exists("/run/.containerenv") {
		return "podman"
	}
	if env.FS.Exists("/.dockerenv") {
		return "docker"
	}
	return ""
}

// detectVirtualization names the container engine or hypervisor, "vm" for
// an unnamed hypervisor, "none" for bare metal, "" when nothing was known.
func detectVirtualization(env *inventory.Env, sysRoot string, dmi *model.DMI, cpu *CPUInfo) string {
	if c := detectContainer(env); c != "" {
		return c
	}
	if dmi != nil {
		if v := hypervisorFromDMI(dmi); v != "" {
			return v
		}
	}
	if t := readSysAttr(filepath.Join(sysRoot, "hypervisor", "type")); t == "xen" {
		return "xen"
	}
	if cpu == nil {
		return ""
	}
	if cpu.Hypervisor {
		return "vm"
	}
	return "none"
}

func hypervisorFromDMI(d *model.DMI) string {
	if d.SystemVendor == "Microsoft Corporation" && d.ProductName == "Virtual Machine" {
		return "microsoft"
	}
	for _, field := range []string{d.ProductName, d.SystemVendor, d.BIOSVendor} {
		for _, h := range dmiHypervisors {
			if strings.HasPrefix(field, h.prefix) {
				return h.virt
			}
		}
	}
	return ""
}
