package gobinary

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

// buildApp compiles ../testdata/goapp (see its go.mod) once per test binary.
func buildApp(t testing.TB) []byte {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		t.Skip("no go toolchain")
	}
	out := filepath.Join(t.TempDir(), "shopagent")
	cmd := exec.Command(gobin, "build", "-trimpath", "-buildvcs=false", "-o", out, ".")
	cmd.Dir = filepath.Join("..", "testdata", "goapp")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func render(pkgs []model.Package) string {
	var b strings.Builder
	for _, p := range pkgs {
		fmt.Fprintf(&b, "%s@%s %v\n", p.Name, p.Version, p.Metadata)
	}
	return b.String()
}

func TestExtractGoBinary(t *testing.T) {
	data := buildApp(t)
	pkgs, err := Extract(bytes.NewReader(data), "/usr/local/bin/shopagent")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	want := "example.com/shopagent@(devel) map[]\n" +
		"example.com/greet@(devel) map[replaced-by:./greet]\n" +
		"github.com/google/go-cmp@v0.7.0 map[]\n" +
		"golang.org/x/sys@v0.49.0 map[]\n" +
		"golang.org/x/term@v0.47.0 map[replaces:golang.org/x/term@v0.40.0]\n" +
		"stdlib@" + goVersion + " map[]\n"
	if got := render(pkgs); got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
	for _, p := range pkgs {
		if p.Type != model.PkgGo || p.Location != "/usr/local/bin/shopagent" || p.FoundBy != FoundBy {
			t.Errorf("bad record %+v", p)
		}
	}
}

func TestExtractNotGo(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"text", []byte("#!/bin/sh\necho hi\n")},
		{"ELF magic only", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00")},
	}
	if c, err := os.ReadFile("/usr/bin/true"); err == nil { // a C program on a normal Linux host
		tests = append(tests, struct {
			name string
			data []byte
		}{"C executable /usr/bin/true", c})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkgs, err := Extract(bytes.NewReader(tc.data), "/bin/x")
			if err != nil || len(pkgs) != 0 {
				t.Errorf("got %v, %v; want nothing", pkgs, err)
			}
		})
	}
}

func TestExtractTruncatedGoBinary(t *testing.T) {
	data := buildApp(t)
	for _, n := range []int{64, 4096, len(data) / 2, len(data) - 1} {
		// Must not panic; a damaged Go binary may give an error or nothing.
		pkgs, err := Extract(bytes.NewReader(data[:n]), "/bin/x")
		t.Logf("truncated to %d: %d packages, err %v", n, len(pkgs), err)
	}
}

func TestGoVersion(t *testing.T) {
	for in, want := range map[string]string{
		"go1.22.5": "1.22.5", "go1.22.5 X:boringcrypto": "1.22.5", "go1.21rc2": "1.21rc2",
		"devel go1.23-abc123 Tue": "devel go1.23-abc123 Tue", "": "",
	} {
		if got := GoVersion(in); got != want {
			t.Errorf("GoVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsELF(t *testing.T) {
	if !IsELF([]byte("\x7fELF")) || IsELF([]byte("\x7fEL")) || IsELF([]byte("MZ\x90\x00")) {
		t.Error("IsELF wrong")
	}
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	if c, err := os.ReadFile("/usr/bin/true"); err == nil {
		f.Add(c[:min(len(c), 8192)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, _ := Extract(bytes.NewReader(data), "/f")
		for _, p := range pkgs {
			if p.Location != "/f" {
				t.Fatalf("bad location %+v", p)
			}
		}
	})
}
