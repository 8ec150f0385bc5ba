package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/baseline"
	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/baseline/probe"
	"github.com/ward-sec/ward/internal/baseline/remedy"
	"github.com/ward-sec/ward/internal/baseline/wazuh"
	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/scan"
	"gopkg.in/yaml.v3"
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
	sets := paramFlag{}
	fs.Var(sets, "set", "override a baseline policy parameter, NAME=VALUE (e.g. password_max_days=180); repeatable")
	return func() (scan.Detector, error) {
		if _, _, err := baseline.ParseLevel(*level); err != nil {
			return nil, err
		}
		baseline.Preload(pols)
		return &baseline.Detector{Opts: baseline.Options{Policies: pols, Level: *level, Overrides: sets.overrides()}}, nil
	}
}

// paramFlag collects repeatable NAME=VALUE policy parameter overrides.
type paramFlag map[string]string

func (p paramFlag) String() string {
	var out []string
	for k, v := range p {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func (p paramFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want NAME=VALUE, got %q", v)
	}
	if err := policy.CheckOverride(name, value); err != nil {
		return err
	}
	p[name] = value
	return nil
}

func (p paramFlag) overrides() map[string]string {
	if len(p) == 0 {
		return nil
	}
	return map[string]string(p)
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
	case "fix":
		return baselineFix(ctx, args[1:], stdout, stderr)
	case "rollback":
		return baselineRollback(ctx, args[1:], stdout, stderr)
	case "import-wazuh":
		return baselineImportWazuh(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, baselineUsage)
		return nil
	}
	return &exitError{code: 2, msg: fmt.Sprintf("baseline: unknown command %q\n%s", args[0], baselineUsage)}
}

