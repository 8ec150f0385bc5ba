package dpkg

import (
	"fmt"
	"strings"
)

// The three words of a Status field ("install ok installed"), as dpkg
// defines them (dpkg(1), lib/dpkg/parsehelp.c).
var (
	wants  = map[string]bool{"unknown": true, "install": true, "hold": true, "deinstall": true, "purge": true}
	flags  = map[string]bool{"ok": true, "reinstreq": true, "hold": true, "hold-reinstreq": true}
	states = map[string]bool{
		"not-installed": true, "config-files": true, "half-installed": true, "unpacked": true,
		"half-configured": true, "triggers-awaited": true, "triggers-pending": true, "installed": true,
	}
)

// parseStatus splits a Status field and returns its state (third word).
func parseStatus(s string) (state string, err error) {
	words := strings.Fields(s)
	if len(words) != 3 {
		return "", fmt.Errorf("Status %q: want three words (want flag state)", s)
	}
	if !wants[words[0]] || !flags[words[1]] || !states[words[2]] {
		return "", fmt.Errorf("Status %q: unknown want, flag or state", s)
	}
	return words[2], nil
}

// filesOnDisk reports whether a package in this state has its files
// installed. Only "not-installed" and "config-files" (removed, conffiles
// left) have none; "dpkg-query -W" also omits not-installed. The other
// states (unpacked, half-configured, triggers-pending...) are an interrupted
// or pending dpkg run over files that are on disk, so they are reported,
// flagged with the state.
func filesOnDisk(state string) bool {
	return state != "not-installed" && state != "config-files"
}

// parseSource reads a Source field: "name" or "name (version)". An empty
// version means the source version is the binary's.
func parseSource(s string) (name, version string, err error) {
	s = strings.TrimSpace(s)
	name, rest, hasVersion := strings.Cut(s, " ")
	if !validName(name) {
		return "", "", fmt.Errorf("Source %q: invalid source package name", s)
	}
	if !hasVersion {
		return name, "", nil
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 3 || rest[0] != '(' || rest[len(rest)-1] != ')' {
		return "", "", fmt.Errorf(`Source %q: want "name (version)"`, s)
	}
	version = strings.TrimSpace(rest[1 : len(rest)-1])
	if !validVersion(version) {
		return "", "", fmt.Errorf("Source %q: invalid version", s)
	}
	return name, version, nil
}

// validName follows dpkg's package name rule: lower-case letters, digits,
// '+', '-', '.', starting with a letter or digit. Upper case is tolerated
// (old databases have it). The check also keeps names safe to use in the
// info/<name>.list file name.
func validName(s string) bool {
	if s == "" || len(s) > 256 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// validArch accepts dpkg architecture names (amd64, arm64, all, musl-linux-arm64...).
func validArch(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// validVersion accepts the characters dpkg allows in [epoch:]upstream[-revision].
func validVersion(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && !strings.ContainsRune(".+-~:", rune(c)) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
