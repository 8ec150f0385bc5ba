package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/server"
)

// capability is one of Ward's detection capabilities (vuln, weakpass,
// baseline, malware) as the binary wires it: its `ward scan --<name>`
// switch and flags, its own subcommands, the task type the server accepts
// and the agent's runner for it. Each registers itself from its own file
// (cmd/ward/<name>.go) with register.
type capability struct {
	Name string
	// ScanUsage is the help of the --<Name> scan switch.
	ScanUsage string
	// ScanFlags registers the capability's extra scan flags on fs and
	// returns the constructor `ward scan` calls when --<Name> is given.
	ScanFlags func(fs *flag.FlagSet) func() (scan.Detector, error)
	// Commands are top-level subcommands ("vulndb", "quarantine"...), with
	// a one-line usage each.
	Commands map[string]command
	// TaskTypes are the task types the server accepts for it.
	TaskTypes []api.TaskType
	// Runners run its task types on the agent.
	Runners map[string]agent.TaskRunner
	// Server, when set, starts the capability's part of `ward server` once
	// the store is open (dataDir: the server's data directory; ctx lasts
	// as long as the server). See serverparts.go.
	Server func(ctx context.Context, s *server.Server, dataDir string) (*serverPart, error)
}

type command struct {
	Usage string
	Run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var capabilities []capability

func register(c capability) { capabilities = append(capabilities, c) }

// capabilityCommand finds a capability's subcommand.
func capabilityCommand(name string) (command, bool) {
	for _, c := range capabilities {
		if cmd, ok := c.Commands[name]; ok {
			return cmd, true
		}
	}
	return command{}, false
}

// capabilityUsage lists the capabilities' subcommands for `ward help`.
func capabilityUsage() string {
	var lines []string
	for _, c := range capabilities {
		for name, cmd := range c.Commands {
			lines = append(lines, "  ward "+pad(name, 13)+" "+cmd.Usage+"\n")
		}
	}
	slices.Sort(lines)
	out := ""
	for _, l := range lines {
		out += l
	}
	return out
}

func pad(s string, n int) string {
	for len(s) < n {
		s += " "
	}
	return s
}

// serverTaskTypes are the core task types plus every capability's.
func serverTaskTypes() []api.TaskType {
	types := api.DefaultTaskTypes()
	for _, c := range capabilities {
		types = append(types, c.TaskTypes...)
	}
	return types
}

// agentRunners are every capability's task runners.
func agentRunners() map[string]agent.TaskRunner {
	out := map[string]agent.TaskRunner{}
	for _, c := range capabilities {
		for name, r := range c.Runners {
			out[name] = r
		}
	}
	return out
}

// scanSwitches registers each capability's --<name> switch and flags on
// fs; the returned function builds the detectors of the switches given.
func scanSwitches(fs *flag.FlagSet) func() ([]scan.Detector, error) {
	type sw struct {
		name  string
		on    *bool
		build func() (scan.Detector, error)
		flags map[string]bool // the capability's own flags (--vulndb, --check...)
	}
	var sws []sw
	for _, c := range capabilities {
		if c.ScanFlags == nil {
			continue
		}
		on := fs.Bool(c.Name, false, c.ScanUsage)
		before := map[string]bool{}
		fs.VisitAll(func(f *flag.Flag) { before[f.Name] = true })
		build := c.ScanFlags(fs)
		own := map[string]bool{}
		fs.VisitAll(func(f *flag.Flag) {
			if !before[f.Name] {
				own[f.Name] = true
			}
		})
		sws = append(sws, sw{c.Name, on, build, own})
	}
	all := fs.Bool("all", false, "run every detector ("+capabilityNames()+")")
	return func() ([]scan.Detector, error) {
		var ds []scan.Detector
		var err error
		// A capability's flag without its switch would be silently ignored.
		fs.Visit(func(f *flag.Flag) {
			for _, s := range sws {
				if s.flags[f.Name] && !*s.on && !*all && err == nil {
					err = fmt.Errorf("--%s applies only with --%s (or --all)", f.Name, s.name)
				}
			}
		})
		if err != nil {
			return nil, err
		}
		for _, s := range sws {
			if !*s.on && !*all {
				continue
			}
			d, err := s.build()
			if err != nil {
				return nil, err
			}
			ds = append(ds, d)
		}
		return ds, nil
	}
}

func capabilityNames() string {
	out := ""
	for i, c := range capabilities {
		if c.ScanFlags == nil {
			continue
		}
		if i > 0 && out != "" {
			out += ", "
		}
		out += c.Name
	}
	return out
}
