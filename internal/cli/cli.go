// Package cli is Ward's admin command line: the `ward token`, `ward hosts`,
// `ward tasks`, ... commands, which talk to a Ward server's HTTPS API
// (package api; bodies in package api/wire). The main binary hands them
// their arguments with Run.
//
// Every command takes the connection flags --server URL, --token TOKEN
// (or WARD_SERVER, WARD_TOKEN) and how to trust the server: --ca FILE, or
// --ca-fingerprint HEX pinning the Ward CA (WARD_CA holds either); with
// neither, the system roots are used. Output is a table, or the server's
// JSON with --json.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
)

// group is a top-level command; sub maps subcommand names to their run
// function, or run handles the group alone.
type group struct {
	summary string
	sub     map[string]runFunc
	subs    []string // in help order
	run     runFunc
}

type runFunc func(ctx context.Context, a *app, args []string) error

// groups lists every command; Usage is built from it.
var groups map[string]*group

// groupOrder is the order of the usage text.
var groupOrder = []string{"whoami", "hosts", "host", "agents", "tasks", "findings", "query", "audit", "enroll-token", "token", "users"}

// addGroup registers a capability's command group (vuln, weakpass,
// baseline, malware...) from its own file's init; it is listed after the
// core commands.
func addGroup(name string, g *group) {
	if groups == nil {
		groups = map[string]*group{}
	}
	groups[name] = g
	groupOrder = append(groupOrder, name)
}

func init() {
	core := map[string]*group{
		"whoami":       {summary: "show the user and role of the API token", run: runWhoami},
		"hosts":        {summary: "list hosts [--label k=v] [--os ID] [--online|--offline]", run: runHosts},
		"host":         {summary: "show ID|HOSTNAME [--inventory]: one host, its agents, findings, inventory", sub: map[string]runFunc{"show": runHostShow}, subs: []string{"show"}},
		"agents":       {summary: "revoke ID: revoke an agent and disconnect it", sub: map[string]runFunc{"revoke": runAgentRevoke}, subs: []string{"revoke"}},
		"tasks":        {summary: "create|list|show|types: run inventory and other tasks on hosts", sub: map[string]runFunc{"create": runTaskCreate, "list": runTaskList, "show": runTaskShow, "types": runTaskTypes}, subs: []string{"create", "list", "show", "types"}},
		"findings":     {summary: "list findings [--kind K] [--severity S] [--host H] [--status S]; suppress|unsuppress HOST ID", run: runFindings},
		"query":        {summary: "software NAME | ports PORT | apps NAME | accounts: which hosts have X", sub: map[string]runFunc{"software": runQuerySoftware, "ports": runQueryPorts, "port": runQueryPorts, "apps": runQueryApps, "app": runQueryApps, "accounts": runQueryAccounts}, subs: []string{"software", "ports", "apps", "accounts"}},
		"audit":        {summary: "show the audit log [--actor U] [--action A] [--since 24h]", run: runAudit},
		"enroll-token": {summary: "create|list|revoke: tokens agents enrol with", sub: map[string]runFunc{"create": runEnrollCreate, "list": runEnrollList, "revoke": runEnrollRevoke}, subs: []string{"create", "list", "revoke"}},
		"token":        {summary: "create|list|revoke: API tokens (admin)", sub: map[string]runFunc{"create": runTokenCreate, "list": runTokenList, "revoke": runTokenRevoke}, subs: []string{"create", "list", "revoke"}},
		"users":        {summary: "create|list|disable: API users (admin)", sub: map[string]runFunc{"create": runUserCreate, "list": runUserList, "disable": runUserDisable}, subs: []string{"create", "list", "disable"}},
	}
	if groups == nil {
		groups = map[string]*group{}
	}
	maps.Copy(groups, core)
}

// IsCommand reports whether name is one of this package's commands, for
// the main binary's dispatch.
func IsCommand(name string) bool {
	_, ok := groups[name]
	return ok
}

// Usage is the summary of the admin commands, for the main binary's help.
func Usage() string {
	var b strings.Builder
	for _, name := range groupOrder {
		fmt.Fprintf(&b, "  ward %-13s %s\n", name, groups[name].summary)
	}
	b.WriteString("\nConnection (every command): --server URL --token TOKEN (or WARD_SERVER, WARD_TOKEN),\n" +
		"  --ca FILE or --ca-fingerprint HEX to trust the server (or WARD_CA), --json for JSON output.\n")
	return b.String()
}

// Run runs one admin command; args start with its name ("token",
// "create", ...). It returns the exit status: 0 done, 1 failed, 2 usage.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, stdout, stderr, os.Getenv)
}

