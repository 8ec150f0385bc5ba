package container

import (
	"encoding/json"
	"slices"

	"github.com/ward-sec/ward/internal/model"
)

// ociSpec is the part of an OCI runtime spec (config.json) Ward reads.
type ociSpec struct {
	Process *struct {
		Capabilities *struct {
			Bounding []string `json:"bounding"`
		} `json:"capabilities"`
	} `json:"process"`
	Mounts []struct {
		Destination string   `json:"destination"`
		Type        string   `json:"type"`
		Source      string   `json:"source"`
		Options     []string `json:"options"`
	} `json:"mounts"`
	Annotations map[string]string `json:"annotations"`
	Linux       *struct {
		MaskedPaths []string `json:"maskedPaths"`
	} `json:"linux"`
}

// Annotations the containerd CRI plugin sets (internal/cri/annotations).
const (
	annContainerName = "io.kubernetes.cri.container-name"
	annSandboxName   = "io.kubernetes.cri.sandbox-name"
	annContainerType = "io.kubernetes.cri.container-type"
	annImageName     = "io.kubernetes.cri.image-name"
	annSandboxImage  = "io.kubernetes.cri.podsandbox.image-name"
	annNerdctlName   = "nerdctl/name"
)

// fullCapabilityCount is the number of capabilities of Linux 3.16-5.7
// (CAP_AUDIT_READ was the last); newer kernels have 41. A bounding set at
// least this large is "all capabilities".
const fullCapabilityCount = 38

// parseOCIConfig reads what Ward records from an OCI runtime spec: name and
// image (CRI annotations), bind mounts, annotations as labels, and whether
// the container is privileged.
func parseOCIConfig(data []byte) (model.Container, error) {
	var spec ociSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return model.Container{}, err
	}
	a := spec.Annotations
	c := model.Container{
		Runtime:    "containerd",
		Name:       firstNonEmpty(a[annContainerName], a[annNerdctlName]),
		Image:      firstNonEmpty(a[annImageName], a[annSandboxImage]),
		Labels:     boundLabels(a),
		Privileged: privileged(&spec),
	}
	if a[annContainerType] == "sandbox" && c.Name == "" {
		c.Name = a[annSandboxName]
	}
	for _, m := range spec.Mounts {
		// Only host paths mounted in matter; proc, sysfs, tmpfs... are the
		// runtime's own furniture and the same in every container.
		if m.Type != "bind" && !slices.Contains(m.Options, "bind") && !slices.Contains(m.Options, "rbind") {
			continue
		}
		c.Mounts = append(c.Mounts, model.ContainerMount{
			Source:      m.Source,
			Destination: m.Destination,
			ReadOnly:    slices.Contains(m.Options, "ro"),
		})
	}
	sortMounts(c.Mounts)
	return c, nil
}

// privileged approximates docker/ctr/CRI "privileged" from the spec: all
// capabilities including CAP_SYS_ADMIN, or CAP_SYS_ADMIN with the kernel
// paths unmasked (every runtime's privileged mode clears maskedPaths).
func privileged(s *ociSpec) bool {
	if s.Process == nil || s.Process.Capabilities == nil {
		return false
	}
	caps := s.Process.Capabilities.Bounding
	if !slices.Contains(caps, "CAP_SYS_ADMIN") {
		return false
	}
	unique := map[string]bool{}
	for _, c := range caps {
		unique[c] = true
	}
	unmasked := s.Linux != nil && len(s.Linux.MaskedPaths) == 0
	return len(unique) >= fullCapabilityCount || unmasked
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
