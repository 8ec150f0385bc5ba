package process

import (
	"bufio"
	"bytes"
	"strings"
)

// parseCgroup reads /proc/<pid>/cgroup ("hierarchy:controllers:path" per
// line) and returns the most telling cgroup path and the container id in it.
// The unified (cgroup v2, "0::") line is preferred; on v1 hosts any line
// naming a container wins. Without a container the path is the unified one,
// else name=systemd, else the first that is not "/"; "/" itself is dropped.
func parseCgroup(data []byte) (path, containerID string) {
	var unified, systemd, first string
	var idPath, id string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxCgroupSize)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		p := parts[2]
		isUnified := parts[0] == "0" && parts[1] == ""
		if cid := ContainerIDFromCgroup(p); cid != "" && (id == "" || isUnified) {
			idPath, id = p, cid
		}
		switch {
		case p == "/" || p == "":
		case isUnified:
			unified = p
		case parts[1] == "name=systemd":
			systemd = p
		case first == "":
			first = p
		}
	}
	switch {
	case id != "":
		return idPath, id
	case unified != "":
		return unified, ""
	case systemd != "":
		return systemd, ""
	}
	return first, ""
}

// ContainerIDFromCgroup extracts the container id from a cgroup path, using
// the innermost component that names one. Shapes recognised:
//
//	/system.slice/docker-<64hex>.scope                       docker, systemd driver
//	/docker/<64hex>                                          docker, cgroupfs driver
//	/kubepods/besteffort/pod<uid>/<64hex>                    kubelet, cgroupfs driver
//	/kubepods.slice/.../cri-containerd-<64hex>.scope         containerd CRI, systemd driver
//	/kubepods.slice/.../crio-<64hex>.scope                   CRI-O
//	/machine.slice/libpod-<64hex>.scope[/container]          podman
//	.../kubepods-pod<uid>:cri-containerd:<64hex>             containerd, v1 name=systemd
//	/ecs/<32hex task>/<32hex>-<digits>                       ECS on Fargate
//
// Monitor scopes (libpod-conmon-<id>, crio-conmon-<id>) are host processes
// that only watch a container, so they yield no id. Other 32-hex names (a
// systemd transient unit, a sandbox's own cgroup) are not treated as ids.
func ContainerIDFromCgroup(p string) string {
	parts := strings.Split(p, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if id := idFromComponent(parts[i], i > 1 && parts[i-2] == "ecs"); id != "" {
			return id
		}
	}
	return ""
}

func idFromComponent(c string, underECSTask bool) string {
	c = strings.TrimSuffix(c, ".scope")
	if len(c) == 64 && isHex(c) {
		return c
	}
	if len(c) > 65 {
		tail, sep, prefix := c[len(c)-64:], c[len(c)-65], c[:len(c)-65]
		if (sep == '-' || sep == ':') && isHex(tail) && !strings.Contains(prefix, "conmon") {
			return tail
		}
	}
	if underECSTask {
		// Fargate names containers "<32hex>-<digits>" below /ecs/<task id>/.
		head, digits, found := strings.Cut(c, "-")
		if found && len(head) == 32 && isHex(head) && isDigits(digits) {
			return c
		}
	}
	return ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
