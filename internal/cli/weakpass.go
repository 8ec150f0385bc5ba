package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/ward-sec/ward/internal/api/wire"
)

func init() {
	addGroup("weakpass", &group{
		summary: "leaked (--hosts A,B | --label k=v | --all) [PASSWORD...]: which hosts and accounts use a leaked password (stdin when none given)",
		sub:     map[string]runFunc{"leaked": runWeakpassLeaked},
		subs:    []string{"leaked"},
	})
}

// leakedStdin is where passwords are read from when none are given on
// the command line (tests replace it).
var leakedStdin io.Reader = os.Stdin

// leakedPoll is the interval between looks at a running query.
var leakedPoll = 2 * time.Second

func runWeakpassLeaked(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("(--hosts A,B | --label k=v... | --all) [--wait 10m] [PASSWORD...] | --query ID")
	hosts := fs.String("hosts", "", "comma-separated host ids or hostnames")
	labels := labelFlag{}
	fs.Var(labels, "label", "hosts with this label, key=value (repeatable; all must match)")
	all := fs.Bool("all", false, "every host")
	wait := fs.Duration("wait", 10*time.Minute, "how long to wait for the hosts' answers (0: do not wait, print the query id)")
	query := fs.Int64("query", 0, "show the result of an earlier query instead of starting one")
	pos, err := a.parse(fs, args, 0, -1)
	if err != nil {
		return err
	}
	c, err := a.client()
	if *query > 0 {
		if len(pos) > 0 || *hosts != "" || *all || len(labels) > 0 {
			return usageErr("--query shows an earlier query: give no target or passwords with it")
		}
		if err != nil {
			return err
		}
		return a.leakedResult(ctx, c, *query, *wait)
	}
	if !*all && *hosts == "" && len(labels) == 0 {
		return usageErr("say where to look: --hosts A,B, --label k=v or --all")
	}
	if *all && (*hosts != "" || len(labels) > 0) {
		return usageErr("--all cannot be combined with --hosts or --label")
	}
	if err != nil {
		return err
	}
	passwords := pos
	if len(passwords) == 0 {
		if passwords, err = readPasswords(a); err != nil {
			return err
		}
	}
	req := wire.LeakedQuery{Target: wire.TaskTarget{All: *all}, Passwords: passwords}
	if len(labels) > 0 {
		req.Target.Labels = labels
	}
	for _, h := range strings.Split(*hosts, ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		id, err := resolveHost(ctx, c, h)
		if err != nil {
			return fmt.Errorf("--hosts: %w", err)
		}
		req.Target.Hosts = append(req.Target.Hosts, id)
	}
	var t wire.TaskDetail
	if _, err := c.do(ctx, "POST", "/weakpass/leaked", nil, req, &t); err != nil {
		return err
	}
	if !a.jsonOut {
		fmt.Fprintf(a.stderr, "query %d sent to %d hosts\n", t.ID, len(t.HostRuns.Items))
	}
	if *wait <= 0 {
		if a.jsonOut {
			raw, err := json.Marshal(t)
			if err != nil {
				return err
			}
			return a.printJSON(raw)
		}
		fmt.Fprintf(a.stdout, "query %d: see the result with 'ward weakpass leaked --query %d'\n", t.ID, t.ID)
		return nil
	}
	return a.leakedResult(ctx, c, t.ID, *wait)
}

// readPasswords reads the passwords from standard input: one a line, or
// one typed without echo on a terminal.
func readPasswords(a *app) ([]string, error) {
	if f, ok := leakedStdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, "leaked password (not echoed): ")
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return nil, fmt.Errorf("reading the password: %w", err)
		}
		if len(pw) == 0 {
			return nil, usageErr("no password given")
		}
		return []string{string(pw)}, nil
	}
	var out []string
	sc := bufio.NewScanner(leakedStdin)
	for sc.Scan() {
		if pw := strings.TrimRight(sc.Text(), "\r"); pw != "" {
			out = append(out, pw)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading passwords from standard input: %w", err)
	}
	if len(out) == 0 {
		return nil, usageErr("no passwords: give them as arguments or on standard input, one a line")
	}
	return out, nil
}

// leakedResult polls the query until every run has finished or wait
// passes, then prints which hosts and accounts use the passwords.
func (a *app) leakedResult(ctx context.Context, c *client, id int64, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	var res wire.LeakedResult
	var raw []byte
	for {
		var err error
		if raw, err = c.do(ctx, "GET", fmt.Sprintf("/weakpass/leaked/%d", id), nil, nil, &res); err != nil {
			return err
		}
		if res.Done || !time.Now().Before(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(leakedPoll):
		}
	}
	if a.jsonOut {
		return a.printJSON(raw)
	}
	tw := table(a.stdout, "HOST", "STATUS", "STORE", "ACCOUNT", "WHERE")
	hostsUsing, accounts, quiet := 0, 0, 0
	// A fleet-wide query lists the hosts that matter; the rest are counted.
	terse := len(res.Hosts) > 50
	for _, h := range res.Hosts {
		name := h.Hostname
		if name == "" {
			name = fmt.Sprint(h.HostID)
		}
		switch {
		case len(h.Matches) > 0:
			hostsUsing++
			for _, m := range h.Matches {
				accounts++
				row(tw, name, h.Status, m.Store, m.Account, m.Path)
			}
		case h.Status == "done" && terse && h.Unchecked == "":
			quiet++
		case h.Status == "done":
			row(tw, name, h.Status, "-", "(not used)", h.Unchecked)
		default:
			row(tw, name, h.Status, "-", "-", h.Error)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if quiet > 0 {
		fmt.Fprintf(a.stdout, "%d more hosts: not used (every credential tested)\n", quiet)
	}
	fmt.Fprintf(a.stdout, "in use on %d of %d hosts (%d accounts)\n", hostsUsing, len(res.Hosts), accounts)
	if !res.Done {
		fmt.Fprintf(a.stdout, "still running (%s); look again with 'ward weakpass leaked --query %d'\n", fmtRuns(res.Runs), id)
		return errors.New("query not finished")
	}
	return nil
}

func fmtRuns(m map[string]int) string {
	var parts []string
	for _, s := range []string{"queued", "running", "done", "failed", "timeout"} {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
		}
	}
	return strings.Join(parts, ", ")
}