const baselineUsage = `usage: ward baseline COMMAND
  list                          the shipped policies (and --policy FILE ones) with check counts
  show ID|FILE [CHECK]          a policy's checks, parameters and references (or one check in full)
  fix [--apply] [--policy P]... [--check ID]... [--level L] [--root DIR]
                                plan (dry run, the default) or apply the declarative fixes of failed
                                checks; --apply backs up every touched file under
                                DIR/var/lib/ward/baseline-backups/<timestamp>/ with a manifest
  rollback [--root DIR] [--list] [ID]
                                undo the newest (or the named) applied fix
  import-wazuh FILE [-o OUT]    convert a Wazuh SCA policy to Ward's format
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
		p, err := lib.Lookup(id)
		if err != nil {
			fmt.Fprintf(stderr, "warning: %v\n", err)
			continue
		}
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
	if fs.NArg() != 1 && fs.NArg() != 2 {
		return &exitError{code: 2, msg: "baseline show: want a policy ID or FILE, and optionally a CHECK id"}
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
	p, err := lib.Lookup(id)
	if err != nil {
		return &exitError{code: 2, msg: "baseline show: " + err.Error()}
	}
	r, err := lib.Resolve(p)
	if err != nil {
		return err
	}
	if fs.NArg() == 2 {
		return showCheck(stdout, r, fs.Arg(1))
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

// showCheck prints one check in full: texts, gates, probes, remediation.
func showCheck(w io.Writer, r *policy.Resolved, id string) error {
	for _, c := range r.Checks {
		if c.ID != id {
			continue
		}
		fmt.Fprintf(w, "%s/%s  [%s]%s\n", r.ID, c.ID, showSeverity(c.Severity), refs(c))
		fmt.Fprintf(w, "title:        %s\n              %s\n", policy.Expand(c.Title.EN, r.Params), policy.Expand(c.Title.ZH, r.Params))
		fmt.Fprintf(w, "description:  %s\n              %s\n", policy.Expand(c.Description.EN, r.Params), policy.Expand(c.Description.ZH, r.Params))
		if c.Rationale.EN != "" {
			fmt.Fprintf(w, "rationale:    %s\n              %s\n", c.Rationale.EN, c.Rationale.ZH)
		}
		if c.Manual {
			fmt.Fprintln(w, "manual:       assessed by interview or document review")
		}
		b, _ := yaml.Marshal(struct {
			Applies   []policy.Gate  `yaml:"applies,omitempty"`
			Condition string         `yaml:"condition,omitempty"`
			Probes    []policy.Probe `yaml:"probes,omitempty"`
			Fix       []policy.Fix   `yaml:"fix,omitempty"`
		}{c.Applies, c.Condition, c.Probes, c.Fix})
		fmt.Fprintf(w, "%s", b)
		fmt.Fprintf(w, "remediation:\n  %s\n", strings.ReplaceAll(strings.TrimSpace(policy.Expand(c.Remediation, r.Params)), "\n", "\n  "))
		return nil
	}
	return &exitError{code: 2, msg: fmt.Sprintf("baseline show: %s has no check %q", r.ID, id)}
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

// baselineInventory collects what the baseline probes read from the
// inventory (OS, accounts, packages, services, sockets), not the full scan.
func baselineInventory(ctx context.Context, root string) (*model.Inventory, error) {
	res, err := scan.Run(ctx, scan.Options{Root: root, Collectors: all.Collectors(), Only: []string{"host", "accounts", "os", "system/services", "live/sockets"}})
	if err != nil {
		return nil, err
	}
	return res.Inventory, nil
}

func baselineFix(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("baseline fix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pols, checks listFlag
	fs.Var(&pols, "policy", "policy ID or FILE; repeatable (default auto)")
	fs.Var(&checks, "check", "fix only this check ID (or POLICY/ID); repeatable")
	level := fs.String("level", "1", "with --policy auto: 1, 2, mlps2, mlps3")
	root := fs.String("root", "/", "root filesystem to fix (writes stay inside it)")
	apply := fs.Bool("apply", false, "apply the changes (default: print them only)")
	sets := paramFlag{}
	fs.Var(sets, "set", "override a policy parameter, NAME=VALUE; repeatable")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if fs.NArg() > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("baseline fix: unexpected argument %q", fs.Arg(0))}
	}
	if _, _, err := baseline.ParseLevel(*level); err != nil {
		return &exitError{code: 2, msg: "baseline fix: " + err.Error()}
	}
	inv, err := baselineInventory(ctx, *root)
	if err != nil {
		return err
	}
	sel, warns, err := baseline.Select(baseline.Options{Policies: pols, Level: *level, Overrides: sets.overrides()}, inv)
	for _, w := range warns {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		return err
	}
	fsys, err := rootfs.Open(*root)
	if err != nil {
		return err
	}
	defer fsys.Close()
	t := probe.NewTarget(ctx, fsys, fsys.IsLive(), "/proc", inv)
	items, manual := baseline.FixItems(t, sel, checks)
	plan, err := remedy.NewPlan(*root, fsys.IsLive(), items)
	if err != nil {
		return err
	}
	plan.Run = remedy.SystemctlRunner
	if len(plan.Steps) == 0 {
		fmt.Fprintln(stdout, "nothing to fix automatically")
	} else {
		plan.Print(stdout)
	}
	if len(manual) > 0 {
		fmt.Fprintf(stdout, "\n%d failed checks need a manual fix (see their remediation: ward scan --baseline)\n", len(manual))
	}
	if !*apply {
		if len(plan.Steps) > 0 {
			fmt.Fprintln(stdout, "\ndry run: nothing was changed; run again with --apply to make these changes")
		}
		return nil
	}
	if len(plan.Steps) == 0 {
		return nil
	}
	m, err := plan.Apply(ctx)
	if m != nil {
		fmt.Fprintf(stdout, "\nbackup %s (%d entries) under %s; undo with: ward baseline rollback --root %s %s\n", m.ID, len(m.Entries), remedy.BackupBase, *root, m.ID)
	}
	if err != nil {
		return fmt.Errorf("baseline fix: %w (partial changes are recorded in the backup manifest)", err)
	}
	// Re-evaluate the fixed checks with fresh file reads.
	t2 := probe.NewTarget(ctx, fsys, fsys.IsLive(), "/proc", inv)
	var ids []string
	for _, it := range items {
		ids = append(ids, it.Policy+"/"+it.Check)
	}
	still, _ := baseline.FixItems(t2, sel, ids)
	fmt.Fprintf(stdout, "%d of %d fixed checks now pass\n", len(items)-len(still), len(items))
	return nil
}

func baselineRollback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("baseline rollback", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "/", "root filesystem the fix was applied to")
	list := fs.Bool("list", false, "list the backups")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if *list {
		ms, err := remedy.Backups(*root)
		if err != nil {
			return err
		}
		for _, m := range ms {
			state := "applied"
			if m.RolledBack {
				state = "rolled back"
			}
			fmt.Fprintf(stdout, "%s  %-11s %d entries\n", m.ID, state, len(m.Entries))
		}
		return nil
	}
	if fs.NArg() > 1 {
		return &exitError{code: 2, msg: "baseline rollback: at most one backup ID"}
	}
	m, err := remedy.Rollback(ctx, *root, fs.Arg(0), "/proc", remedy.SystemctlRunner)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rolled back %s (%d entries)\n", m.ID, len(m.Entries))
	return nil
}

func baselineImportWazuh(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("baseline import-wazuh", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the converted policy to FILE (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if fs.NArg() != 1 {
		return &exitError{code: 2, msg: "baseline import-wazuh: want one Wazuh SCA policy FILE"}
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	p, err := wazuh.Convert(fs.Arg(0), data)
	if err != nil {
		return err
	}
	b, err := wazuh.Marshal(p)
	if err != nil {
		return err
	}
	if _, err := policy.Parse(fs.Arg(0)+" (converted)", b); err != nil {
		return fmt.Errorf("converted policy does not validate: %w", err)
	}
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	if err := writeFileAtomic(*out, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: %d checks written to %s\n", p.ID, len(p.Checks), *out)
	return nil
}
