package testutil

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// OpenRoot opens dir as a rootfs, closed when the test ends.
func OpenRoot(t testing.TB, dir string) *rootfs.FS {
	t.Helper()
	fsys, err := rootfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}

// WriteFiles writes files (path in dir → content) under dir, making parent
// directories; a content "->target" makes a symlink to target instead.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TempRoot writes files (as WriteFiles: "->target" makes a symlink) into a
// new temporary directory and opens it as a root.
func TempRoot(t testing.TB, files map[string]string) *rootfs.FS {
	t.Helper()
	dir := t.TempDir()
	WriteFiles(t, dir, files)
	return OpenRoot(t, dir)
}

// Node is one entry of a test root for MakeRoot: a file (Data, Mode), a
// symlink (Link) or, with neither, an empty directory.
type Node struct {
	Path string
	Data string
	Link string
	Mode os.FileMode
}

// File is a regular file (0644) holding data.
func File(p, data string) Node { return Node{Path: p, Data: data, Mode: 0o644} }

// Exe is an executable file (0755) holding data.
func Exe(p, data string) Node { return Node{Path: p, Data: data, Mode: 0o755} }

// Link is a symlink to target.
func Link(p, target string) Node { return Node{Path: p, Link: target} }

// Dir is an empty directory.
func Dir(p string) Node { return Node{Path: p} }

// MakeRoot builds a root filesystem from nodes in a temporary directory and
// opens it.
func MakeRoot(t testing.TB, nodes ...Node) *rootfs.FS {
	t.Helper()
	top := t.TempDir()
	for _, n := range nodes {
		p := filepath.Join(top, n.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case n.Link != "":
			err = os.Symlink(n.Link, p)
		case n.Mode != 0:
			if err = os.WriteFile(p, []byte(n.Data), n.Mode); err == nil {
				err = os.Chmod(p, n.Mode)
			}
		default:
			err = os.MkdirAll(p, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return OpenRoot(t, top)
}

// Collect runs c over root in a test Env named after c and returns the
// fragment and the warnings recorded; a Collect error fails the test.
func Collect(t testing.TB, c inventory.Collector, root *rootfs.FS) (*model.Inventory, []model.Warning) {
	t.Helper()
	env, warnings := inventory.TestEnv(root, c.Name())
	inv, err := c.Collect(context.Background(), env)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return inv, *warnings
}

// HasWarning reports whether a warning on path has a message containing
// substr.
func HasWarning(ws []model.Warning, path, substr string) bool {
	for _, w := range ws {
		if w.Path == path && strings.Contains(w.Message, substr) {
			return true
		}
	}
	return false
}

// LoadPrior reads a JSON fixture of what earlier phases found on a host
// (processes, sockets, packages) into an Inventory for env.Prior. Package
// file lists, which model.Package does not serialise, are read from each
// package's "files".
func LoadPrior(t testing.TB, file string) *model.Inventory {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Processes []model.Process `json:"processes"`
		Sockets   []model.Socket  `json:"sockets"`
		Packages  []struct {
			model.Package
			Files []string `json:"files"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	inv := &model.Inventory{Processes: f.Processes, Sockets: f.Sockets}
	for _, p := range f.Packages {
		pkg := p.Package
		pkg.Files = p.Files
		inv.Packages = append(inv.Packages, pkg)
	}
	return inv
}

// CopyTree copies the directory src to a new temporary directory, giving
// each file the mode modeOf returns for its slash-separated path relative
// to src (directories 0755): a checkout's modes depend on the umask, and
// detectors that report file modes need fixed ones.
func CopyTree(t testing.TB, src string, modeOf func(rel string) os.FileMode) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mode := modeOf(filepath.ToSlash(rel))
		if err := os.WriteFile(out, data, mode); err != nil {
			return err
		}
		return os.Chmod(out, mode) // past the umask
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
