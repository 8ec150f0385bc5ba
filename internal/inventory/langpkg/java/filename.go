package java

import (
	"path"
	"strings"
)

// archiveExts are the zip-based Java archive kinds Ward opens.
var archiveExts = []string{".jar", ".war", ".ear", ".par", ".sar", ".jpi", ".hpi"}

// IsArchiveName reports whether a file or entry name looks like a Java
// archive, by extension (case-insensitive).
func IsArchiveName(name string) bool {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || len(name)-i > 4 {
		return false
	}
	ext := name[i:]
	for _, e := range archiveExts {
		if strings.EqualFold(ext, e) {
			return true
		}
	}
	return false
}

// ParseFilename splits an archive's base name into artifact name and
// version the way Maven names files: "log4j-core-2.14.1.jar",
// "app-1.0-SNAPSHOT.jar", "akka-actor_2.13-2.6.20.jar" (the Scala suffix
// stays in the name), "log4j-1.2-api-2.17.1.jar" (the name holds a number).
// The version starts at a "-" followed by a digit: the last such place
// that starts a dotted number, else the first. Eclipse-style
// "name_1.2.3.jar" is the fallback. stem is the name without extension,
// returned even when no version is found.
func ParseFilename(file string) (name, version, stem string) {
	base := path.Base(file)
	stem = base
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		stem = base[:i]
	}
	for _, sep := range []byte{'-', '_'} {
		first, dotted := -1, -1
		for i := 1; i+1 < len(stem); i++ {
			if stem[i] != sep || !isDigit(stem[i+1]) {
				continue
			}
			if first < 0 {
				first = i
			}
			if startsDotted(stem[i+1:]) {
				dotted = i
			}
		}
		at := dotted
		if at < 0 {
			at = first
		}
		if at > 0 {
			return stem[:at], stem[at+1:], stem
		}
	}
	return "", "", stem
}

// startsDotted reports whether s starts with digits and a dot ("2.17.1").
func startsDotted(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i > 0 && i < len(s) && s[i] == '.'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
