package cli

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/model"
)

func runWhoami(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	var w wire.Whoami
	if done, err := a.send(ctx, c, "GET", "/whoami", nil, nil, &w); done {
		return err
	}
	fmt.Fprintf(a.stdout, "%s (%s), API token %d\n", w.User, w.Role, w.TokenID)
	return nil
}

func runHosts(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("[--label k=v]... [--os ID] [--os-version V] [--hostname PREFIX] [--online|--offline]")
	labels := labelFlag{}
	fs.Var(labels, "label", "only hosts with this label, key=value (repeatable)")
	osID := fs.String("os", "", "only this OS id (debian, ubuntu, rhel...)")
	osVersion := fs.String("os-version", "", "only this OS version")
	hostname := fs.String("hostname", "", "only hostnames starting with this")
	online := fs.Bool("online", false, "only hosts seen recently")
	offline := fs.Bool("offline", false, "only hosts not seen recently")
	var page pageFlags
	page.add(fs)
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *online && *offline {
		return usageErr("--online and --offline exclude each other")
	}
	q := url.Values{}
	for k, v := range labels {
		q.Add("label", k+"="+v)
	}
	setIf(q, "os", *osID)
	setIf(q, "os_version", *osVersion)
	setIf(q, "hostname", *hostname)
	if *online || *offline {
		q.Set("online", strconv.FormatBool(*online))
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	hosts, next, err := list[wire.Host](ctx, a, c, "/hosts", q, page)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "ID", "HOSTNAME", "OS", "AGENT", "ONLINE", "LAST SEEN", "LABELS")
	for _, h := range hosts {
		row(tw, h.ID, h.Hostname, strings.TrimSpace(h.OSID+" "+h.OSVersion), h.AgentStatus, h.Online, h.LastSeen, h.Labels)
	}
	a.more(next)
	return tw.Flush()
}

func runHostShow(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("ID|HOSTNAME [--inventory]")
	withInv := fs.Bool("inventory", false, "also show the host's inventory (with --json: the whole of it)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	id, err := resolveHost(ctx, c, pos[0])
	if err != nil {
		return err
	}
	var h wire.HostDetail
	raw, err := c.do(ctx, "GET", fmt.Sprintf("/hosts/%d", id), nil, nil, &h)
	if err != nil {
		return err
	}
	var inv model.Inventory
	var invRaw []byte
	if *withInv {
		if invRaw, err = c.do(ctx, "GET", fmt.Sprintf("/hosts/%d/inventory", id), nil, nil, &inv); err != nil {
			return err
		}
	}
	if a.jsonOut {
		if invRaw != nil {
			return a.printJSON([]byte(`{"host":` + string(raw) + `,"inventory":` + string(invRaw) + `}`))
		}
		return a.printJSON(raw)
	}
	tw := table(a.stdout, "FIELD", "VALUE")
	row(tw, "id", h.ID)
	row(tw, "hostname", h.Hostname)
	row(tw, "os", strings.TrimSpace(h.OSID+" "+h.OSVersion))
	row(tw, "kernel", h.Kernel)
	row(tw, "arch", h.Arch)
	row(tw, "labels", h.Labels)
	row(tw, "agent", h.AgentStatus)
	row(tw, "online", h.Online)
	row(tw, "first seen", h.FirstSeen)
	row(tw, "last seen", h.LastSeen)
	row(tw, "inventory at", h.InventoryAt)
	row(tw, "open findings", severityCounts(h.OpenFindings))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(h.Agents) > 0 {
		fmt.Fprintln(a.stdout)
		tw = table(a.stdout, "AGENT", "CREDENTIAL", "VERSION", "ENROLLED", "LAST HEARTBEAT", "CPU%", "RSS MiB", "REVOKED")
		for _, ag := range h.Agents {
			row(tw, ag.ID, ag.CredentialID, ag.Version, ag.EnrolledAt, ag.LastHeartbeat, fmt.Sprintf("%.1f", ag.CPUPercent),
				ag.RSSBytes>>20, ag.RevokedAt)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if *withInv {
		return a.printInventory(&inv)
	}
	return nil
}

// printInventory summarises an inventory: counts, listeners, applications.
func (a *app) printInventory(inv *model.Inventory) error {
	fmt.Fprintf(a.stdout, "\nInventory scanned %s: %d packages, %d users, %d processes, %d sockets, %d services, %d containers\n",
		fmtTime(&inv.ScannedAt), len(inv.Packages), len(inv.Users), len(inv.Processes), len(inv.Sockets), len(inv.Services), len(inv.Containers))
	var listening []model.Socket
	for _, s := range inv.Sockets {
		if s.Listening() {
			listening = append(listening, s)
		}
	}
	if len(listening) > 0 {
		fmt.Fprintln(a.stdout)
		tw := table(a.stdout, "PROTO", "ADDRESS", "PORT", "PROCESS", "PID")
		for _, s := range listening {
			row(tw, s.Protocol, s.LocalAddr, s.LocalPort, s.ProcessName, s.PID)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(inv.Applications) > 0 {
		fmt.Fprintln(a.stdout)
		tw := table(a.stdout, "APPLICATION", "VERSION", "CATEGORY", "RUNNING")
		for _, app := range inv.Applications {
			row(tw, app.Name, app.Version, app.Category, app.Running)
		}
		return tw.Flush()
	}
	return nil
}

func severityCounts(m map[string]int) string {
	var out []string
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		if m[sev] > 0 {
			out = append(out, fmt.Sprintf("%d %s", m[sev], sev))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func runAgentRevoke(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("ID (numeric, or the agent's agt_... id)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	var ag wire.Agent
	if done, err := a.send(ctx, c, "POST", "/agents/"+url.PathEscape(pos[0])+"/revoke", nil, nil, &ag); done {
		return err
	}
	fmt.Fprintf(a.stdout, "revoked agent %d (%s) of host %d\n", ag.ID, ag.CredentialID, ag.HostID)
	return nil
}

// resolveHost turns a host id or an exact hostname into an id.
func resolveHost(ctx context.Context, c *client, ref string) (int64, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return id, nil
	}
	var page wire.List[wire.Host]
	q := url.Values{"hostname": {ref}, "limit": {"1000"}}
	if _, err := c.do(ctx, "GET", "/hosts", q, nil, &page); err != nil {
		return 0, err
	}
	var ids []string
	var id int64
	for _, h := range page.Items {
		if h.Hostname == ref {
			id = h.ID
			ids = append(ids, strconv.FormatInt(h.ID, 10))
		}
	}
	switch len(ids) {
	case 0:
		return 0, fmt.Errorf("no host named %q", ref)
	case 1:
		return id, nil
	}
	slices.Sort(ids)
	return 0, fmt.Errorf("several hosts are named %q (ids %s); give the id", ref, strings.Join(ids, ", "))
}

func setIf(q url.Values, key, v string) {
	if v != "" {
		q.Set(key, v)
	}
}
