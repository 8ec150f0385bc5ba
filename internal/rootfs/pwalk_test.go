package rootfs

import (
	"context"
	"io"
	"io/fs"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
)

func TestParallelWalkMatchesWalk(t *testing.T) {
	root, _ := makeTree(t)
	f, err := Open(root)
	must(t, err)
	var serial []string
	must(t, f.Walk(context.Background(), "/", WalkOptions{}, func(p string, d fs.DirEntry) error {
		serial = append(serial, p)
		return nil
	}, nil))
	for _, workers := range []int{1, 2, 8} {
		var mu sync.Mutex
		var par []string
		must(t, f.ParallelWalk(context.Background(), "/", WalkOptions{}, workers, func(e *Entry) error {
			mu.Lock()
			par = append(par, e.Path)
			mu.Unlock()
			return nil
		}, nil))
		sort.Strings(par)
		if !slices.Equal(par, serial) {
			t.Fatalf("workers=%d: parallel walk saw %v\nserial walk saw %v", workers, par, serial)
		}
	}
}

func TestEntryOpenDoesNotFollowLinks(t *testing.T) {
	root, _ := makeTree(t)
	f, err := Open(root)
	must(t, err)
	opened := map[string]string{}
	var mu sync.Mutex
	must(t, f.ParallelWalk(context.Background(), "/", WalkOptions{}, 2, func(e *Entry) error {
		if e.IsDir() {
			return nil
		}
		file, err := e.Open()
		if err != nil {
			return nil
		}
		defer file.Close()
		b, _ := io.ReadAll(file)
		mu.Lock()
		opened[e.Path] = string(b)
		mu.Unlock()
		return nil
	}, nil))
	want := map[string]string{"/secret": "in-root secret", "/usr/lib/os-release": "ID=fixture\n"}
	if len(opened) != len(want) {
		t.Fatalf("opened %v, want only regular files %v", opened, want)
	}
	for k, v := range want {
		if opened[k] != v {
			t.Fatalf("%s = %q want %q", k, opened[k], v)
		}
	}
}

func TestParallelWalkSkipDirAndStat(t *testing.T) {
	root, _ := makeTree(t)
	f, err := Open(root)
	must(t, err)
	var n atomic.Int32
	must(t, f.ParallelWalk(context.Background(), "/", WalkOptions{}, 2, func(e *Entry) error {
		if e.Path == "/etc" {
			return fs.SkipDir
		}
		if e.Path == "/usr/lib/os-release" {
			fi, err := e.Stat()
			if err != nil || fi.Size() != int64(len("ID=fixture\n")) {
				t.Errorf("Stat: %v %v", fi, err)
			}
		}
		if len(e.Path) > 4 && e.Path[:5] == "/etc/" {
			t.Errorf("visited %s below a skipped dir", e.Path)
		}
		n.Add(1)
		return nil
	}, nil))
	if n.Load() != 4 { // /secret, /usr, /usr/lib, /usr/lib/os-release (/etc returned SkipDir)
		t.Fatalf("visited %d entries", n.Load())
	}
}

// BenchmarkParallelWalkLive walks this machine's / as the inventory does:
// a stat of every regular file (for the exec bit) and nothing else.
func BenchmarkParallelWalkLive(b *testing.B) {
	f, err := Open("/")
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2, 4} {
		b.Run(string(rune('0'+workers))+"-workers", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var files atomic.Int64
				_ = f.ParallelWalk(context.Background(), "/", WalkOptions{}, workers, func(e *Entry) error {
					if e.IsRegular() {
						if _, err := e.Stat(); err == nil {
							files.Add(1)
						}
					}
					return nil
				}, nil)
				b.ReportMetric(float64(files.Load()), "files")
			}
		})
	}
}
