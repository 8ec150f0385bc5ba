package api

import (
	"errors"
	"net/http"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

func (s *server) listHosts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, off, err := offsetPage(q)
	if err != nil {
		return err
	}
	f := store.HostFilter{OSID: q.Get("os"), OSVersion: q.Get("os_version"), HostnamePrefix: q.Get("hostname"),
		Limit: lim + 1, Offset: off}
	if f.Labels, err = labelParams(q); err != nil {
		return err
	}
	if f.Online, err = boolParam(q, "online"); err != nil {
		return err
	}
	hosts, err := s.store.Hosts(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listPage(hosts, lim, hostView, offsetNext[store.Host](off, lim)))
}

func (s *server) getHost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := s.host(r, id)
	if err != nil {
		return err
	}
	agents, err := s.store.HostAgents(r.Context(), id)
	if err != nil {
		return err
	}
	counts, err := s.store.CountOpenFindings(r.Context(), id)
	if err != nil {
		return err
	}
	out := wire.HostDetail{Host: hostView(h), Agents: []wire.Agent{}, OpenFindings: map[string]int{}}
	for _, a := range agents {
		out.Agents = append(out.Agents, agentView(a))
	}
	for sev, n := range counts {
		out.OpenFindings[sev.String()] = n
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) getInventory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.host(r, id); err != nil {
		return err
	}
	inv, err := s.store.HostInventory(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("host %d has not reported an inventory yet", id)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, inv)
}

// host loads a host, answering 404 for an unknown one.
func (s *server) host(r *http.Request, id int64) (store.Host, error) {
	h, err := s.store.Host(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return h, notFound("no host with id %d", id)
	}
	return h, err
}

func hostView(h store.Host) wire.Host {
	labels := h.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return wire.Host{ID: h.ID, Hostname: h.Hostname, OSID: h.OSID, OSVersion: h.OSVersion, Kernel: h.Kernel, Arch: h.Arch,
		Labels: labels, AgentStatus: string(h.AgentStatus), Online: h.Online, FirstSeen: wire.Time(h.FirstSeen),
		LastSeen: wire.Time(h.LastSeen), InventoryAt: wire.Time(h.InventoryAt)}
}

func agentView(a store.Agent) wire.Agent {
	return wire.Agent{ID: a.ID, HostID: a.HostID, CredentialID: a.CredentialID, CertFingerprint: a.CertFingerprint,
		CertSerial: a.CertSerial, Version: a.Version, EnrolledAt: wire.Time(a.EnrolledAt), RevokedAt: wire.Time(a.RevokedAt),
		LastHeartbeat: wire.Time(a.LastHeartbeat), CPUPercent: a.CPUPercent, RSSBytes: a.RSSBytes}
}
