package vuln

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/inventory/all"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/vuln/db"
)

// importTestDB imports the shared advisories (testdata/advisories) into a
// fresh database.
func importTestDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "advisories.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Import(context.Background(), filepath.Join("testdata", "advisories"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems importing the test advisories: %v", res.Problems)
	}
	return path
}

// scanRoot runs the inventory and the vuln detector on root.
func scanRoot(t *testing.T, root, dbPath string) []model.Finding {
	t.Helper()
	res, err := scan.Run(context.Background(), scan.Options{Root: root, Collectors: all.Collectors(), Only: []string{"host", "os", "lang"},
		Detectors: []scan.Detector{&Detector{DBPath: dbPath}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Detections {
		if d.Status != "ok" {
			t.Fatalf("detector %s: %s", d.Detector, d.Error)
		}
	}
	var out []model.Finding
	for _, f := range res.Findings {
		if f.Kind == model.KindVulnerability {
			out = append(out, f)
		}
	}
	return out
}

// label is one line of testdata/expected.tsv: a package (as the finding's
// asset names it), where it is, the advisory id, and the fix or status.
type label struct{ asset, path, id, outcome string }

func (l label) String() string { return strings.Join([]string{l.asset, l.path, l.id, l.outcome}, "\t") }

func readLabels(t *testing.T, name string) []label {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []label
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("%s:%d: want 4 tab-separated columns, have %d", name, n, len(cols))
		}
		out = append(out, label{cols[0], cols[1], cols[2], cols[3]})
	}
	return out
}

func outcome(f model.Finding) string {
	for _, e := range f.Evidence {
		if v, ok := strings.CutPrefix(e, "fixed version: "); ok {
			return "fixed " + v
		}
		if v, ok := strings.CutPrefix(e, "status: "); ok {
			return v
		}
	}
	return "?"
}

// TestLabelledPrecisionRecall scans the labelled fixture root and compares
// every vulnerability finding (package, location, id, fix or status) with
// testdata/expected.tsv. It fails unless precision and recall are both 1.
func TestLabelledPrecisionRecall(t *testing.T) {
	root := buildRoot(t)
	findings := scanRoot(t, root, importTestDB(t))
	want := map[string]bool{}
	for _, l := range readLabels(t, filepath.Join("testdata", "expected.tsv")) {
		want[l.String()] = true
	}
	got := map[string]bool{}
	for _, f := range findings {
		path := strings.TrimPrefix(f.Asset.Path, root)
		got[label{f.Asset.ID, path, f.References[0].ID, outcome(f)}.String()] = true
	}
	tp := 0
	var fps, fns []string
	for k := range got {
		if want[k] {
			tp++
		} else {
			fps = append(fps, k)
		}
	}
	for k := range want {
		if !got[k] {
			fns = append(fns, k)
		}
	}
	sort.Strings(fps)
	sort.Strings(fns)
	precision := float64(tp) / float64(max(len(got), 1))
	recall := float64(tp) / float64(max(len(want), 1))
	f1 := 0.0
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	t.Logf("labelled set: %d expected, %d found, precision %.3f recall %.3f F1 %.3f", len(want), len(got), precision, recall, f1)
	for _, k := range fps {
		t.Errorf("false positive (not in expected.tsv): %s", k)
	}
	for _, k := range fns {
		t.Errorf("missed (in expected.tsv): %s", k)
	}
	if f1 < 1.0 {
		t.Fatalf("F1 %.3f < 1.0", f1)
	}
	_ = fmt.Sprint
}
