// Command tracker2osv converts Debian security-tracker data (vuln-list-debian
// files or the tracker JSON dump) into OSV records for the Debian:<N>
// ecosystems, the way osv.dev derives its DEBIAN-CVE records, and packs
// them as an osv.dev-style all.zip. The vuln benchmark feeds the same OSV
// records to Ward and to osv-scanner with it.
//
//	tracker2osv -o Debian-all.zip FEED...
package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/vuln/advisory"
	"github.com/ward-sec/ward/internal/vuln/feed"
)

type osvEvent map[string]string

type osvRecord struct {
	SchemaVersion string   `json:"schema_version"`
	ID            string   `json:"id"`
	Modified      string   `json:"modified"`
	Aliases       []string `json:"aliases,omitempty"`
	Upstream      []string `json:"upstream,omitempty"`
	Summary       string   `json:"summary,omitempty"`
	Affected      []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string     `json:"type"`
			Events []osvEvent `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

func main() {
	out := flag.String("o", "Debian-all.zip", "all.zip to write")
	flag.Parse()
	var advs []*advisory.Advisory
	for _, p := range flag.Args() {
		err := feed.Read(context.Background(), p, feed.Sink{
			Advisory: func(a *advisory.Advisory, _ string) error {
				if a.Source == advisory.SourceTracker {
					advs = append(advs, a)
				}
				return nil
			},
			Problem: func(pr feed.Problem) { fmt.Fprintln(os.Stderr, "skipped", pr) },
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	zw := zip.NewWriter(f)
	// Tracker-dump records are per source package: one OSV record per id
	// gathers them, as osv.dev's are.
	byID := map[string]*osvRecord{}
	var order []string
	for _, a := range advs {
		rec := convert(a)
		if prev, ok := byID[rec.ID]; ok {
			prev.Affected = append(prev.Affected, rec.Affected...)
			continue
		}
		byID[rec.ID] = &rec
		order = append(order, rec.ID)
	}
	sort.Strings(order)
	n := 0
	for _, id := range order {
		rec := byID[id]
		if len(rec.Affected) == 0 {
			continue
		}
		w, err := zw.Create(rec.ID + ".json")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		json.NewEncoder(w).Encode(rec)
		n++
	}
	if err := zw.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
	fmt.Fprintf(os.Stderr, "%s: %d OSV records\n", *out, n)
}

// convert keeps every affected release entry (fixed: [0, fix); a release
// without its own line: [0, sid's fix); no fix at all: introduced 0 only;
// not-affected: left out). CVE records become
// DEBIAN-CVE-… with the CVE as upstream; DSA/DLA keep their ids.
func convert(a *advisory.Advisory) osvRecord {
	rec := osvRecord{SchemaVersion: "1.6.0", ID: a.ID, Modified: "2026-12-01T00:00:00Z", Summary: a.Summary}
	if strings.HasPrefix(a.ID, "CVE-") {
		rec.ID = "DEBIAN-" + a.ID
		rec.Upstream = []string{a.ID}
	} else {
		rec.Upstream = a.Aliases
	}
	for _, af := range a.Affected {
		if af.Status == advisory.StatusNotAffected {
			continue
		}
		var e struct {
			Package struct {
				Ecosystem string `json:"ecosystem"`
				Name      string `json:"name"`
			} `json:"package"`
			Ranges []struct {
				Type   string     `json:"type"`
				Events []osvEvent `json:"events"`
			} `json:"ranges"`
		}
		e.Package.Ecosystem, e.Package.Name = af.Ecosystem, af.Name
		events := []osvEvent{{"introduced": "0"}}
		{ // fixed, or the sid bound of a release without its own line
			for _, r := range af.Ranges {
				for _, ev := range r.Events {
					if ev.Fixed != "" {
						events = append(events, osvEvent{"fixed": ev.Fixed})
					}
				}
			}
		}
		e.Ranges = append(e.Ranges, struct {
			Type   string     `json:"type"`
			Events []osvEvent `json:"events"`
		}{"ECOSYSTEM", events})
		rec.Affected = append(rec.Affected, e)
	}
	return rec
}
