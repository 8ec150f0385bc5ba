// Package vulntest builds the labelled fixture root the vulnerability
// tests and the benchmark scan: the static tree in internal/vuln/testdata/
// root (a Debian 12 dpkg status, Python site-packages, node_modules), jars
// written here (a Spring Boot jar with log4j-core 2.14.1 two levels deep)
// and a Go binary compiled from testdata/goapp-xnet (golang.org/x/net
// v0.7.0, vendored, so the build is offline).
package vulntest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
)

// Testdata is internal/vuln/testdata.
func Testdata() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata")
}

// ErrNoGo means the go toolchain needed for the Go binary is missing.
var ErrNoGo = errors.New("no go toolchain to build the Go binary fixture")

// Build writes the fixture root into the empty directory root.
func Build(root string) error {
	root, err := filepath.Abs(root) // go build -o resolves in the module dir
	if err != nil {
		return err
	}
	b := &builder{}
	b.copyTree(filepath.Join(Testdata(), "root"), root)

	log4j := jar(b, nil, pom("org.apache.logging.log4j", "log4j-core", "2.14.1"))
	// Two levels deep: app.jar!/BOOT-INF/lib/plugins.jar!/lib/log4j-core-2.14.1.jar
	plugins := jar(b, nil, map[string][]byte{"lib/log4j-core-2.14.1.jar": log4j})
	app := jar(b, map[string]string{"Spring-Boot-Version": "2.6.1", "Start-Class": "com.example.shop.ShopApplication", "Main-Class": "org.springframework.boot.loader.JarLauncher"},
		map[string][]byte{
			"BOOT-INF/lib/plugins.jar":                                plugins,
			"BOOT-INF/lib/spring-beans-5.3.17.jar":                    jar(b, nil, pom("org.springframework", "spring-beans", "5.3.17")),
			"BOOT-INF/lib/jackson-databind-2.13.4.2.jar":              jar(b, nil, pom("com.fasterxml.jackson.core", "jackson-databind", "2.13.4.2")),
			"BOOT-INF/classes/com/example/shop/ShopApplication.class": []byte("\xca\xfe\xba\xbe"),
		})
	write(b, filepath.Join(root, "opt/shop/app.jar"), app)
	write(b, filepath.Join(root, "opt/legacy/lib/commons-text-1.9.jar"), jar(b, nil, pom("org.apache.commons", "commons-text", "1.9")))
	write(b, filepath.Join(root, "opt/legacy/lib/log4j-core-2.17.1.jar"), jar(b, nil, pom("org.apache.logging.log4j", "log4j-core", "2.17.1")))
	if b.err != nil {
		return b.err
	}
	return buildGo(filepath.Join(root, "usr/local/bin/htmlcheck"))
}

// builder keeps the first error so the steps read straight.
type builder struct{ err error }

func (b *builder) Fatal(args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf("%v", args...)
	}
}

func pom(group, artifact, version string) map[string][]byte {
	return map[string][]byte{
		"META-INF/maven/" + group + "/" + artifact + "/pom.properties": []byte("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n"),
		"META-INF/MANIFEST.MF": []byte("Manifest-Version: 1.0\r\nImplementation-Title: " + artifact + "\r\nImplementation-Version: " + version + "\r\n\r\n"),
	}
}

// jar writes a zip with a manifest (if attrs) and entries; nested jars are
// stored uncompressed as Spring Boot requires.
func jar(t *builder, attrs map[string]string, entries map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if attrs != nil {
		mf := "Manifest-Version: 1.0\r\n"
		for _, k := range []string{"Main-Class", "Start-Class", "Spring-Boot-Version"} {
			if v, ok := attrs[k]; ok {
				mf += k + ": " + v + "\r\n"
			}
		}
		entries["META-INF/MANIFEST.MF"] = []byte(mf + "\r\n")
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		method := zip.Deflate
		if filepath.Ext(n) == ".jar" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(entries[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func write(t *builder, path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildGo compiles testdata/goapp-xnet (golang.org/x/net v0.7.0, vendored:
// no network, no module cache needed).
func buildGo(out string) error {
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(gobin); err != nil {
			return ErrNoGo
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	cmd := exec.Command(gobin, "build", "-trimpath", "-buildvcs=false", "-o", out, ".")
	cmd.Dir = filepath.Join(Testdata(), "goapp-xnet")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=vendor", "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOOS=linux", "GOPROXY=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build testdata/goapp-xnet: %v\n%s", err, b)
	}
	return nil
}

func (b *builder) copyTree(src, dst string) {
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
}
