package rootfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// makeTree builds a root with links that try to leave it, next to a
// "secret" outside the root that must never be read.
func makeTree(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	outside = filepath.Join(base, "secret")
	must(t, os.WriteFile(outside, []byte("host secret"), 0o600))
	must(t, os.MkdirAll(filepath.Join(root, "etc/sub"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "usr/lib"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "usr/lib/os-release"), []byte("ID=fixture\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "secret"), []byte("in-root secret"), 0o644))
	must(t, os.Symlink("../usr/lib/os-release", filepath.Join(root, "etc/os-release")))
	must(t, os.Symlink("/usr/lib/os-release", filepath.Join(root, "etc/abs-link")))
	must(t, os.Symlink("../../../../secret", filepath.Join(root, "etc/escape-rel")))
	must(t, os.Symlink(outside, filepath.Join(root, "etc/escape-abs")))
	must(t, os.Symlink("loop-b", filepath.Join(root, "etc/loop-a")))
	must(t, os.Symlink("loop-a", filepath.Join(root, "etc/loop-b")))
	must(t, os.Symlink("/", filepath.Join(root, "etc/sub/rootlink")))
	must(t, syscall.Mkfifo(filepath.Join(root, "etc/fifo"), 0o644))
	return root, outside
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestConfinement(t *testing.T) {
	t.Run("openat2", func(t *testing.T) { testConfinement(t, false) })
	// Kernels before 5.6 (and some sandboxes) lack openat2: the
	// securejoin fallback must give the same answers.
	t.Run("securejoin-fallback", func(t *testing.T) { testConfinement(t, true) })
}

func testConfinement(t *testing.T, fallback bool) {
	root, _ := makeTree(t)
	f, err := Open(root)
	must(t, err)
	defer f.Close()
	if fallback {
		must(t, f.Close()) // rootFD -1: resolution goes through securejoin
	}
	tests := []struct {
		name, path, want string
		wantErr          bool
	}{
		{"relative link", "/etc/os-release", "ID=fixture\n", false},
		{"absolute link resolved in root", "/etc/abs-link", "ID=fixture\n", false},
		{"dotdot cannot leave root", "/../../../../secret", "in-root secret", false},
		{"relative link clamps at root", "/etc/escape-rel", "in-root secret", false},
		{"absolute link to host path stays in root", "/etc/escape-abs", "", true},
		{"link loop is an error", "/etc/loop-a", "", true},
		{"fifo is refused, not blocking", "/etc/fifo", "", true},
		{"link to / stays at root", "/etc/sub/rootlink/secret", "in-root secret", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.ReadFile(tc.path, 0)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ReadFile(%q) = %q, want error", tc.path, got)
				}
				if strings.Contains(string(got), "host secret") {
					t.Fatalf("escaped the root")
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadFile(%q): %v", tc.path, err)
			}
			if string(got) != tc.want {
				t.Fatalf("ReadFile(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

func TestReadFileLimit(t *testing.T) {
	root, _ := makeTree(t)
	f, err := Open(root)
	must(t, err)
	_, err = f.ReadFile("/usr/lib/os-release", 3)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "/usr/lib/os-release" {
		t.Fatalf("error should name the file: %v", err)
	}
}

func TestLstatReadlinkAndNotExist(t *testing.T) {
	root, _ := makeTree(t)
	f, err := Open(root)
	must(t, err)
	fi, err := f.Lstat("/etc/abs-link")
	must(t, err)
	if fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat mode = %v, want symlink", fi.Mode())
	}
	target, err := f.Readlink("/etc/abs-link")
	must(t, err)
	if target != "/usr/lib/os-release" {
		t.Fatalf("Readlink = %q", target)
	}
	if _, err := f.Stat("/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat missing: %v", err)
	}
}

func TestWalkDoesNotFollowLinks(t *testing.T) {
	root, _ := makeTree(t)
	f, err := Open(root)
	must(t, err)
	var seen []string
	err = f.Walk(context.Background(), "/", WalkOptions{Excludes: []string{"/usr"}}, func(p string, d fs.DirEntry) error {
		seen = append(seen, p)
		return nil
	}, nil)
	must(t, err)
	want := []string{"/etc", "/etc/abs-link", "/etc/escape-abs", "/etc/escape-rel", "/etc/fifo", "/etc/loop-a", "/etc/loop-b",
		"/etc/os-release", "/etc/sub", "/etc/sub/rootlink", "/secret"}
	if !slices.Equal(seen, want) {
		t.Fatalf("walk saw %v\nwant %v", seen, want)
	}
}

func TestWalkDepthLimit(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a/b/c/d")
	must(t, os.MkdirAll(deep, 0o755))
	f, err := Open(root)
	must(t, err)
	var seen, limited []string
	must(t, f.Walk(context.Background(), "/", WalkOptions{MaxDepth: 2}, func(p string, d fs.DirEntry) error {
		seen = append(seen, p)
		return nil
	}, func(p string, err error) { limited = append(limited, p) }))
	if !slices.Equal(seen, []string{"/a", "/a/b"}) || !slices.Equal(limited, []string{"/a/b"}) {
		t.Fatalf("seen %v limited %v", seen, limited)
	}
}

func TestUnescapeMount(t *testing.T) {
	if got := UnescapeMount(`/mnt/my\040disk\`); got != `/mnt/my disk\` {
		t.Fatalf("got %q", got)
	}
}

func TestOpenRejectsFile(t *testing.T) {
	root, _ := makeTree(t)
	if _, err := Open(filepath.Join(root, "secret")); err == nil {
		t.Fatal("Open on a file should fail")
	}
}

// TestDirEntryInfoStaysInRoot: Info on entries from ReadDir and Walk must
// describe the file in the root, not a file at the same path on the host.
func TestDirEntryInfoStaysInRoot(t *testing.T) {
	root, _ := makeTree(t)
	f, err := Open(root)
	must(t, err)
	entries, err := f.ReadDir("/usr/lib")
	must(t, err)
	fi, err := entries[0].Info()
	must(t, err)
	if entries[0].Name() != "os-release" || fi.Size() != int64(len("ID=fixture\n")) {
		t.Fatalf("ReadDir Info = %s %d bytes", fi.Name(), fi.Size())
	}
	must(t, f.Walk(context.Background(), "/usr", WalkOptions{}, func(p string, d fs.DirEntry) error {
		if p == "/usr/lib/os-release" {
			fi, err := d.Info()
			if err != nil || fi.Size() != int64(len("ID=fixture\n")) {
				t.Errorf("Walk Info = %v, %v", fi, err)
			}
		}
		return nil
	}, nil))
}
