package host

import (
	"context"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

// collectRoot runs the collector over a fixture root as an image (not live).
func collectRoot(t *testing.T, root string) (*model.Host, []model.Warning) {
	t.Helper()
	env, warnings := inventory.TestEnv(testutil.FixtureRoot(t, root), "host/info")
	env.Live = false
	inv, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatalf("Collect(%s): %v", root, err)
	}
	if inv.Host == nil {
		t.Fatalf("Collect(%s): no host record", root)
	}
	return inv.Host, *warnings
}

func TestCollectFixtureRoots(t *testing.T) {
	tests := []struct {
		root          string
		id, family    string
		version       string
		versionDetail string
		codename      string
		hostname      string
		kernel        string
		timezone      string
		mounts        int
		cloud         *model.Cloud
	}{
		{
			root: "debian", id: "debian", family: "debian", version: "12", versionDetail: "12.11",
			codename: "bookworm", hostname: "deb12-web01", kernel: "6.1.0-28-amd64", timezone: "Etc/UTC",
			mounts: 6, cloud: nil, // DataSourceNone's placeholder id is not a cloud instance
		},
		{
			root: "rhel", id: "rocky", family: "rhel", version: "9.3", codename: "",
			hostname: "rocky9-db01.example.internal", kernel: "5.14.0-362.24.1.el9_3.x86_64",
			timezone: "America/New_York", mounts: 4,
			cloud: &model.Cloud{Provider: "aws", InstanceID: "i-1234567890abcdef0", Source: "/var/lib/cloud/data/instance-id"},
		},
		{
			root: "alpine", id: "alpine", family: "alpine", version: "3.19.1",
			hostname: "alpine-edge01", kernel: "6.6.14-0-lts", mounts: 5,
		},
	}
	for _, tc := range tests {
		t.Run(tc.root, func(t *testing.T) {
			h, warnings := collectRoot(t, tc.root)
			if len(warnings) != 0 {
				t.Errorf("warnings: %+v", warnings)
			}
			o := h.OS
			if o.ID != tc.id || o.Family != tc.family || o.Version != tc.version || o.VersionDetail != tc.versionDetail || o.Codename != tc.codename {
				t.Errorf("OS = %+v; want id %q family %q version %q detail %q codename %q", o, tc.id, tc.family, tc.version, tc.versionDetail, tc.codename)
			}
			if h.Hostname != tc.hostname {
				t.Errorf("Hostname = %q, want %q", h.Hostname, tc.hostname)
			}
			if h.Kernel != tc.kernel || !h.KernelInferred {
				t.Errorf("Kernel = %q (inferred %v), want %q inferred", h.Kernel, h.KernelInferred, tc.kernel)
			}
			if h.Timezone != tc.timezone {
				t.Errorf("Timezone = %q, want %q", h.Timezone, tc.timezone)
			}
			if len(h.Mounts) != tc.mounts {
				t.Errorf("got %d fstab mounts, want %d: %+v", len(h.Mounts), tc.mounts, h.Mounts)
			}
			for _, m := range h.Mounts {
				if m.Source != "fstab" {
					t.Errorf("mount %s has source %q, want fstab", m.MountPoint, m.Source)
				}
			}
			if (h.Cloud == nil) != (tc.cloud == nil) || h.Cloud != nil && *h.Cloud != *tc.cloud {
				t.Errorf("Cloud = %+v, want %+v", h.Cloud, tc.cloud)
			}
			// An image scan reads no live source.
			if h.CPU != nil || h.MemoryBytes != 0 || h.BootTime != nil || h.Interfaces != nil || h.DMI != nil || h.Virtualization != "" {
				t.Errorf("image scan returned live facts: %+v", h)
			}
			testutil.GoldenJSON(t, "host-"+tc.root, h)
		})
	}
}

func TestFstabEscapesAndOptions(t *testing.T) {
	h, _ := collectRoot(t, "debian")
	byPoint := map[string]model.Mount{}
	for _, m := range h.Mounts {
		byPoint[m.MountPoint] = m
	}
	if m, ok := byPoint["/srv/backup data"]; !ok || m.Device != "nas01:/export/backup" || m.FSType != "nfs4" {
		t.Errorf(`\040 in fstab not decoded: %+v`, h.Mounts)
	}
	tmp := byPoint["/tmp"]
	want := map[string]bool{"nosuid": true, "nodev": true, "noexec": true}
	for _, o := range tmp.Options {
		delete(want, o)
	}
	if len(want) != 0 {
		t.Errorf("/tmp options %v lack %v", tmp.Options, want)
	}
}
