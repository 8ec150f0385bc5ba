package api

import (
	"net/http"
	"strconv"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/store"
)

// Fleet queries ask "which hosts have X" across the fleet. They are not
// paged (the store answers them in one pass); ?limit= caps the hits and
// "truncated" says whether it did.

// truncate cuts hits fetched with limit+1 to limit.
func truncate[T any](hits []T, lim int) ([]T, bool) {
	if len(hits) > lim {
		return hits[:lim], true
	}
	return hits, false
}

func (s *server) querySoftware(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, err := queryLimit(q)
	if err != nil {
		return err
	}
	sq := store.SoftwareQuery{Name: q.Get("name"), SourceName: q.Get("source"), Type: model.PackageType(q.Get("type")),
		Group: q.Get("group"), Version: q.Get("version"), Limit: lim + 1}
	if (sq.Name == "") == (sq.SourceName == "") {
		return badRequest("name", "give the package name (name=) or its source package (source=), not both")
	}
	hits, err := s.store.HostsWithSoftware(r.Context(), sq)
	if err != nil {
		return err
	}
	hits, more := truncate(hits, lim)
	out := wire.QueryResult[wire.SoftwareHit]{Items: make([]wire.SoftwareHit, 0, len(hits)), Truncated: more}
	for _, h := range hits {
		out.Items = append(out.Items, wire.SoftwareHit{HostID: h.HostID, Hostname: h.Hostname, Package: h.Package})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) queryPorts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, err := queryLimit(q)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(q.Get("port"))
	if err != nil || port < 0 || port > 65535 {
		return badRequest("port", "port must be a number from 0 to 65535, got %q", q.Get("port"))
	}
	pq := store.PortQuery{Port: port, Proto: q.Get("proto"), Limit: lim + 1}
	if pq.Proto != "" && pq.Proto != "tcp" && pq.Proto != "udp" {
		return badRequest("proto", "proto must be tcp or udp, got %q", pq.Proto)
	}
	wildcard, err := boolParam(q, "wildcard")
	if err != nil {
		return err
	}
	pq.WildcardOnly = wildcard != nil && *wildcard
	hits, err := s.store.HostsListening(r.Context(), pq)
	if err != nil {
		return err
	}
	hits, more := truncate(hits, lim)
	out := wire.QueryResult[wire.PortHit]{Items: make([]wire.PortHit, 0, len(hits)), Truncated: more}
	for _, h := range hits {
		out.Items = append(out.Items, wire.PortHit{HostID: h.HostID, Hostname: h.Hostname, Proto: h.Proto, Addr: h.Addr,
			Port: h.Port, Process: h.Process, PID: h.PID})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) queryApps(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, err := queryLimit(q)
	if err != nil {
		return err
	}
	aq := store.AppQuery{Name: q.Get("name"), Version: q.Get("version"), Limit: lim + 1}
	if aq.Name == "" {
		return badRequest("name", "name is required (e.g. name=redis)")
	}
	running, err := boolParam(q, "running")
	if err != nil {
		return err
	}
	aq.RunningOnly = running != nil && *running
	hits, err := s.store.HostsWithApplication(r.Context(), aq)
	if err != nil {
		return err
	}
	hits, more := truncate(hits, lim)
	out := wire.QueryResult[wire.AppHit]{Items: make([]wire.AppHit, 0, len(hits)), Truncated: more}
	for _, h := range hits {
		out.Items = append(out.Items, wire.AppHit{HostID: h.HostID, Hostname: h.Hostname, Name: h.Name, Version: h.Version,
			Category: h.Category, Running: h.Running})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) queryAccounts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lim, err := queryLimit(q)
	if err != nil {
		return err
	}
	aq := store.AccountQuery{Name: q.Get("name"), Password: model.PasswordState(q.Get("password")), Limit: lim + 1}
	if aq.UID, err = intParam(q, "uid"); err != nil {
		return err
	}
	if aq.CanLogin, err = boolParam(q, "can_login"); err != nil {
		return err
	}
	if aq.UID == nil && aq.Name == "" && aq.CanLogin == nil && aq.Password == "" {
		return badRequest("uid", "give at least one of uid, name, can_login, password")
	}
	hits, err := s.store.Accounts(r.Context(), aq)
	if err != nil {
		return err
	}
	hits, more := truncate(hits, lim)
	out := wire.QueryResult[wire.AccountHit]{Items: make([]wire.AccountHit, 0, len(hits)), Truncated: more}
	for _, h := range hits {
		out.Items = append(out.Items, wire.AccountHit{HostID: h.HostID, Hostname: h.Hostname, Name: h.Name, UID: h.UID,
			GID: h.GID, Shell: h.Shell, CanLogin: h.CanLogin, Password: string(h.Password)})
	}
	return writeJSON(w, http.StatusOK, out)
}
