package host

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
)

// readHostnameFile is the configured hostname of an image (/etc/hostname).
func readHostnameFile(env *inventory.Env) string {
	const name = "/etc/hostname"
	data := readRootFile(env, name, maxSmallFile)
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if !validHostname(line) {
			env.Warnf(name, "not a valid hostname: %.64q", line)
			return ""
		}
		return line
	}
	return ""
}

// validHostname accepts RFC 1123 names (letters, digits, '-', '.', and '_'
// which real systems use) up to 253 bytes.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// readMachineID reads the systemd/D-Bus machine ID. An empty file or
// "uninitialized" is how images ship before first boot: no ID, no warning.
func readMachineID(env *inventory.Env) string {
	for _, name := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		v := firstLine(readRootFile(env, name, maxSmallFile))
		if v == "" || v == "uninitialized" {
			continue
		}
		if !isMachineID(v) {
			env.Warnf(name, "not a machine ID (32 hex digits): %.64q", v)
			continue
		}
		return v
	}
	return ""
}

func isMachineID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// readTimezone: /etc/timezone (Debian), else the zone named by the
// /etc/localtime link, else the POSIX TZ rule at the end of a copied
// /etc/localtime.
func readTimezone(env *inventory.Env) string {
	if tz := firstLine(readRootFile(env, "/etc/timezone", maxSmallFile)); tz != "" {
		if validZoneName(tz) {
			return tz
		}
		env.Warnf("/etc/timezone", "not a time zone name: %.64q", tz)
	}
	const lt = "/etc/localtime"
	target, err := env.FS.Readlink(lt)
	if err == nil {
		// The link may dangle (zoneinfo not installed in a slim image);
		// its text is still the configured zone.
		if zone := zoneFromLink(target); zone != "" {
			return zone
		}
		return ""
	}
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	// Not a link: a copied zone file (Alpine's setup-timezone, some images).
	data, err := env.FS.ReadFile(lt, maxTZif)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			env.Warn(lt, err)
		}
		return ""
	}
	return TZifRule(data)
}

// zoneFromLink turns ".../zoneinfo/Europe/Berlin" into "Europe/Berlin".
func zoneFromLink(target string) string {
	i := strings.LastIndex(target, "zoneinfo/")
	if i < 0 {
		return ""
	}
	zone := path.Clean(target[i+len("zoneinfo/"):])
	zone = strings.TrimPrefix(strings.TrimPrefix(zone, "posix/"), "right/")
	if !validZoneName(zone) {
		return ""
	}
	return zone
}

func validZoneName(s string) bool {
	if s == "" || len(s) > 128 || strings.HasPrefix(s, "/") || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/_+-.", c) >= 0) {
			return false
		}
	}
	return true
}

// TZifRule returns the POSIX TZ rule that ends a TZif version 2+ file
// ("CET-1CEST,M3.5.0,M10.5.0/3", "UTC0"); "" if there is none. It is the
// best name a copied zone file still carries.
func TZifRule(data []byte) string {
	if len(data) < 5 || !bytes.HasPrefix(data, []byte("TZif")) || data[4] < '2' {
		return ""
	}
	// The footer is "\n<rule>\n" at the very end.
	body := bytes.TrimSuffix(data, []byte("\n"))
	if len(body) == len(data) {
		return ""
	}
	i := bytes.LastIndexByte(body, '\n')
	if i < 0 {
		return ""
	}
	rule := string(body[i+1:])
	if rule == "" || len(rule) > 64 {
		return ""
	}
	for j := 0; j < len(rule); j++ {
		if c := rule[j]; c < 0x20 || c > 0x7e {
			return ""
		}
	}
	return rule
}
