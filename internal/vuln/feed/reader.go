// Package feed parses advisory feeds into advisory records: OSV JSON and
// YAML files, folders of them, osv.dev's per-ecosystem all.zip archives,
// the Debian security tracker JSON dump and aquasecurity/vuln-list-debian
// tracker files.
package feed

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/vuln/advisory"
)

// maxRecord caps one advisory file or zip entry: the biggest OSV records
// (kernel advisories with hundreds of ranges) are a few MB.
const maxRecord = 64 << 20

// maxDump caps the Debian tracker JSON dump (about 80 MB in 2026).
const maxDump = 2 << 30

// Problem is a record that was skipped, or a part of one, named by where
// it was read: "dir/GHSA-x.json", "Debian/all.zip!DSA-1-1.json",
// "tracker.json!openssl/CVE-2023-1".
type Problem struct {
	Record string `json:"record"`
	Error  string `json:"error"`
}

func (p Problem) String() string { return p.Record + ": " + p.Error }

// Sink receives what a feed yields. Advisory is called for each usable
// record, Withdrawn for a record its publisher withdrew, Problem for each
// skipped record or entry.
type Sink struct {
	Advisory  func(a *advisory.Advisory, record string) error
	Withdrawn func(key, record string) error
	Problem   func(p Problem)
}

// Read parses path (a file or a folder, walked recursively) into sink. An
// error means the feed as a whole could not be read (a missing path, a
// corrupt zip, an I/O error) and the caller should not apply any of it;
// malformed records only go to sink.Problem.
func Read(ctx context.Context, path string, sink Sink) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return readFile(ctx, path, path, sink)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && recognised(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := readFile(ctx, f, f, sink); err != nil {
			return err
		}
	}
	return nil
}

func recognised(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".yaml", ".yml", ".zip":
		return true
	}
	return false
}

func readFile(ctx context.Context, path, name string, sink Sink) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".zip" {
		return readZip(ctx, path, sink)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if ext == ".json" {
		kind, err := sniffJSON(f)
		if err != nil {
			sink.Problem(Problem{name, err.Error()})
			return nil
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if kind == kindTrackerDump {
			return readDump(bufio.NewReaderSize(io.LimitReader(f, maxDump), 1<<20), name, sink)
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxRecord+1))
	if err != nil {
		return err
	}
	if len(data) > maxRecord {
		sink.Problem(Problem{name, fmt.Sprintf("larger than %d MB, skipped", maxRecord>>20)})
		return nil
	}
	return record(data, name, ext != ".json", sink)
}

// record parses one file's bytes: OSV (JSON or YAML) or a vuln-list-debian
// tracker file.
func record(data []byte, name string, yamlFmt bool, sink Sink) error {
	if !yamlFmt {
		kind, err := sniffJSON(bytes.NewReader(data))
		if err != nil {
			sink.Problem(Problem{name, err.Error()})
			return nil
		}
		switch kind {
		case kindVulnList:
			a, err := VulnListDebian(data)
			if err != nil {
				sink.Problem(Problem{name, err.Error()})
				return nil
			}
			return sink.Advisory(a, name)
		case kindDistributions:
			return nil // release table: Ward has it built in
		case kindTrackerDump:
			return readDump(bytes.NewReader(data), name, sink)
		}
	}
	a, skipped, err := ParseOSV(data, yamlFmt)
	if errors.Is(err, ErrWithdrawn) {
		if sink.Withdrawn != nil {
			return sink.Withdrawn(a.Key(), name)
		}
		return nil
	}
	if err != nil {
		sink.Problem(Problem{name, err.Error()})
		return nil
	}
	for _, s := range skipped {
		sink.Problem(Problem{name + " (" + a.ID + ")", s})
	}
	if len(a.Affected) == 0 && len(skipped) > 0 {
		return nil // nothing left to match
	}
	return sink.Advisory(a, name)
}

func readDump(r io.Reader, name string, sink Sink) error {
	err := TrackerDump(r, func(a *advisory.Advisory) error {
		return sink.Advisory(a, name+"!"+a.Package+"/"+a.ID)
	}, func(rec string, err error) {
		sink.Problem(Problem{name + "!" + rec, err.Error()})
	})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func readZip(ctx context.Context, path string, sink Sink) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(f.Name))
		if f.FileInfo().IsDir() || (ext != ".json" && ext != ".yaml" && ext != ".yml") {
			continue
		}
		name := path + "!" + f.Name
		if f.UncompressedSize64 > maxRecord {
			sink.Problem(Problem{name, fmt.Sprintf("larger than %d MB, skipped", maxRecord>>20)})
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxRecord))
		rc.Close()
		if err != nil {
			// A corrupt archive member: the archive is damaged, so none of it
			// is trusted.
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := record(data, name, ext != ".json", sink); err != nil {
			return err
		}
	}
	return nil
}

type jsonKind int

const (
	kindOSV jsonKind = iota
	kindVulnList
	kindDistributions
	kindTrackerDump
)

// sniffJSON tells the JSON feeds apart by their first key: OSV records
// start with one of the schema's fields, vuln-list files with Header or
// Annotations, the tracker dump with a source package name whose value
// holds CVE ids.
func sniffJSON(r io.Reader) (jsonKind, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return 0, fmt.Errorf("not JSON: %w", err)
	}
	if tok != json.Delim('{') {
		return 0, errors.New("not a JSON object")
	}
	if !dec.More() {
		return 0, errors.New("empty JSON object")
	}
	tok, err = dec.Token()
	if err != nil {
		return 0, fmt.Errorf("bad JSON: %w", err)
	}
	key, _ := tok.(string)
	switch key {
	case "Header", "Annotations":
		return kindVulnList, nil
	case "id", "schema_version", "modified", "published", "withdrawn", "aliases", "related", "upstream",
		"summary", "details", "severity", "affected", "references", "credits", "database_specific":
		return kindOSV, nil
	}
	// Next: the value. A release table has "major-version"; the tracker dump
	// has CVE-like keys.
	tok, err = dec.Token()
	if err != nil || tok != json.Delim('{') {
		return kindOSV, nil
	}
	if !dec.More() {
		return kindTrackerDump, nil
	}
	tok, err = dec.Token()
	if err != nil {
		return kindOSV, nil
	}
	inner, _ := tok.(string)
	switch {
	case inner == "major-version" || inner == "support" || inner == "contact":
		return kindDistributions, nil
	case strings.HasPrefix(inner, "CVE-") || strings.HasPrefix(inner, "TEMP-") || strings.HasPrefix(inner, "DSA-") || strings.HasPrefix(inner, "DLA-"):
		return kindTrackerDump, nil
	}
	return kindOSV, nil
}
