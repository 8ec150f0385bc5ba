package ospkg

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

func TestDBReader(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		limit   int64
		want    string
		wantErr error
	}{
		{name: "under the cap", data: "abc", limit: 10, want: "abc"},
		{name: "exactly the cap", data: "abcd", limit: 4, want: "abcd"},
		{name: "over the cap", data: "abcde", limit: 4, want: "abcd", wantErr: ErrTooLarge},
	}
	for _, tt := range tests {
		got, err := io.ReadAll(DBReader(context.Background(), strings.NewReader(tt.data), tt.limit))
		if string(got) != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: got %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := io.ReadAll(DBReader(ctx, strings.NewReader("x"), 0)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSort(t *testing.T) {
	pkgs := []model.Package{
		{Name: "b", Arch: "amd64"},
		{Name: "a", Arch: "i386"},
		{Name: "a", Arch: "amd64", Version: "2"},
		{Name: "a", Arch: "amd64", Version: "1"},
	}
	Sort(pkgs)
	var got []string
	for _, p := range pkgs {
		got = append(got, p.Name+"/"+p.Arch+"/"+p.Version)
	}
	if diff := cmp.Diff([]string{"a/amd64/1", "a/amd64/2", "a/i386/", "b/amd64/"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFileWarner(t *testing.T) {
	root, err := rootfs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	env, warnings := inventory.TestEnv(root, "os/test")
	w := NewFileWarner(env, "/db")
	for i := range MaxWarningsPerFile + 5 {
		w.Warnf("problem %d", i)
	}
	w.Flush()
	if n := len(*warnings); n != MaxWarningsPerFile+1 {
		t.Fatalf("%d warnings, want %d", n, MaxWarningsPerFile+1)
	}
	last := (*warnings)[MaxWarningsPerFile]
	if last.Path != "/db" || last.Message != "5 more problems in this file not reported" {
		t.Errorf("summary %+v", last)
	}
}
