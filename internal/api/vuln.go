package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/vuln/fleet"
)

// Vulnerability routes: "which hosts does CVE-… affect" from the stored
// findings, and advisory imports that re-match the fleet on the server.
// They answer 503 when the server runs without an advisory database
// (Options.Vuln nil).
func init() { routeSets = append(routeSets, (*server).vulnRoutes) }

const auditVulnDBImport = "vulndb.import"

func (s *server) vulnRoutes() []route {
	return []route{
		{"GET", Prefix + "/vuln/hosts", store.RoleViewer, s.vulnHosts},
		{"GET", Prefix + "/vulndb", store.RoleViewer, s.vulnDBInfo},
		{"POST", Prefix + "/vulndb/import", store.RoleAdmin, s.vulnDBImport},
	}
}

func (s *server) vuln() (*fleet.Matcher, error) {
	if s.opts.Vuln == nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Msg: "this server has no advisory database"}
	}
	return s.opts.Vuln, nil
}

func (s *server) vulnHosts(w http.ResponseWriter, r *http.Request) error {
	m, err := s.vuln()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	id := strings.TrimSpace(q.Get("id"))
	if id == "" || len(id) > 200 {
		return badRequest("id", "give an advisory id: CVE-…, GHSA-…, DSA-…")
	}
	lim, err := pageLimit(q)
	if err != nil {
		return err
	}
	var after int64
	if c := q.Get("cursor"); c != "" {
		if after, err = strconv.ParseInt(c, 10, 64); err != nil || after <= 0 {
			return badRequest("cursor", "invalid cursor %q", c)
		}
	}
	ans, err := m.Hosts(r.Context(), fleet.HostsQuery{ID: id, After: after, Limit: lim + 1})
	if err != nil {
		return err
	}
	hosts := ans.Hosts
	out := wire.VulnHosts{ID: id, Aliases: ans.Aliases, Known: ans.Known, Hosts: []wire.VulnHost{}}
	if len(hosts) > lim {
		hosts = hosts[:lim]
		out.NextCursor = strconv.FormatInt(hosts[lim-1].HostID, 10)
	}
	for _, h := range hosts {
		vh := wire.VulnHost{HostID: h.HostID, Hostname: h.Hostname, Packages: []wire.VulnHostPackage{}}
		for _, p := range h.Packages {
			restart := p.Restart
			if restart == nil {
				restart = []string{}
			}
			vh.Packages = append(vh.Packages, wire.VulnHostPackage{Name: p.Name, Version: p.Version, Location: p.Location,
				Fixed: p.Fixed, Status: p.Status, Severity: p.Severity.String(), Title: p.Title, FindingID: p.FindingID, Restart: restart})
		}
		out.Hosts = append(out.Hosts, vh)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) vulnDBInfo(w http.ResponseWriter, r *http.Request) error {
	m, err := s.vuln()
	if err != nil {
		return err
	}
	in, err := m.DB().Info(r.Context())
	if err != nil {
		return err
	}
	out := wire.VulnDBInfo{Path: in.Path, Advisories: in.Advisories, Stale: in.Stale, Sources: []wire.VulnDBSource{}, Pending: m.Pending()}
	if !in.ImportedAt.IsZero() {
		out.ImportedAt = in.ImportedAt.UTC().Format(time.RFC3339)
	}
	for _, src := range in.Sources {
		out.Sources = append(out.Sources, wire.VulnDBSource{Name: src.Name, ImportedAt: src.ImportedAt.UTC().Format(time.RFC3339),
			Records: src.Records, Problems: src.Problems})
	}
	return writeJSON(w, http.StatusOK, out)
}

// vulnDBImport imports a feed: a JSON body {"path": …} names a file or
// folder on the server (a big all.zip); any other body is the feed itself
// (one OSV record, or a zip of records), up to the API's body limit.
func (s *server) vulnDBImport(w http.ResponseWriter, r *http.Request) error {
	m, err := s.vuln()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Msg: "feed larger than the upload limit: copy it to the server and import it by path"}
		}
		return badRequest("body", "read body: %v", err)
	}
	var path, name, what string
	var req wire.VulnDBImport
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && bytes.Contains(body, []byte(`"path"`)) &&
		json.Unmarshal(body, &req) == nil && req.Path != "" {
		if !filepath.IsAbs(req.Path) {
			return badRequest("path", "path must be absolute on the server, got %q", req.Path)
		}
		path, name, what = req.Path, req.Path, "path:"+req.Path
	} else {
		if len(bytes.TrimSpace(body)) == 0 {
			return badRequest("body", "empty body: send an OSV record or zip, or {\"path\": \"/srv/feeds/all.zip\"}")
		}
		ext := ".json"
		if bytes.HasPrefix(body, []byte("PK\x03\x04")) {
			ext = ".zip"
		} else if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			ext = ".yaml"
		}
		dir, err := os.MkdirTemp("", "ward-vulndb-upload-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "upload"+ext)
		if err := os.WriteFile(path, body, 0o600); err != nil {
			return err
		}
		name, what = "upload:"+principal(r).UserName+"@"+s.now().UTC().Format(time.RFC3339), "upload"
	}
	res, st, err := m.ImportAs(r.Context(), []string{name}, path)
	if err != nil {
		return badRequest("feed", "%v", err)
	}
	out := wire.VulnDBImportResult{Added: len(res.Added), Changed: len(res.Changed), Removed: len(res.Removed), Unchanged: res.Unchanged,
		Problems: []string{}, HostsChecked: st.HostsChecked, HostsAffected: st.HostsAffected, Upserted: st.Upserted,
		Resolved: st.Resolved, FullRematch: st.FullRematch, Queued: st.Queued, TookMS: st.Took.Milliseconds()}
	for i, p := range res.Problems {
		if i == 100 {
			out.Problems = append(out.Problems, strconv.Itoa(len(res.Problems)-100)+" more")
			break
		}
		out.Problems = append(out.Problems, p.String())
	}
	s.audit(r, auditVulnDBImport, what, map[string]any{"added": out.Added, "changed": out.Changed, "removed": out.Removed,
		"hosts_affected": out.HostsAffected})
	return writeJSON(w, http.StatusOK, out)
}
