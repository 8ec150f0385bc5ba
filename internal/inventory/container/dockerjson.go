package container

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// The Docker Engine API shapes Ward reads (field names as in the v1.41
// API reference; unknown fields are ignored, so newer daemons work too).

type dockerVersion struct {
	Version       string `json:"Version"`
	APIVersion    string `json:"ApiVersion"`
	MinAPIVersion string `json:"MinAPIVersion"`
}

// dockerSummary is one element of GET /containers/json.
type dockerSummary struct {
	ID      string            `json:"Id"`
	Names   []string          `json:"Names"`
	Image   string            `json:"Image"`
	ImageID string            `json:"ImageID"`
	Created int64             `json:"Created"`
	State   string            `json:"State"`
	Labels  map[string]string `json:"Labels"`
	Ports   []struct {
		IP          string `json:"IP"`
		PrivatePort int    `json:"PrivatePort"`
		PublicPort  int    `json:"PublicPort"`
		Type        string `json:"Type"`
	} `json:"Ports"`
	Mounts []dockerMount `json:"Mounts"`
}

type dockerMount struct {
	Type        string `json:"Type"`
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	RW          bool   `json:"RW"`
}

type dockerPortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// dockerInspect is GET /containers/{id}/json.
type dockerInspect struct {
	ID      string `json:"Id"`
	Name    string `json:"Name"`
	Created string `json:"Created"`
	Image   string `json:"Image"` // image id (sha256:...)
	State   *struct {
		Status string `json:"Status"`
		Pid    int    `json:"Pid"`
	} `json:"State"`
	Config *struct {
		Image  string            `json:"Image"` // as the user named it
		Labels map[string]string `json:"Labels"`
	} `json:"Config"`
	HostConfig *struct {
		Privileged bool `json:"Privileged"`
	} `json:"HostConfig"`
	Mounts          []dockerMount `json:"Mounts"`
	NetworkSettings *struct {
		Ports map[string][]dockerPortBinding `json:"Ports"`
	} `json:"NetworkSettings"`
}

func parseDockerVersion(data []byte) (dockerVersion, error) {
	var v dockerVersion
	err := json.Unmarshal(data, &v)
	return v, err
}

func parseDockerList(data []byte) ([]dockerSummary, error) {
	var l []dockerSummary
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, err
	}
	return l, nil
}

// fromSummary builds a record from the list entry alone, used when the
// inspect call fails.
func fromSummary(s dockerSummary) model.Container {
	c := model.Container{
		ID:      s.ID,
		Image:   s.Image,
		ImageID: s.ImageID,
		Runtime: "docker",
		State:   s.State,
		Labels:  boundLabels(s.Labels),
		Mounts:  dockerMounts(s.Mounts),
	}
	if len(s.Names) > 0 {
		c.Name = strings.TrimPrefix(s.Names[0], "/")
	}
	if s.Created > 0 {
		t := time.Unix(s.Created, 0).UTC()
		c.Created = &t
	}
	for _, p := range s.Ports {
		if p.PrivatePort <= 0 {
			continue
		}
		cport := strconv.Itoa(p.PrivatePort) + "/" + p.Type
		if p.PublicPort > 0 {
			c.Ports = append(c.Ports, hostPort(p.IP, strconv.Itoa(p.PublicPort))+"->"+cport)
		} else {
			c.Ports = append(c.Ports, cport)
		}
	}
	c.Ports = sortedUnique(c.Ports)
	return c
}

// parseDockerInspect turns an inspect response into a record.
func parseDockerInspect(data []byte) (model.Container, error) {
	var in dockerInspect
	if err := json.Unmarshal(data, &in); err != nil {
		return model.Container{}, err
	}
	if !validID(in.ID) {
		return model.Container{}, fmt.Errorf("bad container id %q", truncate(in.ID, 80))
	}
	c := model.Container{
		ID:      in.ID,
		Name:    strings.TrimPrefix(in.Name, "/"),
		ImageID: in.Image,
		Runtime: "docker",
		Mounts:  dockerMounts(in.Mounts),
	}
	if t, err := time.Parse(time.RFC3339Nano, in.Created); err == nil && t.Year() > 1 {
		t = t.UTC()
		c.Created = &t
	}
	if in.State != nil {
		c.State, c.PID = in.State.Status, max(in.State.Pid, 0)
	}
	if in.Config != nil {
		c.Image, c.Labels = in.Config.Image, boundLabels(in.Config.Labels)
	}
	if in.HostConfig != nil {
		c.Privileged = in.HostConfig.Privileged
	}
	if in.NetworkSettings != nil {
		c.Ports = dockerPorts(in.NetworkSettings.Ports)
	}
	return c, nil
}

// dockerPorts formats a PortMap as docker ps does: "0.0.0.0:8080->80/tcp",
// "[::]:8080->80/tcp", or "443/tcp" for a port exposed but not published.
func dockerPorts(m map[string][]dockerPortBinding) []string {
	var out []string
	for cport, binds := range m {
		if len(binds) == 0 {
			out = append(out, cport)
			continue
		}
		for _, b := range binds {
			out = append(out, hostPort(b.HostIP, b.HostPort)+"->"+cport)
		}
	}
	return sortedUnique(out)
}

func hostPort(ip, port string) string {
	if ip == "" {
		ip = "0.0.0.0"
	}
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() {
		return "[" + ip + "]:" + port
	}
	return ip + ":" + port
}

func dockerMounts(ms []dockerMount) []model.ContainerMount {
	var out []model.ContainerMount
	for _, m := range ms {
		out = append(out, model.ContainerMount{Source: m.Source, Destination: m.Destination, ReadOnly: !m.RW})
	}
	sortMounts(out)
	return out
}

func sortMounts(ms []model.ContainerMount) {
	slices.SortStableFunc(ms, func(a, b model.ContainerMount) int { return strings.Compare(a.Destination, b.Destination) })
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// Labels and annotations are free-form; bound what one container can add.
const (
	maxLabels     = 256
	maxLabelValue = 4 << 10
)

func boundLabels(in map[string]string) map[string]string {
	if len(in) == 0 {
		return nil
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(map[string]string, min(len(keys), maxLabels))
	for _, k := range keys[:min(len(keys), maxLabels)] {
		out[truncate(k, maxLabelValue)] = truncate(in[k], maxLabelValue)
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// validID accepts Docker/containerd-style hex ids; anything else is never
// put into a request path.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
