package vuln

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// buildRoot assembles the labelled fixture root: the static tree in
// testdata/root (Debian 12 dpkg status, Python site-packages, node_modules)
// plus jars written here and a Go binary compiled from testdata/goapp-xnet.
func buildRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	copyTree(t, filepath.Join("testdata", "root"), root)

	log4j := jar(t, nil, pom("org.apache.logging.log4j", "log4j-core", "2.14.1"))
	// Two levels deep: app.jar!/BOOT-INF/lib/plugins.jar!/lib/log4j-core-2.14.1.jar
	plugins := jar(t, nil, map[string][]byte{"lib/log4j-core-2.14.1.jar": log4j})
	app := jar(t, map[string]string{"Spring-Boot-Version": "2.6.1", "Start-Class": "com.example.shop.ShopApplication", "Main-Class": "org.springframework.boot.loader.JarLauncher"},
		map[string][]byte{
			"BOOT-INF/lib/plugins.jar":                                plugins,
			"BOOT-INF/lib/spring-beans-5.3.17.jar":                    jar(t, nil, pom("org.springframework", "spring-beans", "5.3.17")),
			"BOOT-INF/lib/jackson-databind-2.13.4.2.jar":              jar(t, nil, pom("com.fasterxml.jackson.core", "jackson-databind", "2.13.4.2")),
			"BOOT-INF/classes/com/example/shop/ShopApplication.class": []byte("\xca\xfe\xba\xbe"),
		})
	write(t, filepath.Join(root, "opt/shop/app.jar"), app)
	write(t, filepath.Join(root, "opt/legacy/lib/commons-text-1.9.jar"), jar(t, nil, pom("org.apache.commons", "commons-text", "1.9")))
	write(t, filepath.Join(root, "opt/legacy/lib/log4j-core-2.17.1.jar"), jar(t, nil, pom("org.apache.logging.log4j", "log4j-core", "2.17.1")))
	buildGo(t, filepath.Join(root, "usr/local/bin/htmlcheck"))
	return root
}

func pom(group, artifact, version string) map[string][]byte {
	return map[string][]byte{
		"META-INF/maven/" + group + "/" + artifact + "/pom.properties": []byte("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n"),
		"META-INF/MANIFEST.MF": []byte("Manifest-Version: 1.0\r\nImplementation-Title: " + artifact + "\r\nImplementation-Version: " + version + "\r\n\r\n"),
	}
}

// jar writes a zip with a manifest (if attrs) and entries; nested jars are
// stored uncompressed as Spring Boot requires.
func jar(t *testing.T, attrs map[string]string, entries map[string][]byte) []byte {
	t.Helper()
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
	sortStrings(names)
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

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildGo compiles testdata/goapp-xnet (golang.org/x/net v0.7.0, vendored:
// no network, no module cache needed).
func buildGo(t *testing.T, out string) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(gobin); err != nil {
			t.Skip("no go toolchain to build the Go binary fixture")
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gobin, "build", "-trimpath", "-buildvcs=false", "-o", out, ".")
	cmd.Dir = filepath.Join("testdata", "goapp-xnet")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=vendor", "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOOS=linux", "GOPROXY=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build testdata/goapp-xnet: %v\n%s", err, b)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
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
		t.Fatal(err)
	}
}
