package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ward-sec/ward/internal/model"
)

func writeTable(w io.Writer, res *model.ScanResult, opts Options) error {
	inv := res.Inventory
	ew := &errWriter{w: w}
	header(ew, inv)

	show := map[string]bool{}
	for _, s := range opts.Show {
		show[s] = true
	}
	fmt.Fprintln(ew, "\nASSETS")
	var assetRows [][]string
	for _, c := range classes {
		notes := ""
		if c.notes != nil && c.count(inv) > 0 {
			notes = c.notes(inv)
		}
		assetRows = append(assetRows, []string{c.name, fmt.Sprint(c.count(inv)), notes})
	}
	table(ew, []string{"CLASS", "COUNT", "NOTES"}, assetRows)

	for _, c := range classes {
		if !show[c.name] && !show["all"] {
			continue
		}
		fmt.Fprintf(ew, "\n%s (%d)\n", strings.ToUpper(c.name), c.count(inv))
		table(ew, c.headers, c.rows(inv))
	}

	writeFindings(ew, res.Findings, opts.Color)

	writeDetections(ew, res.Detections)

	var bad []model.CollectorRun
	for _, r := range inv.Collectors {
		if r.Status != "ok" {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		fmt.Fprintln(ew, "\nCOLLECTORS NOT RUN")
		var rows [][]string
		for _, r := range bad {
			reason, _, _ := strings.Cut(r.Reason, "\n")
			rows = append(rows, []string{r.Name, r.Status, clip(reason, 100)})
		}
		table(ew, []string{"COLLECTOR", "STATUS", "REASON"}, rows)
	}
	if n := len(inv.Warnings); n > 0 {
		max := opts.MaxWarnings
		if max <= 0 {
			max = 10
		}
		fmt.Fprintf(ew, "\nWARNINGS (%d", n)
		if n > max {
			fmt.Fprintf(ew, ", first %d; all are in --format json", max)
		}
		fmt.Fprintln(ew, ")")
		var rows [][]string
		for i, wn := range inv.Warnings {
			if i >= max {
				break
			}
			rows = append(rows, []string{wn.Collector, wn.Path, clip(wn.Message, 90)})
		}
		table(ew, []string{"COLLECTOR", "PATH", "PROBLEM"}, rows)
	}
	return ew.err
}

func header(w io.Writer, inv *model.Inventory) {
	h := inv.Host
	if h == nil {
		h = &model.Host{}
	}
	osName := h.OS.PrettyName
	if osName == "" {
		osName = strings.TrimSpace(h.OS.ID + " " + h.OS.Version)
	}
	fmt.Fprintf(w, "Ward inventory of %s\n", sanitize(nonEmpty(h.Hostname, inv.Root)))
	var facts []string
	for _, f := range []string{osName, kernel(h), h.Arch, h.Virtualization} {
		if f != "" {
			facts = append(facts, f)
		}
	}
	fmt.Fprintf(w, "  %s\n", sanitize(strings.Join(facts, " | ")))
	if h.CPU != nil || h.MemoryBytes > 0 {
		cpu := ""
		if h.CPU != nil {
			cpu = fmt.Sprintf("%d CPUs %s", h.CPU.Threads, h.CPU.Model)
		}
		fmt.Fprintf(w, "  %s | %.1f GiB memory | %d disks | %d interfaces\n", cpu, float64(h.MemoryBytes)/(1<<30), len(h.Disks), len(h.Interfaces))
	}
	if h.Cloud != nil && h.Cloud.InstanceID != "" {
		fmt.Fprintf(w, "  cloud %s instance %s\n", h.Cloud.Provider, h.Cloud.InstanceID)
	}
	ok, failed, skipped := 0, 0, 0
	for _, r := range inv.Collectors {
		switch r.Status {
		case "ok":
			ok++
		case "failed":
			failed++
		default:
			skipped++
		}
	}
	mode := "live host"
	if !inv.Live {
		mode = "root directory"
	}
	fmt.Fprintf(w, "  root %s (%s) | scanned %s | collectors %d ok, %d failed, %d skipped\n",
		inv.Root, mode, inv.ScannedAt.Format("2006-01-02 15:04:05Z"), ok, failed, skipped)
}

func kernel(h *model.Host) string {
	if h.Kernel == "" {
		return ""
	}
	return "kernel " + h.Kernel
}

func table(w io.Writer, headers []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	for _, r := range rows {
		for i := range r {
			// Data from the host must not break the layout or the terminal.
			r[i] = sanitize(r[i])
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// sanitize drops control characters (tabs, newlines, ANSI escapes) that a
// hostile file name or command line could use to forge terminal output.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

var sevColor = map[model.Severity]string{
	model.SevCritical: "\033[1;31m", model.SevHigh: "\033[31m", model.SevMedium: "\033[33m",
	model.SevLow: "\033[36m", model.SevInfo: "\033[2m",
}

func sev(s model.Severity, color bool) string {
	if !color {
		return s.String()
	}
	// tabwriter counts escape bytes as width; pad the name so columns stay aligned.
	return sevColor[s] + fmt.Sprintf("%-8s", s.String()) + "\033[0m"
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// writeDetections prints each detector's status and summary lines.
func writeDetections(w io.Writer, runs []model.Detection) {
	for _, d := range runs {
		fmt.Fprintf(w, "\n%s (%s, %d ms)\n", strings.ToUpper(d.Detector), d.Status, d.DurationMS)
		if d.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", sanitize(d.Error))
		}
		for _, line := range d.Summary {
			fmt.Fprintf(w, "  %s\n", sanitize(line))
		}
		if n := len(d.Warnings); n > 0 {
			fmt.Fprintf(w, "  %d warnings; first: %s %s\n", n, sanitize(d.Warnings[0].Path), clip(d.Warnings[0].Message, 90))
		}
	}
}

// writeFindings prints the findings grouped by severity, most severe
// first, with a count per group.
func writeFindings(w io.Writer, findings []model.Finding, color bool) {
	counts := map[model.Severity]int{}
	for _, f := range findings {
		counts[f.Severity]++
	}
	var parts []string
	for s := model.SevCritical; s >= model.SevInfo; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		fmt.Fprintln(w, "\nFINDINGS (0)")
		return
	}
	fmt.Fprintf(w, "\nFINDINGS (%d: %s)\n", len(findings), strings.Join(parts, ", "))
	for s := model.SevCritical; s >= model.SevInfo; s-- {
		if counts[s] == 0 {
			continue
		}
		head := strings.ToUpper(s.String())
		if color {
			head = sevColor[s] + head + "\033[0m"
		}
		fmt.Fprintf(w, "\n%s (%d)\n", head, counts[s])
		var rows [][]string
		for _, f := range findings {
			if f.Severity != s {
				continue
			}
			where := f.Asset.Path
			if where == "" && len(f.Evidence) > 0 {
				where = f.Evidence[0]
			}
			for _, e := range f.Evidence {
				// An OS package's vulnerability: the installed binary packages
				// say more than the package database's path.
				if bins, ok := strings.CutPrefix(e, "binary packages: "); ok {
					where = bins
				}
			}
			rows = append(rows, []string{clip(f.Title, 70), clip(where, 60), clip(f.Remediation, 80)})
		}
		table(w, []string{"TITLE", "WHERE", "REMEDIATION"}, rows)
	}
}
