package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestParseOSReleaseFixtures(t *testing.T) {
	tests := []struct {
		file string
		want map[string]string // a subset of keys
		keys int
	}{
		{"debian", map[string]string{"ID": "debian", "VERSION_ID": "12", "VERSION_CODENAME": "bookworm", "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)"}, 9},
		{"rhel", map[string]string{"ID": "rocky", "ID_LIKE": "rhel centos fedora", "VERSION_ID": "9.3", "CPE_NAME": "cpe:/o:rocky:rocky:9::baseos"}, 17},
		{"alpine", map[string]string{"ID": "alpine", "VERSION_ID": "3.19.1", "PRETTY_NAME": "Alpine Linux v3.19"}, 6},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(testutil.RepoRoot(), "testdata", "roots", tc.file, "usr", "lib", "os-release"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := ParseOSRelease(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.keys {
				t.Errorf("%d keys, want %d: %v", len(got), tc.keys, got)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestParseOSReleaseQuoting(t *testing.T) {
	in := `
# comment line
  # indented comment

QUOTED1="Quoted value 1"
QUOTED2='Quoted value 2'
ESCAPED1="\$HOME"
ESCAPED2="\"release\""
ESCAPED3="rock\'n\'roll"
ESCAPED4="\\var"
BARE=plain\ word
TRAILING="value" # a comment after the value
CONCAT="ab"'cd'ef
=no key
lower_key=ok
9BAD=starts with a digit
PROP1=name=john
export NOPE=1
OVER='first'
OVER='second'
UNTERMINATED="runs to the end
EMPTY=
`
	got, err := ParseOSRelease(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"QUOTED1": "Quoted value 1", "QUOTED2": "Quoted value 2",
		"ESCAPED1": "$HOME", "ESCAPED2": `"release"`, "ESCAPED3": `rock\'n\'roll`, "ESCAPED4": `\var`,
		"BARE": "plain word", "TRAILING": "value", "CONCAT": "abcdef", "lower_key": "ok",
		"PROP1": "name=john", "OVER": "second", "UNTERMINATED": "runs to the end", "EMPTY": "",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseOSRelease (-want +got):\n%s", d)
	}
}

func TestParseOSReleaseLongLine(t *testing.T) {
	in := "ID=debian\nJUNK=" + strings.Repeat("x", maxReleaseLine+10) + "\n"
	got, err := ParseOSRelease(strings.NewReader(in))
	if err == nil {
		t.Error("no error for an over-long line")
	}
	if got["ID"] != "debian" {
		t.Errorf("lines before the long one were lost: %v", got)
	}
}

const centos7OSRelease = `NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:7"
HOME_URL="https://www.centos.org/"
BUG_REPORT_URL="https://bugs.centos.org/"

CENTOS_MANTISBT_PROJECT="CentOS-7"
CENTOS_MANTISBT_PROJECT_VERSION="7"
REDHAT_SUPPORT_PRODUCT="centos"
REDHAT_SUPPORT_PRODUCT_VERSION="7"
`

const debian8OSRelease = `PRETTY_NAME="Debian GNU/Linux 8 (jessie)"
NAME="Debian GNU/Linux"
VERSION_ID="8"
VERSION="8 (jessie)"
ID=debian
HOME_URL="http://www.debian.org/"
SUPPORT_URL="http://www.debian.org/support/"
BUG_REPORT_URL="https://bugs.debian.org/"
`

func TestReadOSFallbacks(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		want     model.OSRelease
		warnings int
	}{
		{
			name:  "usr/lib/os-release when /etc has none",
			files: map[string]string{"usr/lib/os-release": "ID=alpine\nVERSION_ID=3.19.1\nNAME=\"Alpine Linux\"\n", "etc/alpine-release": "3.19.1\n"},
			want:  model.OSRelease{ID: "alpine", Name: "Alpine Linux", PrettyName: "Alpine Linux 3.19.1", Version: "3.19.1", Family: "alpine"},
		},
		{
			name:  "CentOS 7 build number from centos-release",
			files: map[string]string{"etc/os-release": centos7OSRelease, "etc/centos-release": "CentOS Linux release 7.9.2009 (Core)\n", "etc/redhat-release": "->centos-release"},
			want: model.OSRelease{ID: "centos", IDLike: []string{"rhel", "fedora"}, Name: "CentOS Linux", PrettyName: "CentOS Linux 7 (Core)",
				Version: "7", VersionDetail: "7.9.2009", Family: "rhel"},
		},
		{
			name:  "CentOS 6 has only redhat-release",
			files: map[string]string{"etc/redhat-release": "CentOS release 6.10 (Final)\n"},
			want:  model.OSRelease{ID: "centos", Name: "CentOS", PrettyName: "CentOS release 6.10 (Final)", Version: "6.10", Family: "rhel"},
		},
		{
			name:  "RHEL 7 server",
			files: map[string]string{"etc/redhat-release": "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n"},
			want:  model.OSRelease{ID: "rhel", Name: "Red Hat Enterprise Linux Server", PrettyName: "Red Hat Enterprise Linux Server release 7.9 (Maipo)", Version: "7.9", Family: "rhel"},
		},
		{
			name:  "Debian 8 codename derived, point release added",
			files: map[string]string{"etc/os-release": debian8OSRelease, "etc/debian_version": "8.11\n"},
			want: model.OSRelease{ID: "debian", Name: "Debian GNU/Linux", PrettyName: "Debian GNU/Linux 8 (jessie)", Version: "8",
				VersionDetail: "8.11", Codename: "jessie", Family: "debian"},
		},
		{
			name: "Debian testing",
			files: map[string]string{
				"etc/os-release":     "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\nVERSION_CODENAME=trixie\nID=debian\n",
				"etc/debian_version": "trixie/sid\n",
			},
			want: model.OSRelease{ID: "debian", Name: "Debian GNU/Linux", PrettyName: "Debian GNU/Linux trixie/sid", Codename: "trixie", Family: "debian"},
		},
		{
			name:  "only debian_version",
			files: map[string]string{"etc/debian_version": "9.13\n"},
			want:  model.OSRelease{ID: "debian", Name: "Debian GNU/Linux", PrettyName: "Debian GNU/Linux 9", Version: "9", VersionDetail: "9.13", Codename: "stretch", Family: "debian"},
		},
		{
			name: "Ubuntu ignores debian_version",
			files: map[string]string{
				"etc/os-release":     "NAME=\"Ubuntu\"\nVERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n",
				"etc/debian_version": "bookworm/sid\n",
			},
			want: model.OSRelease{ID: "ubuntu", IDLike: []string{"debian"}, Name: "Ubuntu", PrettyName: "Ubuntu 22.04", Version: "22.04", Codename: "jammy", Family: "debian"},
		},
		{
			name:  "Amazon Linux 2 is rhel family",
			files: map[string]string{"etc/os-release": "NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2\"\nPRETTY_NAME=\"Amazon Linux 2\"\n"},
			want:  model.OSRelease{ID: "amzn", IDLike: []string{"centos", "rhel", "fedora"}, Name: "Amazon Linux", PrettyName: "Amazon Linux 2", Version: "2", Family: "rhel"},
		},
		{
			name:  "openSUSE Leap via ID_LIKE",
			files: map[string]string{"etc/os-release": "NAME=\"openSUSE Leap\"\nVERSION=\"15.5\"\nID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\nVERSION_ID=\"15.5\"\nPRETTY_NAME=\"openSUSE Leap 15.5\"\n"},
			want:  model.OSRelease{ID: "opensuse-leap", IDLike: []string{"suse", "opensuse"}, Name: "openSUSE Leap", PrettyName: "openSUSE Leap 15.5", Version: "15.5", Family: "suse"},
		},
		{
			name:     "garbage os-release falls through to the release file",
			files:    map[string]string{"etc/os-release": "\x00\x01 not a release file\n", "etc/alpine-release": "3.18.4\n"},
			want:     model.OSRelease{ID: "alpine", Name: "Alpine Linux", PrettyName: "Alpine Linux 3.18.4", Version: "3.18.4", Family: "alpine"},
			warnings: 1,
		},
		{
			name:  "nothing at all",
			files: map[string]string{"etc/hostname": "x\n"},
			want:  model.OSRelease{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, warnings := inventory.TestEnv(testutil.TempRoot(t, tc.files), "host/info")
			got := readOS(env)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("readOS (-want +got):\n%s", d)
			}
			if len(*warnings) != tc.warnings {
				t.Errorf("warnings = %+v, want %d", *warnings, tc.warnings)
			}
		})
	}
}

func TestParseRedHatRelease(t *testing.T) {
	tests := []struct {
		in   string
		want RedHatRelease
		ok   bool
	}{
		{"Rocky Linux release 9.3 (Blue Onyx)\n", RedHatRelease{"Rocky Linux", "9.3", "Blue Onyx", "Rocky Linux release 9.3 (Blue Onyx)"}, true},
		{"CentOS Stream release 9\n", RedHatRelease{"CentOS Stream", "9", "", "CentOS Stream release 9"}, true},
		{"Fedora release 39 (Thirty Nine)", RedHatRelease{"Fedora", "39", "Thirty Nine", "Fedora release 39 (Thirty Nine)"}, true},
		{"Amazon Linux release 2 (Karoo)", RedHatRelease{"Amazon Linux", "2", "Karoo", "Amazon Linux release 2 (Karoo)"}, true},
		{"hello world", RedHatRelease{}, false},
		{"", RedHatRelease{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseRedHatRelease([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseRedHatRelease(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
