package cli

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/ward-sec/ward/internal/api/wire"
)

// runFindings lists findings, or with "suppress"/"unsuppress" triages one.
func runFindings(ctx context.Context, a *app, args []string) error {
	if len(args) > 0 && (args[0] == "suppress" || args[0] == "unsuppress") {
		a.cmd = "findings " + args[0]
		return runFindingSuppress(ctx, a, args[1:], args[0] == "suppress")
	}
	fs := a.flagSet("[--kind K] [--severity S] [--host H] [--status S] [--rule R] | suppress HOST ID [--reason R] | unsuppress HOST ID")
	kind := fs.String("kind", "", "only this kind (exposure, account, persistence, vulnerability...)")
	severity := fs.String("severity", "", "at least this severity (info, low, medium, high, critical)")
	host := fs.String("host", "", "only this host (id or hostname)")
	status := fs.String("status", "", "only this status (open, resolved, suppressed)")
	rule := fs.String("rule", "", "only this rule id")
	var page pageFlags
	page.add(fs)
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	q := url.Values{}
	setIf(q, "kind", *kind)
	setIf(q, "severity", *severity)
	setIf(q, "status", *status)
	setIf(q, "rule", *rule)
	if *host != "" {
		id, err := resolveHost(ctx, c, *host)
		if err != nil {
			return fmt.Errorf("--host: %w", err)
		}
		q.Set("host", strconv.FormatInt(id, 10))
	}
	findings, next, err := list[wire.Finding](ctx, a, c, "/findings", q, page)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "HOST", "ID", "SEVERITY", "KIND", "STATUS", "ASSET", "TITLE")
	for _, f := range findings {
		row(tw, f.HostID, f.ID, f.Severity.String(), string(f.Kind), f.Status, f.Asset.Type+":"+f.Asset.ID, f.Title)
	}
	a.more(next)
	return tw.Flush()
}

func runFindingSuppress(ctx context.Context, a *app, args []string, suppress bool) error {
	usage := "HOST FINDING-ID"
	if suppress {
		usage += " [--reason TEXT]"
	}
	fs := a.flagSet(usage)
	reason := fs.String("reason", "", "why the finding is accepted (kept in the audit log)")
	pos, err := a.parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	if !suppress && *reason != "" {
		return usageErr("--reason goes with suppress")
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	hostID, err := resolveHost(ctx, c, pos[0])
	if err != nil {
		return err
	}
	path := fmt.Sprintf("/findings/%d/%s/suppress", hostID, url.PathEscape(pos[1]))
	method, body := "DELETE", any(nil)
	if suppress {
		method, body = "POST", wire.SuppressFinding{Reason: *reason}
	}
	var f wire.Finding
	if done, err := a.send(ctx, c, method, path, nil, body, &f); done {
		return err
	}
	fmt.Fprintf(a.stdout, "finding %s of host %d is now %s\n", f.ID, f.HostID, f.Status)
	return nil
}
