package host

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// redhatReleaseFiles are the one-line release files of the RHEL family,
// most specific first (redhat-release is often a link to one of them).
var redhatReleaseFiles = []string{
	"/etc/rocky-release", "/etc/almalinux-release", "/etc/centos-release",
	"/etc/oracle-release", "/etc/redhat-release", "/etc/system-release",
}

// readOS identifies the distribution: os-release first, then the older
// per-distribution files for what os-release leaves out.
func readOS(env *inventory.Env) model.OSRelease {
	var o model.OSRelease
	haveRelease := false
	for _, name := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		data, err := env.FS.ReadFile(name, maxSmallFile)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				env.Warn(name, err)
			}
			continue
		}
		fields, err := ParseOSRelease(bytes.NewReader(data))
		if err != nil {
			env.Warn(name, err)
		}
		if len(fields) == 0 {
			env.Warnf(name, "no KEY=value assignments; ignoring it")
			continue
		}
		o = osFromFields(fields)
		haveRelease = true
		break
	}

	if o.ID == "" || o.Family == "rhel" {
		addRedHatRelease(env, &o, haveRelease)
	}
	if o.ID == "" || o.ID == "alpine" {
		addAlpineRelease(env, &o)
	}
	if o.ID == "" || o.ID == "debian" {
		addDebianVersion(env, &o)
	}
	if o.PrettyName == "" && o.Name != "" {
		o.PrettyName = strings.TrimSpace(o.Name + " " + o.Version)
	}
	return o
}

func addRedHatRelease(env *inventory.Env, o *model.OSRelease, haveRelease bool) {
	for _, name := range redhatReleaseFiles {
		data := readRootFile(env, name, maxSmallFile)
		if data == nil {
			continue
		}
		rel, ok := ParseRedHatRelease(data)
		if !ok {
			continue
		}
		if !haveRelease {
			o.ID = redhatID(rel.Name)
			o.Name = rel.Name
			o.PrettyName = rel.Line
			o.Version = rel.Version
			o.Family = osFamily(o.ID, nil)
			if o.Family == "" {
				o.Family = "rhel"
			}
		} else if rel.Version != o.Version && strings.HasPrefix(rel.Version, o.Version+".") {
			// os-release says "7", centos-release "7.9.2009".
			o.VersionDetail = rel.Version
		}
		return
	}
}

func addAlpineRelease(env *inventory.Env, o *model.OSRelease) {
	data := readRootFile(env, "/etc/alpine-release", maxSmallFile)
	v := firstLine(data)
	if v == "" {
		return
	}
	if o.ID == "" {
		o.ID, o.Name, o.Family, o.Version = "alpine", "Alpine Linux", "alpine", v
		return
	}
	if v != o.Version && strings.HasPrefix(v, o.Version) {
		o.VersionDetail = v
	}
}

// addDebianVersion adds Debian's point release ("12.11"), which os-release
// leaves out. Only for Debian itself: on Ubuntu the file names the Debian
// release Ubuntu was branched from ("bookworm/sid").
func addDebianVersion(env *inventory.Env, o *model.OSRelease) {
	data := readRootFile(env, "/etc/debian_version", maxSmallFile)
	v := firstLine(data)
	if v == "" {
		return
	}
	if o.ID == "" {
		o.ID, o.Name, o.Family = "debian", "Debian GNU/Linux", "debian"
	}
	if isDottedNumber(v) {
		major, _, _ := strings.Cut(v, ".")
		if o.Version == "" {
			o.Version = major
		}
		if v != o.Version {
			o.VersionDetail = v
		}
	} else if o.Codename == "" {
		// testing and unstable: "trixie/sid"
		c, _, _ := strings.Cut(v, "/")
		o.Codename = c
	}
	if o.Codename == "" {
		o.Codename = deriveCodename(o.ID, o.Version, "")
	}
}
