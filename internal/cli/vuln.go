package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/vuln/zeroday"
)

// The vuln group: which hosts a bug affects, and the server's advisory
// database (imports re-match the stored inventories; no agent rescans).
func init() {
	addGroup("vuln", &group{
		summary: "hosts CVE-… | import FEED | db | check FILE.yaml | push FILE.yaml: fleet vulnerabilities and 0-day checks",
		sub: map[string]runFunc{
			"hosts": runVulnHosts, "import": runVulnImport, "db": runVulnDB,
			"check": runVulnCheck, "push": runVulnPush,
		},
		subs: []string{"hosts", "import", "db", "check", "push"},
	})
}

func runVulnHosts(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("ID (CVE-…, GHSA-…, DSA-… or any alias)")
	var page pageFlags
	page.add(fs)
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	q := url.Values{"id": {pos[0]}}
	cursor := page.cursor
	var hosts []wire.VulnHost
	var aliases []string
	known := false
	for {
		q.Set("limit", fmt.Sprint(page.limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var res wire.VulnHosts
		raw, err := c.do(ctx, "GET", "/vuln/hosts", q, nil, &res)
		if err != nil {
			return err
		}
		if a.jsonOut {
			if err := a.printJSON(raw); err != nil {
				return err
			}
		}
		hosts, aliases, known, cursor = append(hosts, res.Hosts...), res.Aliases, res.Known, res.NextCursor
		if !page.all || cursor == "" {
			break
		}
	}
	if a.jsonOut {
		return nil
	}
	if len(aliases) > 1 {
		fmt.Fprintf(a.stdout, "%s (also %s)\n", pos[0], strings.Join(without(aliases, pos[0]), ", "))
	}
	if len(hosts) == 0 && !known {
		fmt.Fprintf(a.stdout, "the server's advisory database does not know %s: import an advisory (ward vuln import), or find exposed hosts with a 0-day check (ward vuln push, see docs/vuln-checks.md)\n", pos[0])
		return nil
	}
	if len(hosts) == 0 {
		fmt.Fprintf(a.stdout, "no host is affected by %s (as of the stored inventories and the server's advisory database)\n", pos[0])
		return nil
	}
	tw := table(a.stdout, "HOST", "HOSTNAME", "SEVERITY", "PACKAGE", "VERSION", "FIX", "RESTART AFTER PATCHING")
	for _, h := range hosts {
		for _, p := range h.Packages {
			fix := p.Fixed
			if fix == "" {
				fix = p.Status
			}
			restart := strings.Join(p.Restart, "; ")
			if restart == "" {
				restart = "-"
			}
			name := p.Name
			if p.Location != "" && !strings.HasPrefix(p.Location, "/var/lib/") && !strings.HasPrefix(p.Location, "/lib/apk") {
				name += " (" + p.Location + ")"
			}
			row(tw, h.HostID, h.Hostname, p.Severity, name, p.Version, fix, restart)
		}
	}
	a.more(cursor)
	return tw.Flush()
}

func without(list []string, x string) []string {
	var out []string
	for _, s := range list {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}

func runVulnImport(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("FEED [--upload]")
	upload := fs.Bool("upload", false, "send the file (one OSV JSON record, ≤ 1 MiB) instead of naming a path on the server")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var body any
	if *upload {
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		if !json.Valid(data) {
			return usageErr("--upload sends one OSV JSON record; %s is not JSON (import zips and folders by path on the server)", pos[0])
		}
		body = json.RawMessage(data)
	} else {
		p, err := filepath.Abs(pos[0])
		if err != nil {
			return err
		}
		body = wire.VulnDBImport{Path: p}
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	var res wire.VulnDBImportResult
	if done, err := a.send(ctx, c, "POST", "/vulndb/import", nil, body, &res); done {
		return err
	}
	for _, p := range res.Problems {
		fmt.Fprintf(a.stderr, "skipped %s\n", p)
	}
	fmt.Fprintf(a.stdout, "advisories: %d added, %d changed, %d unchanged, %d withdrawn, %d skipped\n",
		res.Added, res.Changed, res.Unchanged, res.Removed, len(res.Problems))
	if res.FullRematch {
		fmt.Fprintf(a.stdout, "fleet: %d hosts queued for a full re-match in the background\n", res.Queued)
	} else {
		fmt.Fprintf(a.stdout, "fleet: %d hosts hold the packages, %d affected; %d findings written, %d resolved (%d ms, no agent rescans)\n",
			res.HostsChecked, res.HostsAffected, res.Upserted, res.Resolved, res.TookMS)
	}
	return nil
}

func runVulnDB(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	var in wire.VulnDBInfo
	if done, err := a.send(ctx, c, "GET", "/vulndb", nil, nil, &in); done {
		return err
	}
	imported := in.ImportedAt
	if imported == "" {
		imported = "never"
	}
	if in.Stale {
		imported += "  (STALE: import current feeds with `ward vuln import`)"
	}
	fmt.Fprintf(a.stdout, "database:   %s (on the server)\nadvisories: %d\nimported:   %s\nre-match queue: %d hosts\n", in.Path, in.Advisories, imported, in.Pending)
	for _, s := range in.Sources {
		fmt.Fprintf(a.stdout, "  %s  %s  %d records, %d skipped\n", s.ImportedAt, s.Name, s.Records, s.Problems)
	}
	return nil
}

// runVulnCheck evaluates a 0-day check on this host (or a mounted root);
// it needs no server.
func runVulnCheck(ctx context.Context, a *app, args []string) error {
	a.usage = "FILE.yaml [--root DIR] [--json]"
	fs := flag.NewFlagSet("ward vuln check", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	root := fs.String("root", "/", "root filesystem to check (command probes run only on /)")
	fs.BoolVar(&a.jsonOut, "json", false, "print the result as JSON")
	pos, err := a.parse(fs, args, 1, -1)
	if err != nil {
		return err
	}
	var checks []*zeroday.Check
	for _, p := range pos {
		c, err := zeroday.LoadFile(p)
		if err != nil {
			return err
		}
		checks = append(checks, c)
	}
	d := &zeroday.Detector{Checks: checks}
	opts := scan.Options{Root: *root, Detectors: []scan.Detector{d}}
	if need := zeroday.Collectors(checks); need != nil {
		opts.Collectors, opts.Only = all.Collectors(), need
	}
	if _, err := scan.Run(ctx, opts); err != nil {
		return err
	}
	if a.jsonOut {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"results": d.Results, "findings": d.Findings()})
	}
	for i, res := range d.Results {
		state := "not exposed"
		if res.Exposed {
			state = "EXPOSED"
		}
		fmt.Fprintf(a.stdout, "%s: %s — %s (match %s)\n", res.ID, state, res.Title, checks[i].Match)
		for _, p := range res.Probes {
			mark := "-"
			switch {
			case p.Matched:
				mark = "+"
			case p.Skipped != "":
				mark = "?"
			}
			fmt.Fprintf(a.stdout, "  %s line %-4d %-8s", mark, p.Line, p.Kind)
			switch {
			case p.Matched:
				fmt.Fprintf(a.stdout, "%s\n", strings.Join(p.Evidence, "; "))
			case p.Skipped != "":
				fmt.Fprintf(a.stdout, "not evaluated: %s\n", p.Skipped)
			default:
				fmt.Fprintln(a.stdout, "no match")
			}
		}
	}
	return nil
}

// runVulnPush sends a 0-day check to agents as a vuln-check task.
func runVulnPush(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageErr("usage: ward vuln push FILE.yaml (--hosts A,B | --label k=v... | --all) [--cron EXPR]")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	if _, err := zeroday.Parse(data, args[0]); err != nil {
		return err
	}
	params, err := json.Marshal(zeroday.TaskParams{Check: string(data)})
	if err != nil {
		return err
	}
	a.cmd = "vuln push"
	return runTaskCreate(ctx, a, append(slices.Clone(args[1:]), "--type", zeroday.TaskType, "--params", string(params)))
}
