package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
)

// The baseline capability: compliance checks (CIS-aligned, 等保 2.0).
// Local parts (scan switch, `ward baseline ...`) are here; the fleet task
// type and runner register in the same capability.
func init() {
	register(capability{
		Name:      "baseline",
		ScanUsage: "check compliance baselines (CIS-aligned, 等保 2.0); see --policy, --level",
		ScanFlags: baselineScanFlags,
		Commands: map[string]command{
			"baseline": {Usage: "compliance baselines: list, show ID, fix, rollback, import-wazuh", Run: runBaseline},
		},
	})
}

func baselineScanFlags(fs *flag.FlagSet) func() (scan.Detector, error) {
	var pols listFlag
	fs.Var(&pols, "policy", "baseline policy ID or FILE (Ward or Wazuh SCA YAML); repeatable; default auto: chosen from the host's OS and applications")
	level := fs.String("level", "1", "with --policy auto: CIS level 1 or 2, and/or 等保 level mlps2 or mlps3 (comma-separated)")
	return func() (scan.Detector, error) {
		if _, _, err := baseline.ParseLevel(*level); err != nil {
			return nil, err
		}
		return &baseline.Detector{Opts: baseline.Options{Policies: pols, Level: *level}}, nil
	}
}

func runBaseline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, baselineUsage)
		return &exitError{code: 2}
	}
	switch args[0] {
	case "list":
		return baselineList(args[1:], stdout, stderr)
	case "show":
		return baselineShow(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, baselineUsage)
		return nil
	}
	return &exitError{code: 2, msg: fmt.Sprintf("baseline: unknown command %q\n%s", args[0], baselineUsage)}
}

const baselineUsage = `usage: ward baseline COMMAND
  list                          the shipped policies (and --policy FILE ones) with check counts
  show ID|FILE                  a policy's checks, parameters and references
`

func baselineList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("baseline list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files listFlag
	fs.Var(&files, "policy", "also load this policy FILE; repeatable")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	lib, _ := baseline.Library(files)
	for _, err := range lib.Errors {
		fmt.Fprintf(stderr, "warning: %v\n", err)
	}
	fmt.Fprintf(stdout, "%-22s %-8s %5s %6s %6s  %s\n", "ID", "FRAME", "LEVEL", "CHECKS", "MANUAL", "TITLE")
	for _, id := range lib.IDs() {
		p, _ := lib.Get(id)
		r, err := lib.Resolve(p)
		if err != nil {
			fmt.Fprintf(stderr, "warning: %v\n", err)
			continue
		}
		manual := 0
		for _, c := range r.Checks {
			if c.Manual {
				manual++
			}
		}
		fmt.Fprintf(stdout, "%-22s %-8s %5d %6d %6d  %s / %s\n", id, p.Framework, p.Level, len(r.Checks)-manual, manual, p.Title.EN, p.Title.ZH)
	}
	return nil
}

func baselineShow(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("baseline show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if fs.NArg() != 1 {
		return &exitError{code: 2, msg: "baseline show: want one policy ID or FILE"}
	}
	arg := fs.Arg(0)
	var files []string
	if baseline.IsFile(arg) {
		files = []string{arg}
	}
	lib, ids := baseline.Library(files)
	for _, err := range lib.Errors {
		fmt.Fprintf(stderr, "warning: %v\n", err)
	}
	id := arg
	if len(files) > 0 {
		if len(ids) == 0 {
			return fmt.Errorf("baseline show: %s did not load", arg)
		}
		id = ids[0]
	}
	p, ok := lib.Get(id)
	if !ok {
		return &exitError{code: 2, msg: fmt.Sprintf("baseline show: no policy %q (have %s)", id, strings.Join(lib.IDs(), ", "))}
	}
	r, err := lib.Resolve(p)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s %s — %s / %s (%s)\n", r.ID, r.Version, r.Title.EN, r.Title.ZH, r.File)
	if len(r.Params) > 0 {
		var names []string
		for k := range r.Params {
			names = append(names, k)
		}
		sort.Strings(names)
		fmt.Fprintln(stdout, "parameters:")
		for _, k := range names {
			fmt.Fprintf(stdout, "  %s = %s\n", k, r.Params[k])
		}
	}
	for _, c := range r.Checks {
		kind := "auto"
		if c.Manual {
			kind = "manual"
		}
		fmt.Fprintf(stdout, "%-40s %-8s %-6s %s / %s%s\n", c.ID, showSeverity(c.Severity), kind, c.Title.EN, c.Title.ZH, refs(c))
	}
	return nil
}

func showSeverity(s policy.Severity) string { return model.Severity(s).String() }

func refs(c policy.Check) string {
	if len(c.References) == 0 {
		return ""
	}
	var out []string
	for _, r := range c.References {
		out = append(out, r.Type+" "+r.ID)
	}
	return " [" + strings.Join(out, ", ") + "]"
}

func flagErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return &exitError{code: 2}
}
