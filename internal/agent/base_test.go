package agent

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

func TestBaseStore(t *testing.T) {
	dir := t.TempDir()
	b := baseStore{dir: dir}
	if s, err := b.load(); s != nil || err != nil {
		t.Fatalf("empty dir: %v %v", s, err)
	}
	// A local time zone and empty slices must not make a reloaded base
	// differ from the fresh one.
	inv := &model.Inventory{ScannedAt: time.Now().In(time.FixedZone("X", 3600)), Users: []model.User{{Name: "a", Groups: []string{}}}}
	s, err := newSnapshot(inv)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.prepare(s); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.load(); got != nil {
		t.Fatal("prepared base visible before commit")
	}
	if err := b.commit(); err != nil {
		t.Fatal(err)
	}
	got, err := b.load()
	if err != nil || got.hash != s.hash || string(got.raw) != string(s.raw) {
		t.Fatalf("reload: %v", err)
	}
	again, _ := newSnapshot(got.inv)
	if again.hash != s.hash {
		t.Fatal("re-encoding a loaded base changes its hash")
	}
	st, _ := os.Stat(filepath.Join(dir, baseFile))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("base mode %v", st.Mode())
	}

	// Crash between prepare and commit: recover forgets the base.
	if err := b.prepare(s); err != nil {
		t.Fatal(err)
	}
	if rec, err := b.recover(); !rec || err != nil {
		t.Fatalf("recover: %v %v", rec, err)
	}
	if got, _ := b.load(); got != nil {
		t.Fatal("base kept after an interrupted report")
	}
	if rec, _ := b.recover(); rec {
		t.Fatal("recover with nothing to recover")
	}

	for _, bad := range []string{"", "ward-base 1 abc\n{}", "nonsense", "ward-base 1 " + s.hash + "\n{\"x\""} {
		os.WriteFile(filepath.Join(dir, baseFile), []byte(bad), 0o600)
		if got, err := b.load(); got != nil || err == nil {
			t.Errorf("%q: loaded", bad)
		}
	}
}

func TestBackoff(t *testing.T) {
	b := newBackoff(100*time.Millisecond, time.Second)
	for i, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		d := b.pause()
		want *= time.Millisecond
		if d < want/2 || d >= want {
			t.Errorf("pause %d: %v, want in [%v, %v)", i, d, want/2, want)
		}
	}
	b.reset()
	if d := b.pause(); d >= 100*time.Millisecond {
		t.Errorf("after reset %v", d)
	}
}
