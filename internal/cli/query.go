package cli

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/ward-sec/ward/internal/api/wire"
)

// query runs a fleet query and prints its JSON, or returns its hits.
func query[T any](ctx context.Context, a *app, path string, q url.Values, limit int) ([]T, bool, error) {
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	c, err := a.client()
	if err != nil {
		return nil, false, err
	}
	var res wire.QueryResult[T]
	raw, err := c.do(ctx, "GET", path, q, nil, &res)
	if err != nil {
		return nil, false, err
	}
	if a.jsonOut {
		return nil, false, a.printJSON(raw)
	}
	if res.Truncated {
		fmt.Fprintf(a.stderr, "(only the first %d hits; raise --limit for more)\n", len(res.Items))
	}
	return res.Items, true, nil
}

func runQuerySoftware(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("NAME [--version V] [--type T] [--group G] [--source]")
	version := fs.String("version", "", "only this exact version")
	typ := fs.String("type", "", "only this package type (deb, rpm, apk, maven, pypi, npm, golang, binary)")
	group := fs.String("group", "", "Maven groupId")
	source := fs.Bool("source", false, "NAME is a source package (dpkg Source, SRPM)")
	limit := fs.Int("limit", 0, "most hits (server default 1000)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	q := url.Values{}
	if *source {
		q.Set("source", pos[0])
	} else {
		q.Set("name", pos[0])
	}
	setIf(q, "version", *version)
	setIf(q, "type", *typ)
	setIf(q, "group", *group)
	hits, show, err := query[wire.SoftwareHit](ctx, a, "/query/software", q, *limit)
	if err != nil || !show {
		return err
	}
	tw := table(a.stdout, "HOST", "HOSTNAME", "TYPE", "PACKAGE", "VERSION", "LOCATION")
	for _, h := range hits {
		name := h.Package.Name
		if h.Package.Group != "" {
			name = h.Package.Group + ":" + name
		}
		row(tw, h.HostID, h.Hostname, string(h.Package.Type), name, h.Package.Version, h.Package.Location)
	}
	return tw.Flush()
}

func runQueryPorts(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("PORT [--wildcard] [--proto tcp|udp]")
	wildcard := fs.Bool("wildcard", false, "only sockets bound to all addresses (0.0.0.0, ::)")
	proto := fs.String("proto", "", "tcp or udp")
	limit := fs.Int("limit", 0, "most hits (server default 1000)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if _, err := strconv.ParseUint(pos[0], 10, 16); err != nil {
		return usageErr("PORT must be a number from 0 to 65535, got %q", pos[0])
	}
	q := url.Values{"port": {pos[0]}}
	if *wildcard {
		q.Set("wildcard", "true")
	}
	setIf(q, "proto", *proto)
	hits, show, err := query[wire.PortHit](ctx, a, "/query/ports", q, *limit)
	if err != nil || !show {
		return err
	}
	tw := table(a.stdout, "HOST", "HOSTNAME", "PROTO", "ADDRESS", "PORT", "PROCESS", "PID")
	for _, h := range hits {
		row(tw, h.HostID, h.Hostname, h.Proto, h.Addr, h.Port, h.Process, h.PID)
	}
	return tw.Flush()
}

func runQueryApps(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("NAME [--version V] [--running]")
	version := fs.String("version", "", "only this exact version")
	running := fs.Bool("running", false, "only running instances")
	limit := fs.Int("limit", 0, "most hits (server default 1000)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	q := url.Values{"name": {pos[0]}}
	setIf(q, "version", *version)
	if *running {
		q.Set("running", "true")
	}
	hits, show, err := query[wire.AppHit](ctx, a, "/query/apps", q, *limit)
	if err != nil || !show {
		return err
	}
	tw := table(a.stdout, "HOST", "HOSTNAME", "APPLICATION", "VERSION", "CATEGORY", "RUNNING")
	for _, h := range hits {
		row(tw, h.HostID, h.Hostname, h.Name, h.Version, h.Category, h.Running)
	}
	return tw.Flush()
}

func runQueryAccounts(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("[--uid N] [--name NAME] [--can-login] [--password set|empty|locked|disabled|unknown]")
	uid := fs.String("uid", "", "numeric user id, e.g. 0")
	name := fs.String("name", "", "account name")
	canLogin := fs.Bool("can-login", false, "only accounts with a login shell")
	password := fs.String("password", "", "password state: set, empty, locked, disabled, unknown")
	limit := fs.Int("limit", 0, "most hits (server default 1000)")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *uid == "" && *name == "" && !*canLogin && *password == "" {
		return usageErr("give at least one of --uid, --name, --can-login, --password")
	}
	q := url.Values{}
	setIf(q, "uid", *uid)
	setIf(q, "name", *name)
	setIf(q, "password", *password)
	if *canLogin {
		q.Set("can_login", "true")
	}
	hits, show, err := query[wire.AccountHit](ctx, a, "/query/accounts", q, *limit)
	if err != nil || !show {
		return err
	}
	tw := table(a.stdout, "HOST", "HOSTNAME", "ACCOUNT", "UID", "GID", "SHELL", "LOGIN", "PASSWORD")
	for _, h := range hits {
		row(tw, h.HostID, h.Hostname, h.Name, h.UID, h.GID, h.Shell, h.CanLogin, h.Password)
	}
	return tw.Flush()
}
