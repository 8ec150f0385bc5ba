package match

import "testing"

// TestVersionOrder pins each ecosystem's order as the matcher compares
// versions (osv-scalibr's semantic package behind parseVersion).
func TestVersionOrder(t *testing.T) {
	for _, tc := range []struct {
		eco, a, b string
		want      int
	}{
		// dpkg: epoch, ~ before anything, revisions, backport suffixes.
		{"Debian:12", "1:1.0-1", "2.0-1", 1},
		{"Debian:12", "3.0.13-1~deb12u1", "3.0.13-1", -1},
		{"Debian:12", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1", -1},
		{"Debian:12", "2.36-9+deb12u3", "2.36-9+deb12u10", -1},
		{"Debian:12", "1.34+dfsg-1.2+deb12u1", "1.34+dfsg-1.4", -1},
		{"Debian:12", "5.6.1+really5.4.5-1", "5.4.1-0.2", 1},
		{"Debian:12", "1:9.2p1-2+deb12u3", "1:9.7p1-7", -1},
		{"Debian:12", "2.36-9+deb12u3", "2.36-9+deb12u3", 0},
		{"Ubuntu:22.04", "1.2.3-1ubuntu1.1", "1.2.3-1ubuntu1", 1},
		// rpm: epoch wins, then version, then release; ~ sorts first.
		{"Red Hat:9", "1:3.0.1-1.el9", "3.0.7-24.el9", 1},
		{"Red Hat:9", "3.0.7-24.el9", "3.0.7-25.el9_2", -1},
		{"Rocky Linux:9", "1.0~rc1-1", "1.0-1", -1},
		{"AlmaLinux:9", "2.28-225.el8", "2.28-225.el8_8.6", -1},
		// apk: -rN revisions numerically, _rc before release.
		{"Alpine:v3.19", "1.2.3-r1", "1.2.3-r10", -1},
		{"Alpine:v3.19", "1.2.3_rc1-r0", "1.2.3-r0", -1},
		{"Alpine:v3.19", "3.1.4-r5", "3.1.4-r6", -1},
		// Maven: qualifiers and four-part versions.
		{"Maven", "2.13.4.2", "2.13.4.1", 1},
		{"Maven", "5.2.20.RELEASE", "5.3.0", -1},
		{"Maven", "2.0-beta7", "2.0", -1},
		{"Maven", "2.14.1", "2.15.0", -1},
		{"Maven", "1.0-SNAPSHOT", "1.0", -1},
		// PEP 440.
		{"PyPI", "5.2b1", "5.2", -1},
		{"PyPI", "1.0.post1", "1.0", 1},
		{"PyPI", "1.0rc1", "1.0", -1},
		{"PyPI", "1.26.16", "1.26.17", -1},
		{"PyPI", "1!0.1", "2.0", 1},
		// npm semver.
		{"npm", "1.2.3-alpha.1", "1.2.3", -1},
		{"npm", "4.17.15", "4.17.20", -1},
		// Go semver with pseudo-versions.
		{"Go", "0.0.0-20220906165146-f3363e06e74c", "0.1.0", -1},
		{"Go", "0.1.1-0.20221104162952-702349b0e862", "0.1.0", 1},
		{"Go", "0.1.1-0.20221104162952-702349b0e862", "0.1.1", -1},
		{"Go", "0.0.0-20210520170846-37e1c6afe023", "0.0.0-20210428140749-89ef3d95e781", 1},
		{"Go", "1.19.0", "1.19.1", -1},
		{"crates.io", "1.0.0-rc.1", "1.0.0", -1},
	} {
		a, err := parseVersion(tc.a, tc.eco, "ECOSYSTEM")
		if err != nil {
			t.Errorf("%s %q: %v", tc.eco, tc.a, err)
			continue
		}
		b, err := parseVersion(tc.b, tc.eco, "ECOSYSTEM")
		if err != nil {
			t.Errorf("%s %q: %v", tc.eco, tc.b, err)
			continue
		}
		if got := cmp(a, b); got != tc.want {
			t.Errorf("%s: compare(%q, %q) = %d, want %d", tc.eco, tc.a, tc.b, got, tc.want)
		}
	}
}