// run is Run with the environment given (tests).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv}
	return a.exit(a.dispatch(ctx, args))
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageErr("no command given\n\nCommands:\n%s", Usage())
	}
	g, ok := groups[args[0]]
	if !ok {
		return usageErr("unknown command %q\n\nCommands:\n%s", args[0], Usage())
	}
	a.cmd = args[0]
	if g.run != nil {
		return g.run(ctx, a, args[1:])
	}
	switch {
	case len(args) > 1 && (args[1] == "-h" || args[1] == "--help" || args[1] == "help"):
		fmt.Fprintf(a.stdout, "ward %s %s\n", args[0], g.summary)
		return nil
	case len(args) < 2 || strings.HasPrefix(args[1], "-"):
		return usageErr("%s needs a subcommand: %s", args[0], strings.Join(g.subs, ", "))
	}
	run, ok := g.sub[args[1]]
	if !ok {
		return usageErr("unknown subcommand %q of %s (want one of: %s)", args[1], args[0], strings.Join(g.subs, ", "))
	}
	a.cmd = args[0] + " " + args[1]
	return run(ctx, a, args[2:])
}

// app is one command's run: its output and connection settings.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	cmd            string // "tasks create", for messages
	usage          string // its positional arguments and flags

	server, token, caFile, caFingerprint string
	jsonOut                              bool
	timeout                              string
}

// errUsage marks a command line mistake (exit status 2).
type errUsage struct{ msg string }

func (e *errUsage) Error() string { return e.msg }

func usageErr(format string, args ...any) error { return &errUsage{fmt.Sprintf(format, args...)} }

func (a *app) exit(err error) int {
	var ue *errUsage
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		if a.cmd != "" && !strings.Contains(ue.msg, "\n") {
			fmt.Fprintf(a.stderr, "ward %s: %s (see 'ward %s -h')\n", a.cmd, ue.msg, a.cmd)
		} else {
			fmt.Fprintf(a.stderr, "ward: %s\n", ue.msg)
		}
		return 2
	}
	if a.cmd != "" {
		fmt.Fprintf(a.stderr, "ward %s: %v\n", a.cmd, err)
	} else {
		fmt.Fprintf(a.stderr, "ward: %v\n", err)
	}
	return 1
}

// flagSet makes a command's flag set with the connection flags on it.
// usage is the positional part, e.g. "ID [--inventory]".
func (a *app) flagSet(usage string) *flag.FlagSet {
	a.usage = usage
	fs := flag.NewFlagSet("ward "+a.cmd, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "Usage: ward %s %s\n\nFlags:\n", a.cmd, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&a.server, "server", "", "server URL, e.g. https://ward.example:8443 (default $WARD_SERVER)")
	fs.StringVar(&a.token, "token", "", "API token (default $WARD_TOKEN)")
	fs.StringVar(&a.caFile, "ca", "", "PEM file of the Ward CA to trust (default $WARD_CA when it is a file)")
	fs.StringVar(&a.caFingerprint, "ca-fingerprint", "", "SHA-256 of the Ward CA certificate, hex: pins it, no system roots (default $WARD_CA when it is a fingerprint)")
	fs.BoolVar(&a.jsonOut, "json", false, "print the server's JSON instead of a table")
	fs.StringVar(&a.timeout, "timeout", "30s", "request timeout")
	return fs
}

// parse parses flags and positional arguments in any order (flag stops at
// the first positional one) and checks the positional count is within
// [least, most] (most < 0: no limit).
func (a *app) parse(fs *flag.FlagSet, args []string, least, most int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &errUsage{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < least:
		return nil, usageErr("missing argument; usage: ward %s %s", a.cmd, a.usage)
	case most >= 0 && len(pos) > most:
		return nil, usageErr("unexpected argument %q", pos[most])
	}
	return pos, nil
}

// idAndClient parses the arguments of a command taking one numeric ID
// (what names it in the error) and connects.
func (a *app) idAndClient(args []string, what string) (int64, *client, error) {
	fs := a.flagSet("ID")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return 0, nil, err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return 0, nil, usageErr("%s id must be a number, got %q", what, pos[0])
	}
	c, err := a.client()
	if err != nil {
		return 0, nil, err
	}
	return id, c, nil
}

// labelFlag collects repeated --label k=v.
type labelFlag map[string]string

func (l labelFlag) String() string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		out = append(out, k+"="+l[k])
	}
	return strings.Join(out, ",")
}

func (l labelFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	l[k] = val
	return nil
}
