package process

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestHashCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newHashCache(2)
	a, b, d := fileKey{ino: 1}, fileKey{ino: 2}, fileKey{ino: 3}
	c.put(a, "a")
	c.put(b, "b")
	if _, ok := c.get(a); !ok { // a is now most recent
		t.Fatal("a missing")
	}
	c.put(d, "d") // evicts b
	if _, ok := c.get(b); ok {
		t.Error("b should have been evicted")
	}
	if s, ok := c.get(a); !ok || s != "a" {
		t.Error("a should remain")
	}
	if s, ok := c.get(d); !ok || s != "d" {
		t.Error("d should remain")
	}
	if c.len() != 2 {
		t.Errorf("len %d, want 2", c.len())
	}
}

func TestHashCacheConcurrent(t *testing.T) {
	c := newHashCache(64)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				k := fileKey{ino: uint64(i % 100)}
				if _, ok := c.get(k); !ok {
					c.put(k, fmt.Sprint(i))
				}
			}
		}(g)
	}
	wg.Wait()
	if c.len() > 64 {
		t.Errorf("cache grew to %d entries, bound is 64", c.len())
	}
}

// A file changed in place (same size, mtime forged back) gets a new ctime
// and therefore a new digest.
func TestHashFileNoticesRewrite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bin")
	if err := os.WriteFile(p, []byte("version-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	c := newCollector()
	hash := func() string {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		s, err := c.hashFile(f, maxExeHash)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := hash()
	if again := hash(); again != first || c.hashed.Load() != 1 {
		t.Fatalf("unchanged file re-hashed (%d hashes)", c.hashed.Load())
	}
	if err := os.WriteFile(p, []byte("version-2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if second := hash(); second == first {
		t.Error("rewritten file kept its old digest")
	}
}

func TestHashFileSkipsLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(p, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := newCollector()
	if s, err := c.hashFile(f, 1024); err != nil || s != "" {
		t.Errorf("got (%q, %v), want skipped", s, err)
	}
}
