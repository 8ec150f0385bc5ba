package services

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/rootfs"
)

// node is one entry of a test root: a file (Data, Mode), a symlink (Link)
// or, with neither, an empty directory.
type node struct {
	Path string
	Data string
	Link string
	Mode os.FileMode
}

func file(p, data string) node   { return node{Path: p, Data: data, Mode: 0o644} }
func exe(p, data string) node    { return node{Path: p, Data: data, Mode: 0o755} }
func link(p, target string) node { return node{Path: p, Link: target} }
func dir(p string) node          { return node{Path: p} }
func lines(l ...string) string   { return strings.Join(l, "\n") + "\n" }

// makeRoot builds a root filesystem in a temporary directory.
func makeRoot(t *testing.T, nodes ...node) *rootfs.FS {
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
			err = os.WriteFile(p, []byte(n.Data), n.Mode)
			if err == nil {
				err = os.Chmod(p, n.Mode)
			}
		default:
			err = os.MkdirAll(p, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	fsys, err := rootfs.Open(top)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}
