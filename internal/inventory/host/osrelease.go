package host

import (
	"bufio"
	"io"
	"regexp"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// maxReleaseLine bounds one os-release line; real lines are under 200 bytes.
const maxReleaseLine = 16 << 10

// ParseOSRelease reads os-release(5) assignments (KEY=value with shell
// quoting). Comments, blank lines and lines that are not assignments are
// skipped; a later assignment of a key wins, as in the shell.
func ParseOSRelease(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), maxReleaseLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, raw, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || !isReleaseKey(key) {
			continue
		}
		out[key] = shellWord(strings.TrimSpace(raw))
	}
	return out, sc.Err()
}

func isReleaseKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' && i > 0) {
			return false
		}
	}
	return true
}

// shellWord decodes the first shell word of s: double quotes (where \ only
// escapes $ " \ and `), single quotes (no escapes) and bare backslash
// escapes. Unquoted whitespace ends the word, so a trailing "# comment" is
// not part of the value. An unterminated quote runs to the end of the line.
func shellWord(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '"':
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$\"\\`", s[i+1]) >= 0 {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			i++ // closing quote
		case '\'':
			i++
			j := strings.IndexByte(s[i:], '\'')
			if j < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString(s[i : i+j])
			i += j + 1
		case '\\':
			if i+1 < len(s) {
				b.WriteByte(s[i+1])
			}
			i += 2
		case ' ', '\t':
			return b.String()
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// osFromFields maps os-release keys onto the model record.
func osFromFields(f map[string]string) model.OSRelease {
	o := model.OSRelease{
		ID:         strings.ToLower(f["ID"]),
		IDLike:     strings.Fields(strings.ToLower(f["ID_LIKE"])),
		Name:       f["NAME"],
		PrettyName: f["PRETTY_NAME"],
		Version:    f["VERSION_ID"],
		Codename:   f["VERSION_CODENAME"],
	}
	if len(o.IDLike) == 0 {
		o.IDLike = nil
	}
	if o.Codename == "" {
		o.Codename = f["UBUNTU_CODENAME"]
	}
	if o.Codename == "" {
		o.Codename = deriveCodename(o.ID, o.Version, f["VERSION"])
	}
	o.Family = osFamily(o.ID, o.IDLike)
	return o
}

// familyOf maps distribution IDs (and the IDs found in ID_LIKE) to the
// family whose package format and advisories they share.
var familyOf = map[string]string{
	"debian": "debian", "ubuntu": "debian", "linuxmint": "debian", "raspbian": "debian",
	"kali": "debian", "devuan": "debian", "pop": "debian", "elementary": "debian",
	"deepin": "debian", "uos": "debian", "neon": "debian",

	"rhel": "rhel", "centos": "rhel", "fedora": "rhel", "rocky": "rhel", "almalinux": "rhel",
	"ol": "rhel", "amzn": "rhel", "scientific": "rhel", "anolis": "rhel", "alinux": "rhel",
	"opencloudos": "rhel", "tencentos": "rhel", "eurolinux": "rhel", "virtuozzo": "rhel",
	"circle": "rhel", "navylinux": "rhel", "miraclelinux": "rhel",

	"alpine": "alpine", "postmarketos": "alpine",

	"sles": "suse", "sled": "suse", "sle-micro": "suse", "suse": "suse", "opensuse": "suse",
	"opensuse-leap": "suse", "opensuse-tumbleweed": "suse", "opensuse-microos": "suse",

	"arch": "arch", "archarm": "arch", "manjaro": "arch", "endeavouros": "arch", "garuda": "arch",
}

func osFamily(id string, like []string) string {
	if f := familyOf[id]; f != "" {
		return f
	}
	for _, l := range like {
		if f := familyOf[l]; f != "" {
			return f
		}
	}
	return ""
}

var debianCodenames = map[string]string{
	"6": "squeeze", "7": "wheezy", "8": "jessie", "9": "stretch", "10": "buster",
	"11": "bullseye", "12": "bookworm", "13": "trixie", "14": "forky", "15": "duke",
}

var ubuntuCodenames = map[string]string{
	"14.04": "trusty", "16.04": "xenial", "18.04": "bionic", "19.04": "disco", "19.10": "eoan",
	"20.04": "focal", "20.10": "groovy", "21.04": "hirsute", "21.10": "impish", "22.04": "jammy",
	"22.10": "kinetic", "23.04": "lunar", "23.10": "mantic", "24.04": "noble", "24.10": "oracular",
	"25.04": "plucky", "25.10": "questing",
}

// parenWord finds the first word inside parentheses of VERSION, e.g.
// "12 (bookworm)" or "22.04.4 LTS (Jammy Jellyfish)".
var parenWord = regexp.MustCompile(`\(\s*([A-Za-z]+)`)

// deriveCodename fills VERSION_CODENAME for Debian and Ubuntu releases whose
// os-release lacks it (Debian before 9, some minimal images).
func deriveCodename(id, version, versionText string) string {
	switch id {
	case "debian":
		major, _, _ := strings.Cut(version, ".")
		if c := debianCodenames[major]; c != "" {
			return c
		}
	case "ubuntu":
		if c := ubuntuCodenames[version]; c != "" {
			return c
		}
	default:
		return ""
	}
	if m := parenWord.FindStringSubmatch(versionText); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// RedHatRelease is what a one-line release file such as /etc/redhat-release
// says: "Rocky Linux release 9.3 (Blue Onyx)".
type RedHatRelease struct {
	Name     string // "Rocky Linux"
	Version  string // "9.3"
	Codename string // "Blue Onyx"
	Line     string // the whole line, used as a pretty name
}

var redhatReleaseRE = regexp.MustCompile(`^(.*?)\s+release\s+([0-9][0-9A-Za-z._-]*)(?:\s*\(([^)]*)\))?`)

// ParseRedHatRelease parses the first line of a redhat-release style file.
// ok is false when the line does not have the "NAME release VERSION" shape.
func ParseRedHatRelease(data []byte) (RedHatRelease, bool) {
	line := firstLine(data)
	m := redhatReleaseRE.FindStringSubmatch(line)
	if m == nil {
		return RedHatRelease{}, false
	}
	return RedHatRelease{Name: strings.TrimSpace(m[1]), Version: m[2], Codename: strings.TrimSpace(m[3]), Line: line}, true
}

// redhatIDs maps the product name of a release line to its os-release ID,
// for systems too old to have os-release (RHEL/CentOS 6).
var redhatIDs = []struct{ prefix, id string }{
	{"Red Hat Enterprise Linux", "rhel"},
	{"CentOS", "centos"},
	{"Rocky Linux", "rocky"},
	{"AlmaLinux", "almalinux"},
	{"Oracle Linux", "ol"},
	{"Enterprise Linux", "ol"},
	{"Scientific Linux", "scientific"},
	{"Fedora", "fedora"},
	{"Amazon Linux", "amzn"},
	{"Anolis OS", "anolis"},
	{"Alibaba Cloud Linux", "alinux"},
	{"OpenCloudOS", "opencloudos"},
}

func redhatID(name string) string {
	for _, r := range redhatIDs {
		if strings.HasPrefix(name, r.prefix) {
			return r.id
		}
	}
	return ""
}

// firstLine is the first line of data with surrounding space removed.
func firstLine(data []byte) string {
	s := string(data)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// isDottedNumber reports whether s is like "12", "12.11" or "7.9.2009".
func isDottedNumber(s string) bool {
	if s == "" {
		return false
	}
	prevDot := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			prevDot = false
		case c == '.' && !prevDot:
			prevDot = true
		default:
			return false
		}
	}
	return !prevDot
}
