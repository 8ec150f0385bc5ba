package langpkg

import (
	"strings"

	"github.com/ward-sec/ward/internal/inventory/langpkg/java"
	"github.com/ward-sec/ward/internal/inventory/langpkg/npm"
	"github.com/ward-sec/ward/internal/inventory/langpkg/python"
)

// kind says which extractor a file goes to.
type kind uint8

const (
	kindNone kind = iota
	kindJava
	kindPython
	kindNPM
	kindExec // maybe a Go executable: needs a stat for the exec bit
)

// classify decides by name alone, as the walk reaches each regular file;
// it must stay cheap (no I/O): it runs for every file on the host.
func classify(p, name string) kind {
	switch {
	case java.IsArchiveName(name):
		return kindJava
	case name == "METADATA" || name == "PKG-INFO" || strings.HasSuffix(name, ".egg-info"):
		if python.IsMetadataPath(p) {
			return kindPython
		}
		return kindNone
	case name == "package.json":
		if npm.IsManifestPath(p) {
			return kindNPM
		}
		return kindNone
	case mayBeExecutable(p, name):
		return kindExec
	}
	return kindNone
}

// nonBinaryExts are extensions of files that are never ELF executables, so
// their exec bit (scripts, sloppy permissions) is not worth a stat.
var nonBinaryExts = map[string]bool{
	"a": true, "bash": true, "bz2": true, "c": true, "cc": true, "cfg": true, "cjs": true, "class": true,
	"cmake": true, "conf": true, "cpp": true, "css": true, "csv": true, "d": true, "deb": true, "desktop": true,
	"diff": true, "el": true, "elc": true, "gif": true, "go": true, "gz": true, "h": true, "hpp": true,
	"htm": true, "html": true, "ico": true, "ini": true, "java": true, "jpeg": true, "jpg": true, "js": true,
	"json": true, "ko": true, "la": true, "lock": true, "log": true, "lua": true, "map": true, "md": true,
	"mjs": true, "mk": true, "mo": true, "mod": true, "o": true, "patch": true, "pc": true, "pem": true,
	"php": true, "pl": true, "pm": true, "png": true, "po": true, "proto": true, "pth": true, "py": true,
	"pyc": true, "pyi": true, "pyo": true, "rb": true, "rlib": true, "rmeta": true, "rpm": true, "rs": true,
	"rst": true, "service": true, "sh": true, "sum": true, "svg": true, "tar": true, "tcl": true, "tgz": true,
	"toml": true, "ts": true, "ttf": true, "txt": true, "vim": true, "whl": true, "woff": true, "woff2": true,
	"xml": true, "xz": true, "yaml": true, "yml": true, "zip": true, "zsh": true, "zst": true,
}

// nonBinaryDirs hold documentation and data, never executables worth a look.
var nonBinaryDirs = []string{
	"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/locale/", "/usr/share/i18n/",
	"/usr/share/icons/", "/usr/share/fonts/", "/usr/share/zoneinfo/", "/usr/share/mime/", "/usr/include/",
	"/var/lib/dpkg/", "/var/lib/rpm/", "/var/log/",
}

// nonBinaryTrees are caches and stores full of extension-less files that
// are never installed programs (Go build cache entries, module downloads,
// git objects): thousands of stats for nothing on a developer host.
var nonBinaryTrees = []string{"/.cache/go-build/", "/go/pkg/mod/cache/", "/.git/objects/"}

// mayBeExecutable filters by name before the walk pays for a stat.
func mayBeExecutable(p, name string) bool {
	if i := strings.LastIndexByte(name, '.'); i >= 0 && len(name)-i <= 7 {
		ext := name[i+1:]
		if nonBinaryExts[ext] || nonBinaryExts[strings.ToLower(ext)] {
			return false
		}
	}
	for _, d := range nonBinaryDirs {
		if strings.HasPrefix(p, d) {
			return false
		}
	}
	for _, d := range nonBinaryTrees {
		if strings.Contains(p, d) {
			return false
		}
	}
	return true
}
