package host

import (
	"net"
	"sort"

	"github.com/ward-sec/ward/internal/model"
)

// maxInterfaces bounds the list on hosts with thousands of veth pairs.
const maxInterfaces = 4096

// liveInterfaces lists the network interfaces of the running host with
// their addresses in CIDR form, sorted by name.
func liveInterfaces() ([]model.Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]model.Interface, 0, len(ifs))
	for _, i := range ifs {
		if len(out) >= maxInterfaces {
			break
		}
		m := model.Interface{Name: i.Name, MAC: i.HardwareAddr.String(), MTU: i.MTU, Up: i.Flags&net.FlagUp != 0}
		if addrs, err := i.Addrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					m.Addresses = append(m.Addresses, n.String())
				}
			}
		}
		sort.Strings(m.Addresses)
		out = append(out, m)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}
