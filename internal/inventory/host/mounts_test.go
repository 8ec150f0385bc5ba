package host

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMountinfo(t *testing.T) {
	got, err := ParseMountinfo(openTestdata(t, "proc", "self", "mountinfo"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 19 {
		t.Fatalf("%d mounts, want 19", len(got))
	}
	root := got[5]
	want := MountInfo{MountPoint: "/", Root: "/", FSType: "ext4", Source: "/dev/vda", Options: []string{"rw", "relatime"},
		SuperOptions: []string{"rw", "discard", "resv_strict", "resuid=65534", "resgid=65534"}}
	if d := cmp.Diff(want, root); d != "" {
		t.Errorf("root mount (-want +got):\n%s", d)
	}
}

func TestParseMountinfoEdgeCases(t *testing.T) {
	in := strings.Join([]string{
		// optional fields before the separator, escaped space in the mount point
		`36 35 98:0 /mnt1 /mnt/my\040disk rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue`,
		// no optional fields, bind mount of a subdirectory
		`40 36 8:1 /var/lib/docker /data ro,nosuid,nodev,noexec - xfs /dev/sda1 ro,attr2`,
		// malformed: no separator
		`41 36 0:50 / /broken rw shared:3 tmpfs tmpfs rw`,
		// malformed: separator but nothing after it
		`42 36 0:51 / /broken2 rw -`,
		``,
	}, "\n")
	got, err := ParseMountinfo(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error = %v, want one naming line 3", err)
	}
	want := []MountInfo{
		{MountPoint: "/mnt/my disk", Root: "/mnt1", FSType: "ext3", Source: "/dev/root", Options: []string{"rw", "noatime"}, SuperOptions: []string{"rw", "errors=continue"}},
		{MountPoint: "/data", Root: "/var/lib/docker", FSType: "xfs", Source: "/dev/sda1", Options: []string{"ro", "nosuid", "nodev", "noexec"}, SuperOptions: []string{"ro", "attr2"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseMountinfo (-want +got):\n%s", d)
	}
	m := mountFromInfo(want[1])
	if d := cmp.Diff([]string{"ro", "nosuid", "nodev", "noexec", "attr2"}, m.Options); d != "" {
		t.Errorf("merged options (-want +got):\n%s", d)
	}
}

func TestParseFstab(t *testing.T) {
	in := "# comment\n\n  \n" +
		"UUID=abc / ext4 errors=remount-ro 0 1\n" +
		"/dev/sdb1\t/srv/my\\040data\txfs\n" + // no options: defaults
		"only-two fields\n" +
		"proc /proc proc hidepid=2,gid=proc 0 0\n"
	got, err := ParseFstab(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 6") {
		t.Errorf("error = %v, want one naming line 6", err)
	}
	want := []FstabEntry{
		{Spec: "UUID=abc", MountPoint: "/", FSType: "ext4", Options: []string{"errors=remount-ro"}},
		{Spec: "/dev/sdb1", MountPoint: "/srv/my data", FSType: "xfs", Options: []string{"defaults"}},
		{Spec: "proc", MountPoint: "/proc", FSType: "proc", Options: []string{"hidepid=2", "gid=proc"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseFstab (-want +got):\n%s", d)
	}
}
