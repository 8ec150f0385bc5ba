package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/vuln"
	"github.com/ward-sec/ward/internal/vuln/db"
	"github.com/ward-sec/ward/internal/vuln/zeroday"
)

// The vulnerability capability: `ward scan --vuln [--vulndb PATH]` and
// `ward vulndb update|import|info`. Server task types, agent runners and
// the `ward vuln` admin group are added here by the fleet side.
func init() {
	register(capability{
		Name:      "vuln",
		ScanUsage: "match packages against the advisory database (see ward vulndb)",
		ScanFlags: func(fs *flag.FlagSet) func() (scan.Detector, error) {
			path := fs.String("vulndb", "", "advisory database for --vuln (default "+db.DefaultPath()+")")
			var checks listFlag
			fs.Var(&checks, "check", "with --vuln: also evaluate this 0-day check file (YAML, see docs/vuln-checks.md); repeatable")
			return func() (scan.Detector, error) {
				return withChecks(&vuln.Detector{DBPath: *path}, checks) // vulnfleet.go
			}
		},
		Commands: map[string]command{
			"vulndb": {Usage: "update|import|info   manage the local advisory database", Run: runVulnDB},
		},
		// Fleet side (vulnfleet.go): server matcher, 0-day check tasks.
		Server:    vulnServer,
		TaskTypes: []api.TaskType{vulnCheckTaskType},
		Runners:   map[string]agent.TaskRunner{zeroday.TaskType: runVulnCheckTask},
	})
}

const vulndbUsage = `Usage:
  ward vulndb import [--vulndb PATH] FEED...   import OSV files/folders/all.zip, Debian tracker JSON, vuln-list-debian (offline)
  ward vulndb update [--vulndb PATH] [--url BASE] [--tracker-url URL|-] [--ecosystems LIST]
                                               download osv.dev all.zip archives and the Debian tracker, then import
  ward vulndb info   [--vulndb PATH] [--json]  sources, counts, import date
`

func runVulnDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, vulndbUsage)
		return &exitError{code: 2}
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("vulndb "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("vulndb", db.DefaultPath(), "advisory database file")
	var (
		base, tracker, ecos *string
		asJSON              *bool
	)
	switch sub {
	case "import":
	case "update":
		base = fs.String("url", db.DefaultOSVBase, "base URL of the OSV archives (BASE/<Ecosystem>/all.zip)")
		tracker = fs.String("tracker-url", db.DefaultTrackerURL, "Debian security tracker JSON dump (- to skip)")
		ecos = fs.String("ecosystems", strings.Join(db.DefaultEcosystems, ","), "OSV ecosystems to download")
	case "info":
		asJSON = fs.Bool("json", false, "print JSON")
	case "-h", "--help", "help":
		fmt.Fprint(stdout, vulndbUsage)
		return nil
	default:
		fmt.Fprintf(stderr, "ward vulndb: unknown subcommand %q\n%s", sub, vulndbUsage)
		return &exitError{code: 2}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	var d *db.DB
	var err error
	if sub == "info" {
		d, err = db.OpenExisting(*path)
	} else {
		d, err = db.Open(*path)
	}
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	var res *db.ImportResult
	switch sub {
	case "import":
		if fs.NArg() == 0 {
			return &exitError{code: 2, msg: "vulndb import: name at least one feed file or folder"}
		}
		res, err = d.Import(ctx, fs.Args()...)
	case "update":
		if fs.NArg() > 0 {
			return &exitError{code: 2, msg: fmt.Sprintf("vulndb update: unexpected argument %q", fs.Arg(0))}
		}
		var list []string
		for _, e := range strings.Split(*ecos, ",") {
			if e = strings.TrimSpace(e); e != "" {
				list = append(list, e)
			}
		}
		res, err = d.Update(ctx, db.UpdateOptions{OSVBase: *base, TrackerURL: *tracker, Ecosystems: list,
			Progress: func(m string) { fmt.Fprintln(stderr, m) }})
	case "info":
		return printInfo(ctx, d, *asJSON, stdout)
	}
	if err != nil {
		return err
	}
	for _, p := range res.Problems {
		fmt.Fprintf(stderr, "skipped %s\n", p)
	}
	fmt.Fprintf(stdout, "%s: %d added, %d changed, %d unchanged, %d withdrawn, %d skipped (%s)\n",
		d.Path(), len(res.Added), len(res.Changed), res.Unchanged, len(res.Removed), len(res.Problems), time.Since(start).Round(time.Millisecond))
	return nil
}

func printInfo(ctx context.Context, d *db.DB, asJSON bool, w io.Writer) error {
	in, err := d.Info(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(in)
	}
	fmt.Fprintf(w, "database:   %s\nadvisories: %d\n", in.Path, in.Advisories)
	if in.ImportedAt.IsZero() {
		fmt.Fprintln(w, "imported:   never")
	} else {
		stale := ""
		if in.Stale {
			stale = "  (STALE: older than 7 days, run `ward vulndb update`)"
		}
		fmt.Fprintf(w, "imported:   %s%s\n", in.ImportedAt.Format(time.RFC3339), stale)
	}
	ecos := make([]string, 0, len(in.Ecosystems))
	for e := range in.Ecosystems {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)
	fmt.Fprintln(w, "ecosystems:")
	for _, e := range ecos {
		fmt.Fprintf(w, "  %-22s %d\n", e, in.Ecosystems[e])
	}
	fmt.Fprintln(w, "sources:")
	for _, s := range in.Sources {
		fmt.Fprintf(w, "  %s  %s  %d records, %d skipped\n", s.ImportedAt.Format(time.RFC3339), s.Name, s.Records, s.Problems)
	}
	return nil
}
