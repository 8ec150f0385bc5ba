package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"golang.org/x/term"

	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/report"
	"github.com/ward-sec/ward/internal/scan"
)

func version() string { return scan.Version() }

// listFlag collects a repeatable, comma-separable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "/", "root filesystem to scan: / for this host, or an unpacked image / mounted disk")
	format := fs.String("format", "table", "output format: "+strings.Join(report.Formats, ", "))
	output := fs.String("output", "", "write the report to FILE instead of standard output")
	maxDepth := fs.Int("max-depth", 0, "directory depth limit for file walks (0: default 48)")
	noProgress := fs.Bool("no-progress", false, "do not draw the progress line on a terminal")
	failOn := fs.String("fail-on", "", "exit with status 3 when a finding has at least this severity (info, low, medium, high, critical)")
	memLimit := fs.Int("memory-limit-mb", 36, "soft memory limit for the Go runtime in MiB (0: none); keeps the scan light on busy hosts")
	list := fs.Bool("list-collectors", false, "list the collectors and exit")
	var excludes, only, show listFlag
	fs.Var(&excludes, "exclude", "path or glob (in the scanned root) not to walk; repeatable")
	fs.Var(&only, "collectors", "run only these collectors or classes (e.g. os,accounts or os/dpkg); see --list-collectors")
	detectors := scanSwitches(fs)
	fs.Var(&show, "show", "asset classes to list in full in the table ("+strings.Join(report.Classes(), ", ")+", all)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	if fs.NArg() > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("scan: unexpected argument %q (use --root DIR to scan a directory)", fs.Arg(0))}
	}
	collectors := all.Collectors()
	if *list {
		for _, c := range collectors {
			live := ""
			if c.NeedsLive() {
				live = " (live host only)"
			}
			fmt.Fprintf(stdout, "%s%s\n", c.Name(), live)
		}
		return nil
	}
	if !validFormat(*format) {
		return &exitError{code: 2, msg: fmt.Sprintf("scan: unknown format %q (want one of %s)", *format, strings.Join(report.Formats, ", "))}
	}
	valid := map[string]bool{"all": true}
	for _, c := range report.Classes() {
		valid[c] = true
	}
	for _, s := range show {
		if !valid[s] {
			return &exitError{code: 2, msg: fmt.Sprintf("scan: unknown class %q for --show (have %s, all)", s, strings.Join(report.Classes(), ", "))}
		}
	}
	var threshold model.Severity = -1
	if *failOn != "" {
		s, err := model.ParseSeverity(*failOn)
		if err != nil {
			return &exitError{code: 2, msg: "scan: --fail-on: " + err.Error()}
		}
		threshold = s
	}
	if *memLimit > 0 {
		debug.SetMemoryLimit(int64(*memLimit) << 20)
	}

	ds, err := detectors()
	if err != nil {
		return &exitError{code: 2, msg: "scan: " + err.Error()}
	}
	opts := scan.Options{Root: *root, Excludes: excludes, MaxDepth: *maxDepth, Collectors: collectors, Only: only, Detectors: ds}
	var progress *report.Progress
	if f, ok := stderr.(*os.File); ok && !*noProgress && term.IsTerminal(int(f.Fd())) {
		sel, err := scan.Select(collectors, only)
		if err == nil {
			progress = report.NewProgress(stderr, len(sel))
			opts.Progress = progress
		}
	}
	res, err := scan.Run(ctx, opts)
	if progress != nil {
		progress.Finish()
	}
	if err != nil {
		return err
	}

	color := false
	if *output == "" {
		if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == "" {
			color = true
		}
	}
	ropts := report.Options{Show: show, Color: color}
	if *output == "" {
		if err := report.Write(stdout, *format, res, ropts); err != nil {
			return err
		}
	} else if err := writeFileAtomic(*output, func(w io.Writer) error { return report.Write(w, *format, res, ropts) }); err != nil {
		return err
	}
	if threshold >= 0 {
		for _, f := range res.Findings {
			if f.Severity >= threshold {
				return &exitError{code: 3, msg: fmt.Sprintf("findings at or above %s severity", threshold)}
			}
		}
	}
	return nil
}

func validFormat(f string) bool {
	for _, v := range report.Formats {
		if v == f {
			return true
		}
	}
	return false
}

// writeFileAtomic writes through a temporary file and renames it, so a
// failed or interrupted scan never leaves a truncated report behind.
func writeFileAtomic(name string, write func(io.Writer) error) error {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("output %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("output %s: %w", name, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("output %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("output %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("output %s: %w", name, err)
	}
	return nil
}
