package websites

import (
	"errors"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/apps/bounded"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

const (
	markerMax      = 256 << 10 // bytes of a marker or version file searched
	maxCandidates  = 4000      // directories examined for applications
	maxChildren    = 256       // subdirectories of one candidate examined
	maxManifestLen = 64 << 10
)

// candidate is a directory that may hold a web application; children
// says whether its immediate subdirectories are examined too.
type candidate struct {
	dir      string
	children bool
}

// detector matches application fingerprints in directories.
type detector struct {
	env  *inventory.Env
	fps  []*AppFingerprint
	pkgs []model.Package // language packages, for package version sources
	seen map[string]bool // dirs examined
	apps []model.WebApp
}

func (d *detector) scan(cands []candidate) {
	for _, c := range cands {
		if len(d.seen) >= maxCandidates || d.env == nil {
			return
		}
		d.examine(c.dir)
		if !c.children {
			continue
		}
		entries, err := d.env.FS.ReadDir(c.dir)
		if err != nil {
			continue
		}
		n := 0
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if n++; n > maxChildren {
				break
			}
			d.examine(path.Join(c.dir, e.Name()))
		}
	}
}

// examine tries every fingerprint on one directory.
func (d *detector) examine(dir string) {
	dir = rootfs.Clean(dir)
	if d.seen[dir] || len(d.seen) >= maxCandidates {
		return
	}
	d.seen[dir] = true
	if st, err := d.env.FS.Stat(dir); err != nil || !st.IsDir() {
		return
	}
	for _, fp := range d.fps {
		evidence, ok := d.matches(dir, fp)
		if !ok {
			continue
		}
		version := d.version(dir, fp)
		d.apps = append(d.apps, model.WebApp{Name: fp.Name, Version: version, Path: dir, Language: fp.Language, Evidence: evidence})
	}
}

func (d *detector) matches(dir string, fp *AppFingerprint) (string, bool) {
	var evidence []string
	for _, m := range fp.All {
		p, ok := d.marker(dir, m)
		if !ok {
			return "", false
		}
		evidence = append(evidence, p)
	}
	if len(fp.Any) > 0 {
		found := false
		for _, m := range fp.Any {
			if p, ok := d.marker(dir, m); ok {
				evidence = append(evidence, p)
				found = true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	return strings.Join(evidence, ", "), true
}

// marker returns the path of the file satisfying m under dir.
func (d *detector) marker(dir string, m Marker) (string, bool) {
	for _, p := range d.glob(path.Join(dir, m.File)) {
		st, err := d.env.FS.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		if m.re == nil {
			return p, true
		}
		if data := d.prefix(p); data != nil && m.re.Match(data) {
			return p, true
		}
	}
	return "", false
}

func (d *detector) glob(pattern string) []string {
	if !strings.ContainsAny(pattern, "*?[") {
		return []string{pattern}
	}
	ms, err := d.env.FS.Glob(pattern)
	if err != nil {
		return nil
	}
	sort.Strings(ms)
	return ms
}

// prefix reads the first markerMax bytes of a file; nil when unreadable.
func (d *detector) prefix(p string) []byte {
	f, err := d.env.FS.OpenFile(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			d.env.Warn(p, err)
		}
		return nil
	}
	defer f.Close()
	data, err := bounded.ReadPrefix(f, markerMax)
	if err != nil {
		d.env.Warn(p, err)
		return nil
	}
	return data
}

func (d *detector) version(dir string, fp *AppFingerprint) string {
	for _, v := range fp.Versions {
		switch {
		case v.File != "":
			for _, p := range d.glob(path.Join(dir, v.File)) {
				if data := d.prefix(p); data != nil {
					if s := joinGroups(v.re.FindSubmatch(data)); s != "" {
						return s
					}
				}
			}
		case v.Glob != "":
			for _, p := range d.glob(path.Join(dir, v.Glob)) {
				if s := joinGroups(v.re.FindSubmatch([]byte(path.Base(p)))); s != "" {
					return s
				}
			}
		case v.Package != "":
			if s := packageVersion(d.pkgs, v.PackageType, v.Package, dir); s != "" {
				return s
			}
		}
	}
	return ""
}

// packageVersion finds a language package by name: one installed under
// dir (its virtualenv or node_modules) first, else the only version of it
// on the host.
func packageVersion(pkgs []model.Package, typ, name, dir string) string {
	versions := map[string]bool{}
	for _, p := range pkgs {
		if string(p.Type) != typ || !strings.EqualFold(p.Name, name) {
			continue
		}
		if strings.HasPrefix(p.Location, dir+"/") {
			return p.Version
		}
		versions[p.Version] = true
	}
	if len(versions) == 1 {
		for v := range versions {
			return v
		}
	}
	return ""
}

// joinGroups makes a version from a match's non-empty groups, joined by ".".
func joinGroups(m [][]byte) string {
	if m == nil {
		return ""
	}
	var parts []string
	for _, g := range m[1:] {
		if s := strings.TrimSpace(string(g)); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ".")
}

var manifestLine = regexp.MustCompile(`(?m)^([A-Za-z0-9_-]+):\s*(.*?)\s*$`)

// parseManifest reads the main section of a jar manifest (continuation
// lines, starting with a space, are joined).
func parseManifest(data []byte) map[string]string {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\n ", "")
	if i := strings.Index(text, "\n\n"); i >= 0 {
		text = text[:i]
	}
	out := map[string]string{}
	for _, m := range manifestLine.FindAllStringSubmatch(text, -1) {
		out[m[1]] = m[2]
	}
	return out
}
